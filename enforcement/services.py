"""Plate checks for officers and scan cars: one plate or up to 500, answered in order.

Whatever the number of plates, a check costs the same few statements: the zone, the tariff in
force, the exempting permits, the sessions, their money, and one audit INSERT. Nothing about the
plates is logged: they reach only the database and the answer.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.accounts.guard import Principal
from app.db import db, utcnow
from app.plates import InvalidPlate, normalize_plate
from app.sessions.models import ParkingSession
from enforcement.audit import Lookup, record_lookups
from enforcement.verdict import Cover, Verdict, relevant_since, verdict
from payments import ledger
from zones.models import Zone
from zones.permits import exempting_permits
from zones.pricing import Tariff
from zones.services import NoTariffInForce, get_zone, pricing_tariff, tariff_in_force

INVALID_PLATE = "invalid_plate"
# A cancelled or still-pending session never covered its plate.
COVERING_STATUSES = ("active", "ended")


@dataclass(frozen=True)
class LastPayment:
    amount_cents: int  # net of refunds
    currency: str
    ended_at: datetime | None  # null while the session runs


@dataclass(frozen=True)
class CheckResult:
    plate: str
    zone_code: str
    at: datetime
    status: str
    valid_until: datetime | None = None
    grace_until: datetime | None = None
    last_payment: LastPayment | None = None


def check_plates(
    caller: Principal, zone_code: str, plates: Sequence[str], at: datetime | None
) -> list[CheckResult]:
    """Check each of `plates` (any spelling) in the zone at `at` (default now), in order, and
    record every lookup in the audit. A string that cannot be a plate answers `invalid_plate`."""
    now = utcnow()
    at = at or now
    zone = get_zone(zone_code)
    normalized = [_normalized(plate) for plate in plates]
    verdicts = _verdicts(sorted({plate for plate in normalized if plate}), zone, at)
    payments = _last_payments(verdicts.values(), at)
    results = [
        _result(raw, plate, verdicts, payments, zone, at)
        for raw, plate in zip(plates, normalized, strict=True)
    ]
    lookups = [
        Lookup(plate, result.status) for plate, result in zip(normalized, results, strict=True)
    ]
    record_lookups(caller, zone.id, at, lookups, now)
    return results


def _verdicts(plates: Sequence[str], zone: Zone, at: datetime) -> dict[str, Verdict]:
    """The verdict of each normalised plate: one query for the tariff, the permits, the sessions."""
    tariff = _tariff_at(zone, at)
    permits = exempting_permits(plates, zone.id, at)
    covers = _covers(plates, zone.id, relevant_since(at, tariff, zone.timezone))
    return {
        plate: verdict(
            at,
            covers.get(plate, []),
            permits[plate].valid_until if plate in permits else None,
            tariff,
            zone.timezone,
        )
        for plate in plates
    }


def _normalized(plate: str) -> str | None:
    try:
        return normalize_plate(plate)
    except InvalidPlate:
        return None


def _tariff_at(zone: Zone, at: datetime) -> Tariff | None:
    try:
        return pricing_tariff(tariff_in_force(zone, at))
    except NoTariffInForce:
        return None  # nothing can be due where nothing is priced


def _covers(plates: Sequence[str], zone_id: uuid.UUID, since: datetime) -> dict[str, list[Cover]]:
    """The plates' paid sessions in the zone that still held time at `since` or later (an index
    range scan on (plate, zone_id, held_until))."""
    if not plates:
        return {}
    rows = db.session.execute(
        select(
            ParkingSession.plate,
            ParkingSession.id,
            ParkingSession.starts_at,
            ParkingSession.covered_from,
            ParkingSession.ends_at,
            ParkingSession.max_ends_at,
            ParkingSession.currency,
        ).where(
            ParkingSession.plate.in_(plates),
            ParkingSession.zone_id == zone_id,
            ParkingSession.held_until >= since,
            ParkingSession.status.in_(COVERING_STATUSES),
            ParkingSession.covered_from.is_not(None),
        )
    )
    covers: defaultdict[str, list[Cover]] = defaultdict(list)
    for plate, *fields in rows:
        covers[plate].append(Cover(*fields))
    return covers


def _last_payments(verdicts: Iterable[Verdict], at: datetime) -> dict[uuid.UUID, LastPayment]:
    """The money of every plate's last paid session, in one ledger query."""
    sessions = {v.last_session.session_id: v.last_session for v in verdicts if v.last_session}
    money = ledger.money_of_sessions(sessions)
    return {
        session_id: LastPayment(
            amount_cents=money.get(session_id, ledger.SessionMoney()).net_cents,
            currency=cover.currency,
            ended_at=cover.ends_at if cover.ends_at is not None and cover.ends_at <= at else None,
        )
        for session_id, cover in sessions.items()
    }


def _result(
    raw: str,
    plate: str | None,
    verdicts: dict[str, Verdict],
    payments: dict[uuid.UUID, LastPayment],
    zone: Zone,
    at: datetime,
) -> CheckResult:
    if plate is None:
        return CheckResult(plate=raw, zone_code=zone.code, at=at, status=INVALID_PLATE)
    found = verdicts[plate]
    last = found.last_session
    return CheckResult(
        plate=plate,
        zone_code=zone.code,
        at=at,
        status=found.status,
        valid_until=found.valid_until,
        grace_until=found.grace_until,
        last_payment=payments[last.session_id] if last is not None else None,
    )
