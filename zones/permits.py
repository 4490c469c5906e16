"""Permits: a plate's right in some zones for a period (CONTRACT.md, Enforcement: Permits).

Kinds `disabled` and `exempt` exempt the plate from paying; `resident`, `business` (and
`disabled`) open the tariff profile of the same name to it. Revoking keeps the row, so scan cars
syncing the rights feed learn of it. Every plate is compared in its normalised form.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)

from app.db import db, utcnow
from app.errors import NotFound
from app.pagination import Page, paginate
from app.plates import PSEUDONYM_PREFIX, InvalidPlate, Plate, normalize_plate
from zones.models import EXEMPTING_PERMIT_KINDS, Permit, Zone, permit_zones
from zones.services import ZoneNotFound, get_zone
from zones.zone_checks import normalize_zone_code

# Tariff profiles that a permit of the same kind opens to its plate.
PROFILE_PERMIT_KINDS = ("resident", "business", "disabled")
# Permits whose plate the privacy purge has not yet replaced by a pseudonym.
READABLE_PLATE = text(f"plate NOT LIKE '{PSEUDONYM_PREFIX}%'")


class PermitNotFound(NotFound):
    reason = "permit_not_found"
    message = "No permit has this id."


def create_permit(
    plate: Plate, kind: str, zone_codes: Sequence[str], valid_from: datetime, valid_until: datetime
) -> Permit:
    """A permit for `plate` in the zones named (all must exist) for `[valid_from, valid_until)`."""
    codes = sorted({normalize_zone_code(code) for code in zone_codes})
    zones = list(db.session.scalars(select(Zone).where(Zone.code.in_(codes))))
    missing = sorted(set(codes) - {zone.code for zone in zones})
    if missing:
        messages = [f"No zone has the code {code}." for code in missing]
        raise ZoneNotFound(" ".join(messages), errors={"zone_codes": messages})
    permit = Permit(
        plate=plate.normalized,
        plate_raw=plate.raw,
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        zones=zones,
    )
    db.session.add(permit)
    db.session.flush()
    return permit


def list_permits(
    *, limit: int, cursor: str | None, plate: Plate | None = None, zone: str | None = None
) -> Page:
    """Newest first, revoked ones included; optionally of one plate, or valid in one zone."""
    statement = select(Permit)
    if plate is not None:
        statement = statement.where(Permit.plate == plate.normalized)
    if zone is not None:
        statement = statement.where(_in_zone(get_zone(zone).id))
    keys = (Permit.created_at, Permit.id)
    return paginate(statement, keys, limit=limit, cursor=cursor, descending=True)


def revoke_permit(permit_id: uuid.UUID) -> Permit:
    """Revoke at once (again: changes nothing). The row stays for the rights feed."""
    permit = db.session.get(Permit, permit_id)
    if permit is None:
        raise PermitNotFound()
    if permit.revoked_at is None:
        permit.revoked_at = utcnow()
        db.session.flush()
    return permit


def has_profile_permit(plate: str, zone_id: uuid.UUID, profile: str, at: datetime) -> bool:
    """Whether `plate` holds, at `at`, a valid permit opening `profile` in the zone."""
    if profile not in PROFILE_PERMIT_KINDS:
        return False
    try:
        normalized = normalize_plate(plate)
    except InvalidPlate:
        return False
    statement = select(Permit.id).where(
        Permit.plate == normalized, Permit.kind == profile, _in_zone(zone_id), _valid_at(at)
    )
    return db.session.execute(statement.limit(1)).first() is not None


def _in_zone(zone_id: uuid.UUID | BindParameter[uuid.UUID]) -> ColumnElement[bool]:
    return Permit.id.in_(select(permit_zones.c.permit_id).where(permit_zones.c.zone_id == zone_id))


def _valid_at(at: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    return and_(Permit.revoked_at.is_(None), Permit.valid_from <= at, Permit.valid_until > at)


# Each plate's latest end of a valid disabled/exempt permit in a zone, for the bound `plates`
# (normalised), `zone_id` and `at`: one statement for a scan car's 500 plates. Built once: the
# enforcement check runs it inside the statement that reads the plates' sessions.
EXEMPT_UNTIL = (
    select(Permit.plate, func.max(Permit.valid_until).label("valid_until"))
    .where(
        Permit.plate.in_(bindparam("plates", expanding=True)),
        Permit.kind.in_(EXEMPTING_PERMIT_KINDS),
        _in_zone(bindparam("zone_id")),
        _valid_at(bindparam("at")),
    )
    .group_by(Permit.plate)
)


def readable_plates_ended_before(cutoff: datetime) -> Select[tuple[uuid.UUID, str]]:
    """(id, plate) of the permits expired or revoked before `cutoff` whose plate is still
    readable: the privacy purge's way in (enforcement/privacy.py)."""
    ended = or_(Permit.valid_until < cutoff, Permit.revoked_at < cutoff)
    return select(Permit.id, Permit.plate).where(READABLE_PLATE, ended).order_by(Permit.id)


def replace_plates(pseudonyms: Mapping[uuid.UUID, str]) -> None:
    """Set each permit's plate (normalised and as typed) to its pseudonym. `updated_at` stays:
    a pseudonym is not a change of the right that the rights feed should send again."""
    table = Permit.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("permit_id"))
        .values(
            plate=bindparam("pseudonym"),
            plate_raw=bindparam("pseudonym"),
            updated_at=table.c.updated_at,
        )
    )
    rows = [{"permit_id": key, "pseudonym": value} for key, value in pseudonyms.items()]
    if rows:
        db.session.execute(statement, rows)
