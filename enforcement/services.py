"""Plate checks for officers and scan cars: one plate or up to 500, answered in order.

Whatever the number of plates, a check costs the same few statements: the zone with the id of its
tariff in force, the plates' sessions with their money and their exempting permits, and one audit
INSERT. Nothing about the plates is logged: they reach only the database and the answer.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, null, select, union_all

from app.accounts.guard import Principal
from app.db import db, utcnow
from app.plates import InvalidPlate, normalize_plate
from app.sessions.models import ParkingSession
from enforcement.audit import Lookup, record_lookups
from enforcement.verdict import Cover, Verdict, relevant_since, verdict
from payments import ledger
from zones.permits import EXEMPT_UNTIL
from zones.services import ZoneTariff, zone_tariff_at

INVALID_PLATE = "invalid_plate"
# A cancelled or still-pending session never covered its plate.
COVERING_STATUSES = ("active", "ended")


# Built once, not on every check: the covering sessions with their money, then each plate's
# exempting permit (a row without a session id, its end in `ends_at`), in one round trip.
_COVERS = select(
    ParkingSession.plate,
    ParkingSession.id,
    ParkingSession.starts_at,
    ParkingSession.covered_from,
    ParkingSession.ends_at,
    ParkingSession.max_ends_at,
    ParkingSession.currency,
    ledger.net_cents_of(ParkingSession.id),
).where(
    ParkingSession.plate.in_(bindparam("plates", expanding=True)),
    ParkingSession.zone_id == bindparam("zone_id"),
    ParkingSession.held_until >= bindparam("since"),
    ParkingSession.status.in_(COVERING_STATUSES),
    ParkingSession.covered_from.is_not(None),
)
_PERMITS = EXEMPT_UNTIL.subquery()
_COVERS_AND_PERMITS = union_all(
    _COVERS,
    select(
        _PERMITS.c.plate, null(), null(), null(), _PERMITS.c.valid_until, null(), null(), null()
    ),
)


@dataclass(frozen=True)
class PlateRights:
    """What the database holds that can change the plates' answers."""

    covers: dict[str, list[Cover]]
    permit_until: dict[str, datetime]
    net_cents: dict[uuid.UUID, int]  # of each session in `covers`


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
    zone = zone_tariff_at(zone_code, at)
    normalized = [_normalized(plate) for plate in plates]
    verdicts, net_cents = _verdicts(sorted({plate for plate in normalized if plate}), zone, at)
    payments = _last_payments(verdicts.values(), net_cents, at)
    results = [
        _result(raw, plate, verdicts, payments, zone, at)
        for raw, plate in zip(plates, normalized, strict=True)
    ]
    lookups = [
        Lookup(plate, result.status) for plate, result in zip(normalized, results, strict=True)
    ]
    record_lookups(caller, zone.zone_id, at, lookups, now)
    return results


def _verdicts(
    plates: Sequence[str], zone: ZoneTariff, at: datetime
) -> tuple[dict[str, Verdict], dict[uuid.UUID, int]]:
    """The verdict of each normalised plate, and the net cents of the sessions read for them."""
    rights = _rights(plates, zone.zone_id, relevant_since(at, zone.tariff, zone.timezone), at)
    verdicts = {
        plate: verdict(
            at,
            rights.covers.get(plate, []),
            rights.permit_until.get(plate),
            zone.tariff,
            zone.timezone,
        )
        for plate in plates
    }
    return verdicts, rights.net_cents


def _normalized(plate: str) -> str | None:
    try:
        return normalize_plate(plate)
    except InvalidPlate:
        return None


def _rights(
    plates: Sequence[str], zone_id: uuid.UUID, since: datetime, at: datetime
) -> PlateRights:
    """The plates' paid sessions in the zone that still held time at `since` or later (an index
    range scan on (plate, zone_id, held_until)) with their net cents, and their exempting
    permits valid at `at`."""
    rights = PlateRights(covers=defaultdict(list), permit_until={}, net_cents={})
    if not plates:
        return rights
    parameters = {"plates": list(plates), "zone_id": zone_id, "since": since, "at": at}
    for plate, session_id, *fields, net in db.session.execute(_COVERS_AND_PERMITS, parameters):
        if session_id is None:
            rights.permit_until[plate] = fields[2]  # the permit's end, in `ends_at`
            continue
        cover = Cover(session_id, *fields)
        rights.covers[plate].append(cover)
        rights.net_cents[session_id] = int(net)
    return rights


def _last_payments(
    verdicts: Iterable[Verdict], net_cents: dict[uuid.UUID, int], at: datetime
) -> dict[uuid.UUID, LastPayment]:
    """The money of every plate's last paid session (read with the sessions)."""
    sessions = {v.last_session.session_id: v.last_session for v in verdicts if v.last_session}
    return {
        session_id: LastPayment(
            amount_cents=net_cents[session_id],
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
    zone: ZoneTariff,
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
