"""The database of the enforcement benchmark: a zone paid all day, a scan car, and plates with
their history of paid sessions, written in bulk (COPY on PostgreSQL, executemany on SQLite).

Plate k (`P0000000`, `P0000001`, ...) has SESSIONS_PER_PLATE sessions: one a day over the past
days, ended, each with its charge in the ledger, and one today: running now for an even k, ended
two hours ago for an odd one (a check answers `paid`, or `unpaid` with the day's last payment).
Growing the database adds plates, so the plates probed keep the same history at every size.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Engine

from app.accounts.models import User
from app.accounts.services import create_device
from app.db import db
from app.sessions.models import ParkingSession
from bench.bench_sessions import ALL_DAY
from payments.models import LedgerEntry
from zones.models import TariffVersion, Zone

SESSIONS_PER_PLATE = 10
CHUNK = 50_000
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class World:
    zone_id: uuid.UUID
    tariff_id: uuid.UUID
    user_id: uuid.UUID
    device_id: uuid.UUID
    device_key: str


def plate(k: int) -> str:
    return f"P{k:07d}"


def create_world() -> World:
    """The zone BENCH (paid every hour of every day), a driver owning the sessions, a device."""
    zone = Zone(code="BENCH", name="Bench", geometry={}, timezone="Europe/Paris")
    db.session.add(zone)
    db.session.flush()
    tariff = TariffVersion(
        zone_id=zone.id,
        version=1,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        currency="EUR",
        rules=ALL_DAY,
    )
    driver = User(email="bench-driver@example.org", role="driver", password_hash="-")
    db.session.add_all([tariff, driver])
    device, key = create_device("bench scan car")
    db.session.commit()
    return World(zone.id, tariff.id, driver.id, device.id, key)


def seed_sessions(engine: Engine, world: World, plates: range, now: datetime) -> int:
    """Write the sessions (and their charges) of `plates`; the number of sessions written."""
    rows = _rows(world, plates, now)
    written = 0
    while chunk := list(islice(rows, CHUNK)):
        sessions = [session for session, _charge in chunk]
        charges = [charge for _session, charge in chunk]
        write = _copy if engine.dialect.name == "postgresql" else _executemany
        write(engine, ParkingSession.__table__.name, sessions)
        write(engine, LedgerEntry.__table__.name, charges)
        written += len(chunk)
    return written


def _executemany(engine: Engine, table: str, rows: list[dict[str, Any]]) -> None:
    """SQLite: the driver's executemany on values already in the stored form of app.db (UUIDs
    as 32 hex digits, instants as naive UTC text): SQLAlchemy's per-row conversion would take
    most of the time."""
    columns = list(rows[0])
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    with engine.connect() as connection:
        # Only while seeding: random UUID keys spread the inserts over whole indexes, which
        # the default 2 MB page cache and a sync per commit turn into disk-bound work.
        connection.exec_driver_sql("PRAGMA cache_size = -1000000")
        connection.exec_driver_sql("PRAGMA synchronous = OFF")
        connection.exec_driver_sql(
            statement, [tuple(_stored(row[column]) for column in columns) for row in rows]
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA synchronous = FULL")
        connection.commit()


def _stored(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def _copy(engine: Engine, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row([row[column] for column in columns])
        raw.commit()
    finally:
        raw.close()


def _rows(world: World, plates: range, now: datetime) -> Iterator[tuple[dict, dict]]:
    for k in plates:
        for day in range(SESSIONS_PER_PLATE - 1, 0, -1):
            yield _session(world, plate(k), now - day * 24 * HOUR - 2 * HOUR, "ended")
        if k % 2 == 0:
            yield _session(world, plate(k), now - HOUR / 6, "active")
        else:
            yield _session(world, plate(k), now - 3 * HOUR, "ended")


_RUN_PREFIX = random.getrandbits(64) << 64
_ids = itertools.count()


def _new_id() -> uuid.UUID:
    # Ascending within a run (ids are opaque): the primary-key indexes grow at their end
    # instead of splitting pages all over, and no system call per id as uuid4() makes.
    return uuid.UUID(int=_RUN_PREFIX | next(_ids))


def _session(world: World, plate: str, starts_at: datetime, status: str) -> tuple[dict, dict]:
    session_id, ends_at = _new_id(), starts_at + HOUR
    session = {
        "id": session_id,
        "user_id": world.user_id,
        "vehicle_id": None,
        "plate": plate,
        "plate_raw": plate,
        "zone_id": world.zone_id,
        "tariff_version_id": world.tariff_id,
        "profile": "visitor",
        "status": status,
        "open_ended": False,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "max_ends_at": ends_at,
        "held_until": ends_at,
        "covered_from": starts_at,
        "stopped_at": None,
        "authorised_cents": 0,
        "currency": "EUR",
        "request_key": None,
        "settlement_due": False,
        "lease_until": None,
        "created_at": starts_at,
        "updated_at": ends_at,
    }
    charge = {
        "id": _new_id(),
        "kind": "charge",
        "amount_cents": 240,
        "currency": "EUR",
        "session_id": session_id,
        "payment_id": None,
        "stripe_object_id": f"ch_{session_id.hex}",
        "stripe_payment_intent_id": None,
        "stripe_charge_id": None,
        "fee_cents": None,
        "occurred_at": starts_at,
        "recorded_at": starts_at,
    }
    return session, charge
