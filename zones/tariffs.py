"""A zone's chain of tariff versions: history, and scheduling a new version (TARIFFS.md).

A version in force never changes. A new version takes effect after now; one posted for the same
instant as a version not yet in force replaces it by a new row with a new id and number (prices
are cached per version id in every worker, so a row is never updated in place).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Uuid, column, func, select, table
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.errors import Conflict, Unprocessable, flatten_validation_messages
from app.pagination import Page, paginate
from zones.models import TariffVersion, Zone
from zones.services import NoTariffInForce, lock_zone, tariff_from_rules, tariff_in_force
from zones.tariff_schemas import TariffVersionSchema

RULE_KEYS = (
    "paid_hours",
    "free_on_public_holidays",
    "max_stay_minutes",
    "grace_minutes",
    "fps_amount_cents",
    "refund_unused",
    "profiles",
)
# Read without importing the sessions package, which depends on this one.
_sessions = table("parking_sessions", column("tariff_version_id", Uuid))


class TariffInForce(Conflict):
    reason = "tariff_in_force"
    message = "Versions in force never change: a new version must take effect after now."


class TariffInUse(Conflict):
    reason = "tariff_in_use"
    message = "Sessions are already priced by this version; schedule another instant instead."


class TariffVersionConflict(Conflict):
    reason = "tariff_version_conflict"
    message = "Another version of this zone was stored at the same moment; retry."


def list_tariff_versions(zone: Zone, *, now: datetime, limit: int, cursor: str | None) -> Page:
    """The zone's versions by `effective_from`, each with its status at `now`."""
    statement = select(TariffVersion).where(TariffVersion.zone_id == zone.id)
    page = paginate(statement, (TariffVersion.effective_from,), limit=limit, cursor=cursor)
    in_force = _in_force_id(zone, now)
    page.items = [tariff_view(version, _status(version, in_force, now)) for version in page.items]
    return page


def schedule_tariff_version(zone: Zone, data: Mapping[str, Any], *, now: datetime) -> TariffVersion:
    """Store a version (loaded by TariffVersionSchema) that takes effect after `now`."""
    if data["effective_from"] <= now:
        raise TariffInForce()
    lock_zone(zone)  # one writer per zone takes `max(version) + 1`
    replaced = db.session.scalar(
        select(TariffVersion).where(
            TariffVersion.zone_id == zone.id, TariffVersion.effective_from == data["effective_from"]
        )
    )
    if replaced is not None and _priced_sessions(replaced):
        raise TariffInUse()
    return _store(zone, data, replaced)


def record_tariff_version(zone: Zone, document: Mapping[str, Any]) -> TariffVersion:
    """Store a TARIFFS.md document as a version, whatever its `effective_from`.

    For loading history and demo data, never for the API: nothing may yet be priced by an
    earlier version this one would displace.
    """
    try:
        data = TariffVersionSchema().load(dict(document))
    except ValidationError as exc:
        errors = flatten_validation_messages(exc.messages)
        raise Unprocessable("The tariff is not valid.", errors=errors) from exc
    lock_zone(zone)  # one writer per zone takes `max(version) + 1`
    return _store(zone, data, replaced=None)


def tariff_view(version: TariffVersion, status: str) -> dict[str, Any]:
    """The answer of the API: the document as posted, and its place in the chain."""
    return {
        "zone_code": version.zone.code,
        "version": version.version,
        "status": status,
        "effective_from": version.effective_from,
        "currency": version.currency,
        **version.rules,
        "created_at": version.created_at,
    }


def status_at(version: TariffVersion, now: datetime) -> str:
    return _status(version, _in_force_id(version.zone, now), now)


def _store(zone: Zone, data: Mapping[str, Any], replaced: TariffVersion | None) -> TariffVersion:
    rules = {key: data[key] for key in RULE_KEYS}
    # The last word on the document: the one function that reads it back for pricing.
    tariff_from_rules(
        rules,
        timezone=zone.timezone,
        currency=data["currency"],
        country=zone.country,
        subdivision=zone.subdivision,
    )
    # Numbered before the replaced row goes, so a number never names two documents.
    latest = db.session.scalar(
        select(func.max(TariffVersion.version)).where(TariffVersion.zone_id == zone.id)
    )
    if replaced is not None:
        db.session.delete(replaced)
        db.session.flush()
    version = TariffVersion(
        zone=zone,
        version=(latest or 0) + 1,
        effective_from=data["effective_from"],
        currency=data["currency"],
        rules=rules,
    )
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError as exc:  # a racing write despite the lock (or a session came first)
        db.session.rollback()
        raise TariffVersionConflict() from exc
    return version


def _priced_sessions(version: TariffVersion) -> bool:
    statement = select(_sessions.c.tariff_version_id).where(
        _sessions.c.tariff_version_id == version.id
    )
    return db.session.execute(statement.limit(1)).first() is not None


def _in_force_id(zone: Zone, now: datetime) -> Any:
    try:
        return tariff_in_force(zone, now).id
    except NoTariffInForce:
        return None


def _status(version: TariffVersion, in_force_id: Any, now: datetime) -> str:
    if version.effective_from > now:
        return "scheduled"
    return "in_force" if version.id == in_force_id else "superseded"
