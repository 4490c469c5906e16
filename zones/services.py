"""Zones and tariff versions: lookups the other packages use, the tariff in force, zone writes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.errors import Conflict, NotFound, Unprocessable
from app.pagination import Page, paginate
from zones import pricing
from zones.models import TariffVersion, Zone
from zones.zone_checks import (
    check_geometry,
    check_holiday_region,
    check_timezone,
    check_zone_code,
    normalize_zone_code,
)

# Zone fields that change how its tariffs price (their local time, their holidays).
PRICING_FIELDS = ("timezone", "country", "subdivision")


class ZoneNotFound(NotFound):
    reason = "zone_not_found"
    message = "No zone has this code."


class ZoneInactive(Conflict):
    reason = "zone_inactive"
    message = "Parking is not sold in this zone at the moment."


class ZoneExists(Conflict):
    reason = "zone_exists"
    message = "A zone with this code already exists."


class ZoneHasTariffs(Conflict):
    reason = "zone_has_tariffs"
    message = (
        "The time zone and holiday calendar of a zone with tariffs cannot change: its tariff "
        "versions would price differently. Create a new zone."
    )


class ZoneChanged(Conflict):
    reason = "zone_changed"
    message = "The zone was changed by another request meanwhile; read it again and retry."


class NoTariffInForce(Conflict):
    reason = "no_tariff_in_force"
    message = "This zone has no tariff in force at that time."


def get_zone(code: str) -> Zone:
    zone = db.session.scalar(select(Zone).where(Zone.code == normalize_zone_code(code)))
    if zone is None:
        raise ZoneNotFound()
    return zone


def list_zones(*, limit: int, cursor: str | None, active: bool | None = None) -> Page:
    statement = select(Zone)
    if active is not None:
        statement = statement.where(Zone.active == active)
    return paginate(statement, (Zone.code,), limit=limit, cursor=cursor)


def create_zone(
    code: str,
    name: str,
    geometry: dict[str, Any],
    *,
    timezone: str | None = None,
    country: str | None = None,
    subdivision: str | None = None,
    active: bool = True,
) -> Zone:
    """A new zone; time zone and country default to the city's (settings)."""
    settings = current_app.config["SETTINGS"]
    zone = Zone(
        code=check_zone_code(code),
        name=name,
        geometry=check_geometry(geometry),
        timezone=check_timezone(timezone or settings.city_timezone),
        active=active,
    )
    zone.country, zone.subdivision = check_holiday_region(
        country or settings.city_country, subdivision
    )
    if db.session.scalar(select(Zone.id).where(Zone.code == zone.code)) is not None:
        raise ZoneExists()
    db.session.add(zone)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same code created by a racing request
        db.session.rollback()
        raise ZoneExists() from exc
    return zone


def update_zone(zone: Zone, changes: Mapping[str, Any]) -> Zone:
    """Apply a PATCH: name, geometry, active, and (while it has no tariff) timezone and country."""
    changes = _checked_changes(zone, changes)
    if any(
        changes.get(name, getattr(zone, name)) != getattr(zone, name) for name in PRICING_FIELDS
    ):
        lock_zone(zone)  # against a first tariff version being stored meanwhile
        if db.session.scalar(select(TariffVersion.id).where(TariffVersion.zone_id == zone.id)):
            raise ZoneHasTariffs()
    for name, value in changes.items():
        setattr(zone, name, value)
    try:
        db.session.flush()
    except StaleDataError as exc:  # another worker wrote the zone since we read it
        db.session.rollback()
        raise ZoneChanged() from exc
    return zone


def _checked_changes(zone: Zone, changes: Mapping[str, Any]) -> dict[str, Any]:
    checked = dict(changes)
    if "geometry" in checked:
        checked["geometry"] = check_geometry(checked["geometry"])
    if "timezone" in checked:
        checked["timezone"] = check_timezone(checked["timezone"])
    if "country" in checked or "subdivision" in checked:
        country = checked.get("country", zone.country)
        subdivision = checked.get("subdivision", zone.subdivision)
        checked["country"], checked["subdivision"] = check_holiday_region(country, subdivision)
    return checked


def lock_zone(zone: Zone) -> None:
    """Serialise writes that depend on a zone's tariffs (no-op on SQLite, whose writes are)."""
    db.session.execute(select(Zone.id).where(Zone.id == zone.id).with_for_update())


def _in_force(
    selected: Any,
    zone_id: uuid.UUID | ColumnElement[uuid.UUID],
    at: datetime | BindParameter[datetime],
) -> Select[Any]:
    """`selected` of the version whose `effective_from` is the latest at or before `at`."""
    return (
        select(selected)
        .where(TariffVersion.zone_id == zone_id, TariffVersion.effective_from <= at)
        .order_by(TariffVersion.effective_from.desc())
        .limit(1)
    )


def tariff_in_force(zone: Zone, at: datetime) -> TariffVersion:
    """The version whose `effective_from` is the latest at or before `at`."""
    version = db.session.scalar(_in_force(TariffVersion, zone.id, at))
    if version is None:
        raise NoTariffInForce()
    return version


@dataclass(frozen=True)
class ZoneTariff:
    """What a plate check needs of a zone at an instant (no geometry, no tariff document)."""

    zone_id: uuid.UUID
    code: str
    timezone: str
    tariff: pricing.Tariff | None  # None where no version is in force: nothing is due


# The zone and the id of its version in force, in one round trip. Only the id is read: the
# version's pricing view comes from the cache below, so the stored document is read and parsed
# once per process and version, while a version added since is still found here.
_IN_FORCE_ID = _in_force(TariffVersion.id, Zone.id, bindparam("at")).scalar_subquery()
_ZONE_TARIFF = select(Zone.id, Zone.code, Zone.timezone, _IN_FORCE_ID).where(
    Zone.code == bindparam("code")
)


def zone_tariff_at(code: str, at: datetime) -> ZoneTariff:
    """The zone named `code` and the pricing view of its tariff in force at `at`."""
    row = db.session.execute(_ZONE_TARIFF, {"code": normalize_zone_code(code), "at": at}).first()
    if row is None:
        raise ZoneNotFound()
    zone_id, zone_code, timezone, version_id = row
    tariff = None if version_id is None else _pricing_tariff_of(version_id)
    return ZoneTariff(zone_id=zone_id, code=zone_code, timezone=timezone, tariff=tariff)


# Versions never change once stored (replacing a future version stores a new row), so their
# pricing view is built once per process.
_PRICING_CACHE: dict[uuid.UUID, pricing.Tariff] = {}
_PRICING_CACHE_SIZE = 4096


def _pricing_tariff_of(version_id: uuid.UUID) -> pricing.Tariff:
    """`pricing_tariff` by id: the stored version is read only on its first use in the process."""
    cached = _PRICING_CACHE.get(version_id)
    return cached or pricing_tariff(db.session.get_one(TariffVersion, version_id))


def pricing_tariff(version: TariffVersion) -> pricing.Tariff:
    """The pricing engine's view of a stored tariff version."""
    tariff = _PRICING_CACHE.get(version.id)
    if tariff is None:
        zone = version.zone
        tariff = tariff_from_rules(
            version.rules,
            timezone=zone.timezone,
            currency=version.currency,
            country=zone.country,
            subdivision=zone.subdivision,
        )
        if len(_PRICING_CACHE) >= _PRICING_CACHE_SIZE:
            _PRICING_CACHE.clear()
        _PRICING_CACHE[version.id] = tariff
    return tariff


def tariff_from_rules(
    rules: dict[str, Any],
    *,
    timezone: str,
    currency: str,
    country: str = "FR",
    subdivision: str | None = None,
) -> pricing.Tariff:
    """A `pricing.Tariff` from the stored (already validated) document of TARIFFS.md."""
    try:
        return pricing.Tariff(
            timezone=timezone,
            paid_hours=tuple(
                pricing.PaidWindow.parse(window["days"], window["from"], window["to"])
                for window in rules["paid_hours"]
            ),
            free_on_public_holidays=bool(rules.get("free_on_public_holidays", True)),
            max_stay_minutes=int(rules["max_stay_minutes"]),
            grace_minutes=int(rules.get("grace_minutes", 0)),
            fps_amount_cents=int(rules["fps_amount_cents"]),
            refund_unused=bool(rules.get("refund_unused", True)),
            currency=currency,
            profiles={
                name: pricing.Profile(
                    price_points=tuple(tuple(point) for point in profile["price_points"]),
                    max_stay_minutes=profile.get("max_stay_minutes"),
                )
                for name, profile in rules["profiles"].items()
            },
            holiday_country=country,
            holiday_subdivision=subdivision,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise Unprocessable(f"The tariff is not valid: {exc}", reason="invalid_tariff") from exc


def pricing_refusal(exc: pricing.PricingError) -> Unprocessable:
    """A pricing error as the contract's 422, with its stable reason (exceeds_max_stay, ...)."""
    return Unprocessable(str(exc).capitalize() + ".", reason=exc.reason)
