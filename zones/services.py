"""Zones and tariff versions: lookups the other packages use, and the tariff in force."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.db import db
from app.errors import Conflict, NotFound, Unprocessable
from zones import pricing
from zones.models import TariffVersion, Zone


class ZoneNotFound(NotFound):
    reason = "zone_not_found"
    message = "No zone has this code."


class ZoneInactive(Conflict):
    reason = "zone_inactive"
    message = "Parking is not sold in this zone at the moment."


class NoTariffInForce(Conflict):
    reason = "no_tariff_in_force"
    message = "This zone has no tariff in force at that time."


def get_zone(code: str) -> Zone:
    zone = db.session.scalar(select(Zone).where(Zone.code == code))
    if zone is None:
        raise ZoneNotFound()
    return zone


def tariff_in_force(zone: Zone, at: datetime) -> TariffVersion:
    """The version whose `effective_from` is the latest at or before `at`."""
    version = db.session.scalar(
        select(TariffVersion)
        .where(TariffVersion.zone_id == zone.id, TariffVersion.effective_from <= at)
        .order_by(TariffVersion.effective_from.desc())
        .limit(1)
    )
    if version is None:
        raise NoTariffInForce()
    return version


# Versions never change once stored (replacing a future version stores a new row), so their
# pricing view is built once per process.
_PRICING_CACHE: dict[uuid.UUID, pricing.Tariff] = {}
_PRICING_CACHE_SIZE = 4096


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
