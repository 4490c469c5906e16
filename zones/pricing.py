"""The price of a parking session: TARIFFS.md rules 2-10 as pure functions.

Instants, a tariff and a profile name in; minutes and integer cents out. No database and no clock:
callers pass every instant. When parking is paid lives in `zones.paid_hours`; this module turns
paid time into money.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from itertools import pairwise
from operator import itemgetter
from types import MappingProxyType
from zoneinfo import ZoneInfo

from zones.paid_hours import (
    WEEKDAYS,
    PaidWindow,
    as_utc,
    chargeable_minutes,
    chargeable_time,
    end_after_chargeable,
    is_paid_at,
    next_paid_start,
    paid_intervals,
    parse_hhmm,
)
from zones.pricing_errors import (
    AmountTooLow,
    BelowMinimumCharge,
    ExceedsMaxStay,
    InvalidPeriod,
    NaiveDatetime,
    PricingError,
    UnknownProfile,
    UnsupportedCurrency,
)

# fmt: off
__all__ = [
    "MIN_CARD_CHARGE_CENTS", "OPEN_ENDED_LIMIT", "VISITOR", "WEEKDAYS",
    "AmountTooLow", "BelowMinimumCharge", "ExceedsMaxStay", "InvalidPeriod", "NaiveDatetime",
    "PaidWindow", "PricingError", "Profile", "Quote", "Tariff", "UnknownProfile",
    "UnsupportedCurrency",
    "chargeable_minutes", "chargeable_time", "end_after_chargeable", "is_paid_at",
    "max_chargeable_minutes", "max_ends_at", "min_charge_cents", "minutes_for_amount",
    "next_paid_start", "open_ended_authorisation_cents", "open_ended_capture_cents",
    "open_ended_ends_at", "paid_intervals", "parse_hhmm", "price_cents", "quote",
    "refund_on_stop", "require_card_minimum",
]

VISITOR = "visitor"
# Stripe's smallest accepted charge, in the currency's minor unit (JPY has none).
MIN_CARD_CHARGE_CENTS: Mapping[str, int] = MappingProxyType({
    "EUR": 50, "USD": 50, "GBP": 30, "CHF": 50, "CAD": 50, "AUD": 50, "NZD": 50, "SGD": 50,
    "INR": 50, "JPY": 50, "DKK": 250, "NOK": 300, "SEK": 300, "PLN": 200, "CZK": 1500,
    "RON": 200, "HKD": 400, "MXN": 1000,
})
# fmt: on
# A card authorisation lapses after about 7 days; an open-ended session ends before it does.
OPEN_ENDED_LIMIT = timedelta(days=6)


@dataclass(frozen=True)
class Profile:
    """Cumulative price points `((0, c0), (m1, c1), ...)`: chargeable minute, cents so far."""

    price_points: tuple[tuple[int, int], ...]
    max_stay_minutes: int | None = None  # overrides the tariff's when set

    def __post_init__(self) -> None:
        points = tuple((minute, cents) for minute, cents in self.price_points)
        object.__setattr__(self, "price_points", points)
        if not points or points[0][0] != 0 or points[0][1] < 0:
            raise ValueError(f"price points must start at minute 0 with cents >= 0: {points}")
        for (minute, cents), (next_minute, next_cents) in pairwise(points):
            if next_minute <= minute or next_cents < cents:
                raise ValueError(f"minutes must rise and cents never fall: {points}")

    @property
    def last_minute(self) -> int:
        return self.price_points[-1][0]


@dataclass(frozen=True)
class Tariff:
    """One tariff version: when parking is paid, and what each profile pays for it."""

    timezone: str
    paid_hours: tuple[PaidWindow, ...]
    free_on_public_holidays: bool
    max_stay_minutes: int
    grace_minutes: int
    fps_amount_cents: int
    refund_unused: bool
    currency: str
    profiles: Mapping[str, Profile] = field(hash=False)
    holiday_country: str = "FR"
    holiday_subdivision: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "paid_hours", tuple(self.paid_hours))
        object.__setattr__(self, "profiles", MappingProxyType(dict(self.profiles)))
        if VISITOR not in self.profiles:
            raise ValueError("a tariff must have a visitor profile")
        ZoneInfo(self.timezone)  # an unknown zone fails here, not at the first quote
        min_charge_cents(self.currency)

    def __reduce__(self) -> tuple[type[Tariff], tuple[object, ...]]:
        # A mappingproxy cannot be pickled or deep-copied: rebuild from a plain dict.
        values = {each.name: getattr(self, each.name) for each in fields(self)}
        values["profiles"] = dict(self.profiles)
        return Tariff, tuple(values.values())


@dataclass(frozen=True)
class Quote:
    starts_at: datetime
    ends_at: datetime
    chargeable_minutes: int
    amount_cents: int
    currency: str
    max_ends_at: datetime | None
    min_charge_cents: int
    fps_amount_cents: int


def min_charge_cents(currency: str) -> int:
    """The card processor's minimum charge for `currency` (rule 10)."""
    try:
        return MIN_CARD_CHARGE_CENTS[currency.upper()]
    except KeyError:
        raise UnsupportedCurrency(f"no card minimum known for {currency!r}") from None


def require_card_minimum(amount_due_cents: int, currency: str) -> None:
    """Refuse a prepaid purchase or extension due of 1 cent up to below the card minimum."""
    minimum = min_charge_cents(currency)
    if 0 < amount_due_cents < minimum:
        raise BelowMinimumCharge(f"{amount_due_cents} is below the card minimum of {minimum}")


def price_cents(profile: Profile, minutes: int) -> int:
    """The price of `minutes` chargeable minutes (rule 3): each segment rounded up to the cent."""
    points = profile.price_points
    if minutes < 0:
        raise ValueError(f"minutes cannot be negative: {minutes}")
    if minutes > profile.last_minute:
        raise ExceedsMaxStay(f"{minutes} min is beyond the last price point")
    index = bisect_right(points, minutes, key=itemgetter(0)) - 1
    if index == len(points) - 1:
        return points[index][1]
    (minute, cents), (next_minute, next_cents) = points[index], points[index + 1]
    rise = (next_cents - cents) * (minutes - minute)
    return cents + -(-rise // (next_minute - minute))


def minutes_for_amount(profile: Profile, amount_cents: int, max_minutes: int) -> int:
    """The most minutes, up to `max_minutes`, whose price is within `amount_cents` (rule 9)."""
    low, high = 0, min(max_minutes, profile.last_minute)
    if high < 0 or price_cents(profile, 0) > amount_cents:
        raise AmountTooLow(f"{amount_cents} does not buy any parking")
    while low < high:  # price(low) <= amount throughout
        middle = (low + high + 1) // 2
        if price_cents(profile, middle) <= amount_cents:
            low = middle
        else:
            high = middle - 1
    return low


def max_chargeable_minutes(tariff: Tariff, profile_name: str) -> int:
    """The max stay of the profile (or of the tariff), never beyond its last price point."""
    profile = _profile(tariff, profile_name)
    max_stay = profile.max_stay_minutes
    if max_stay is None:
        max_stay = tariff.max_stay_minutes
    return min(max_stay, profile.last_minute)


def max_ends_at(tariff: Tariff, profile_name: str, start: datetime) -> datetime | None:
    """When a session from `start` reaches its max stay of paid time (rule 4); None if never."""
    limit = timedelta(minutes=max_chargeable_minutes(tariff, profile_name))
    return end_after_chargeable(tariff, start, limit)


def quote(
    tariff: Tariff,
    profile_name: str,
    starts_at: datetime,
    *,
    ends_at: datetime | None = None,
    duration: timedelta | None = None,
    amount_cents: int | None = None,
) -> Quote:
    """Price a session given exactly one of its end, its real duration or an amount to spend."""
    if [ends_at, duration, amount_cents].count(None) != 2:
        raise TypeError("quote() takes exactly one of ends_at, duration, amount_cents")
    profile = _profile(tariff, profile_name)
    starts_at = as_utc(starts_at)
    limit = max_chargeable_minutes(tariff, profile_name)
    if amount_cents is not None:
        minutes, ends_at = _time_bought(tariff, profile, starts_at, amount_cents, limit)
    else:
        ends_at = as_utc(ends_at) if ends_at is not None else starts_at + duration
        minutes = _minutes_within_max_stay(tariff, starts_at, ends_at, limit)
    return Quote(
        starts_at=starts_at,
        ends_at=ends_at,
        chargeable_minutes=minutes,
        amount_cents=price_cents(profile, minutes),
        currency=tariff.currency,
        max_ends_at=max_ends_at(tariff, profile_name, starts_at),
        min_charge_cents=min_charge_cents(tariff.currency),
        fps_amount_cents=tariff.fps_amount_cents,
    )


def refund_on_stop(
    tariff: Tariff, profile_name: str, starts_at: datetime, stopped_at: datetime, paid_cents: int
) -> tuple[int, int]:
    """`(kept, refunded)` cents of a prepaid session stopped early (rule 7)."""
    minutes = _minutes_used(tariff, profile_name, starts_at, stopped_at)
    used_cents = price_cents(_profile(tariff, profile_name), minutes)
    kept_cents = min(used_cents, paid_cents) if tariff.refund_unused else paid_cents
    return kept_cents, paid_cents - kept_cents


def open_ended_ends_at(tariff: Tariff, profile_name: str, starts_at: datetime) -> datetime:
    """When an open-ended session ends by itself: its max stay, before the card hold lapses."""
    card_hold_end = as_utc(starts_at) + OPEN_ENDED_LIMIT
    natural_end = max_ends_at(tariff, profile_name, starts_at)
    return card_hold_end if natural_end is None else min(natural_end, card_hold_end)


def open_ended_authorisation_cents(tariff: Tariff, profile_name: str) -> int:
    """What to hold on the card for an open-ended session: the price of the max stay (rule 8)."""
    profile = _profile(tariff, profile_name)
    amount = price_cents(profile, max_chargeable_minutes(tariff, profile_name))
    return _at_least_card_minimum(amount, tariff.currency)


def open_ended_capture_cents(
    tariff: Tariff, profile_name: str, starts_at: datetime, stopped_at: datetime
) -> int:
    """What to capture for an open-ended session stopped (or ended by itself) at `stopped_at`."""
    ends_at = min(as_utc(stopped_at), open_ended_ends_at(tariff, profile_name, starts_at))
    minutes = _minutes_used(tariff, profile_name, starts_at, ends_at)
    amount = price_cents(_profile(tariff, profile_name), minutes)
    return _at_least_card_minimum(amount, tariff.currency)


def _profile(tariff: Tariff, profile_name: str) -> Profile:
    try:
        return tariff.profiles[profile_name]
    except KeyError:
        raise UnknownProfile(f"the tariff has no {profile_name!r} profile") from None


def _minutes_within_max_stay(
    tariff: Tariff, starts_at: datetime, ends_at: datetime, limit: int
) -> int:
    if ends_at <= starts_at:
        raise InvalidPeriod("a session must end after it starts")
    minutes = chargeable_minutes(tariff, starts_at, ends_at)
    if minutes > limit:
        raise ExceedsMaxStay(f"{minutes} chargeable min is over the max stay of {limit}")
    return minutes


def _time_bought(
    tariff: Tariff, profile: Profile, starts_at: datetime, amount_cents: int, limit: int
) -> tuple[int, datetime]:
    minutes = minutes_for_amount(profile, amount_cents, limit)
    if minutes == 0:
        raise AmountTooLow(f"{amount_cents} does not buy a minute of parking")
    ends_at = end_after_chargeable(tariff, starts_at, timedelta(minutes=minutes))
    if ends_at is None:
        raise InvalidPeriod("no paid time to buy: parking stays free")
    return minutes, ends_at


def _minutes_used(
    tariff: Tariff, profile_name: str, starts_at: datetime, stopped_at: datetime
) -> int:
    if as_utc(stopped_at) < as_utc(starts_at):
        raise InvalidPeriod("a session cannot stop before it starts")
    # Never more than could be bought, so a late stop instant cannot raise ExceedsMaxStay.
    used = chargeable_minutes(tariff, starts_at, stopped_at)
    return min(used, max_chargeable_minutes(tariff, profile_name))


def _at_least_card_minimum(amount_cents: int, currency: str) -> int:
    # A charge of a few cents is taken at the processor's minimum rather than refused (rule 10).
    return max(amount_cents, min_charge_cents(currency)) if amount_cents > 0 else 0
