"""`GET /zones/{code}/quote`: what a stay would cost, priced by the tariff in force at its start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.errors import Unprocessable, field_error
from zones import pricing
from zones.services import (
    ZoneInactive,
    get_zone,
    pricing_refusal,
    pricing_tariff,
    tariff_in_force,
)

# A quote is for one stay; a week bounds the work of one request (longest card hold: 6 days).
MAX_QUOTE_SPAN = timedelta(days=7)
MAX_QUOTE_MINUTES = MAX_QUOTE_SPAN // timedelta(minutes=1)


@dataclass(frozen=True)
class ZoneQuote:
    zone_code: str
    profile: str
    tariff_version: int
    starts_at: datetime
    ends_at: datetime
    chargeable_minutes: int
    amount_cents: int
    currency: str
    max_ends_at: datetime | None
    min_charge_cents: int
    fps_amount_cents: int


def quote_stay(
    zone_code: str,
    *,
    now: datetime,
    profile: str = pricing.VISITOR,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    ends_at: datetime | None = None,
    amount_cents: int | None = None,
) -> ZoneQuote:
    """Price a stay given exactly one of its real duration, its end, or an amount to spend."""
    zone = get_zone(zone_code)
    if not zone.active:
        raise ZoneInactive()
    starts_at = starts_at or now
    if ends_at is not None:
        _check_end(starts_at, ends_at)
    version = tariff_in_force(zone, starts_at)
    duration = None if duration_minutes is None else timedelta(minutes=duration_minutes)
    try:
        quote = pricing.quote(
            pricing_tariff(version),
            profile,
            starts_at,
            ends_at=ends_at,
            duration=duration,
            amount_cents=amount_cents,
        )
    except pricing.PricingError as exc:
        given = "duration_minutes" if duration is not None else "ends_at"
        raise _refusal(exc, "amount_cents" if amount_cents is not None else given) from exc
    return ZoneQuote(
        zone_code=zone.code, profile=profile, tariff_version=version.version, **vars(quote)
    )


def _check_end(starts_at: datetime, ends_at: datetime) -> None:
    # Also checked by the query schema when starts_at is given; here it may be "now".
    if ends_at <= starts_at:
        raise field_error("ends_at", "Must be after starts_at.")
    if ends_at - starts_at > MAX_QUOTE_SPAN:
        raise field_error("ends_at", "Must be within 7 days of starts_at.")


def _refusal(exc: pricing.PricingError, field: str) -> Unprocessable:
    """The engine's refusal with its reason, naming the field the client can change."""
    refusal = pricing_refusal(exc)
    refusal.errors = {"profile" if exc.reason == "unknown_profile" else field: [refusal.message]}
    return refusal
