"""Properties of the pricing engine over random tariffs, time zones and instants (2026-2029)."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from zones.paid_hours import HORIZON
from zones.pricing import (
    AmountTooLow,
    InvalidPeriod,
    PaidWindow,
    Profile,
    Tariff,
    chargeable_minutes,
    chargeable_time,
    end_after_chargeable,
    is_paid_at,
    max_chargeable_minutes,
    minutes_for_amount,
    next_paid_start,
    paid_intervals,
    price_cents,
    quote,
)

# Each zone with the public holidays of its place.
ZONES = {
    "Europe/Paris": ("FR", None),
    "America/New_York": ("US", "NY"),
    "Australia/Sydney": ("AU", "NSW"),
    "Asia/Kolkata": ("IN", None),
}
FIRST_INSTANT = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_MICROSECONDS = (datetime(2030, 1, 1, tzinfo=UTC) - FIRST_INSTANT) // timedelta(microseconds=1)
ONE_MICROSECOND = timedelta(microseconds=1)
PROPERTY = settings(deadline=None, max_examples=200)


def clock_change_noons() -> list[datetime]:
    """Local noon after each 2026-2029 clock change of the zones (last Sundays of March ...)."""
    noons = []
    for name in ZONES:
        noon = datetime(2026, 1, 1, 12, tzinfo=ZoneInfo(name))
        while noon.year < 2030:
            next_noon = noon + timedelta(days=1)  # same tzinfo: wall-clock arithmetic
            if next_noon.utcoffset() != noon.utcoffset():
                noons.append(next_noon)
            noon = next_noon
    return noons


CLOCK_CHANGE_NOONS = clock_change_noons()

any_instant = st.integers(0, SPAN_MICROSECONDS).map(
    lambda offset: FIRST_INSTANT + timedelta(microseconds=offset)
)
near_clock_change = st.builds(
    lambda noon, offset: noon.astimezone(UTC) + offset,
    st.sampled_from(CLOCK_CHANGE_NOONS),
    st.timedeltas(-timedelta(hours=48), timedelta(hours=24)),
)
on_the_minute = st.one_of(any_instant, near_clock_change).map(
    lambda instant: instant.replace(second=0, microsecond=0)
)
instants = st.one_of(any_instant, near_clock_change, on_the_minute)
gaps = st.one_of(
    st.timedeltas(timedelta(), timedelta(hours=3)),
    st.timedeltas(timedelta(), timedelta(days=3)),
    st.timedeltas(timedelta(), timedelta(days=60)),
)
whole_minutes = st.integers(0, 3 * 1440).map(lambda minutes: timedelta(minutes=minutes))
# 01:00-03:00 is where these zones change their clocks; edges land there often.
minutes_of_day = st.one_of(st.integers(0, 1439), st.sampled_from([0, 60, 120, 150, 180, 1380]))
windows = st.builds(
    PaidWindow,
    days=st.frozensets(st.integers(0, 6), min_size=1),
    start_minute=minutes_of_day,
    end_minute=st.one_of(st.integers(1, 1440), st.sampled_from([120, 150, 180, 1440])),
).filter(lambda window: window.start_minute != window.end_minute)


@st.composite
def profiles(draw: st.DrawFn, min_segments: int = 0) -> Profile:
    minute, cents = 0, draw(st.integers(0, 300))
    points = [(minute, cents)]
    segment = st.tuples(st.integers(1, 600), st.integers(0, 1000))
    for gap, rise in draw(st.lists(segment, min_size=min_segments, max_size=4)):
        minute, cents = minute + gap, cents + rise
        points.append((minute, cents))
    return Profile(tuple(points), max_stay_minutes=draw(st.none() | st.integers(0, 3000)))


@st.composite
def tariffs(draw: st.DrawFn) -> Tariff:
    zone = draw(st.sampled_from(sorted(ZONES)))
    country, subdivision = ZONES[zone]
    return Tariff(
        timezone=zone,
        paid_hours=tuple(draw(st.lists(windows, max_size=3))),
        free_on_public_holidays=draw(st.booleans()),
        max_stay_minutes=draw(st.integers(0, 3000)),
        grace_minutes=5,
        fps_amount_cents=3500,
        refund_unused=True,
        currency="EUR",
        profiles={"visitor": draw(profiles())},
        holiday_country=country,
        holiday_subdivision=subdivision,
    )


@contextmanager
def process_time_zone(name: str) -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def paid_by_definition(tariff: Tariff, at: datetime) -> bool:
    """Rule 1 read literally for one instant: some window of a nearby local day contains it."""
    zone = ZoneInfo(tariff.timezone)
    local_day = at.astimezone(zone).date()
    return any(
        start <= at < end
        for day in (local_day + timedelta(days=shift) for shift in range(-2, 2))
        for window in tariff.paid_hours
        if day.weekday() in window.days and not _holiday_off(tariff, day)
        for start, end in [_window_instants(zone, day, window)]
    )


def _holiday_off(tariff: Tariff, day: date) -> bool:
    calendar = _calendar(tariff.holiday_country, tariff.holiday_subdivision)
    return tariff.free_on_public_holidays and day in calendar


@cache
def _calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision)


def _window_instants(zone: ZoneInfo, day: date, window: PaidWindow) -> tuple[datetime, datetime]:
    end_day = day + timedelta(days=1) if window.end_minute <= window.start_minute else day

    def instant(on: date, minute: int) -> datetime:
        on += timedelta(days=minute // 1440)
        wall = datetime.combine(on, wall_time(minute % 1440 // 60, minute % 60), zone)
        return wall.astimezone(UTC)

    return instant(day, window.start_minute), instant(end_day, window.end_minute)


@PROPERTY
@given(tariffs(), instants, gaps, gaps)
def test_chargeable_time_is_additive(
    tariff: Tariff, start: datetime, first_gap: timedelta, second_gap: timedelta
) -> None:
    middle, end = start + first_gap, start + first_gap + second_gap

    whole = chargeable_time(tariff, start, end)

    assert whole == chargeable_time(tariff, start, middle) + chargeable_time(tariff, middle, end)


@PROPERTY
@given(tariffs(), instants, gaps)
def test_paid_intervals_are_ordered_disjoint_utc_and_within_the_period(
    tariff: Tariff, start: datetime, gap: timedelta
) -> None:
    end = start + gap

    intervals = list(paid_intervals(tariff, start, end))

    edges = [edge for interval in intervals for edge in interval]
    assert edges == sorted(edges)
    assert all(a < b for a, b in intervals)
    assert all(edge.tzinfo is UTC and start <= edge <= end for edge in edges)
    assert timedelta() <= chargeable_time(tariff, start, end) <= end - start


@PROPERTY
@given(tariffs(), instants, gaps)
def test_is_paid_at_matches_rule_one_read_literally(
    tariff: Tariff, start: datetime, gap: timedelta
) -> None:
    at = start + gap

    paid = is_paid_at(tariff, at)

    assert paid == paid_by_definition(tariff, at)


@PROPERTY
@given(profiles(min_segments=1), st.data())
def test_price_is_non_decreasing_and_exact_on_points(profile: Profile, data: st.DataObject) -> None:
    minutes = data.draw(st.integers(0, profile.last_minute - 1))

    price, next_price = price_cents(profile, minutes), price_cents(profile, minutes + 1)

    assert price <= next_price
    assert all(price_cents(profile, minute) == cents for minute, cents in profile.price_points)


@PROPERTY
@given(tariffs(), instants, gaps, gaps)
def test_chargeable_minutes_never_fall_as_the_end_moves_later(
    tariff: Tariff, start: datetime, first_gap: timedelta, second_gap: timedelta
) -> None:
    earlier_end, later_end = start + first_gap, start + first_gap + second_gap

    earlier, later = (chargeable_minutes(tariff, start, end) for end in (earlier_end, later_end))

    assert earlier <= later


@PROPERTY
@given(profiles(), st.integers(0, 5000), st.integers(0, 3000))
def test_minutes_for_amount_is_the_largest_affordable(
    profile: Profile, amount: int, max_minutes: int
) -> None:
    ceiling = min(max_minutes, profile.last_minute)
    if price_cents(profile, 0) > amount:
        return  # refused, as test_amount_below_the_first_minute_buys_nothing shows

    minutes = minutes_for_amount(profile, amount, max_minutes)

    assert 0 <= minutes <= ceiling
    assert price_cents(profile, minutes) <= amount
    assert minutes == ceiling or price_cents(profile, minutes + 1) > amount


@PROPERTY
@given(tariffs(), instants, st.integers(0, 5000))
def test_quote_by_amount_never_charges_more_and_ends_when_bought_time_is_used(
    tariff: Tariff, start: datetime, amount: int
) -> None:
    try:
        result = quote(tariff, "visitor", start, amount_cents=amount)
    except AmountTooLow:
        return
    except InvalidPeriod:  # the paid time ahead never adds up to what the amount buys
        limit = max_chargeable_minutes(tariff, "visitor")
        bought = timedelta(minutes=minutes_for_amount(tariff.profiles["visitor"], amount, limit))
        assert chargeable_time(tariff, start, start + HORIZON) < bought
        return

    assert result.amount_cents <= amount
    assert chargeable_time(tariff, start, result.ends_at) == timedelta(
        minutes=result.chargeable_minutes
    )


@PROPERTY
@given(tariffs(), instants, st.one_of(st.timedeltas(timedelta(), timedelta(days=3)), whole_minutes))
def test_end_after_chargeable_is_the_earliest_exact_end(
    tariff: Tariff, start: datetime, chargeable: timedelta
) -> None:
    end = end_after_chargeable(tariff, start, chargeable)

    if end is None:
        assert chargeable > timedelta()
        assert chargeable_time(tariff, start, start + HORIZON) < chargeable
        return
    assert chargeable_time(tariff, start, end) == chargeable
    if chargeable:
        assert chargeable_time(tariff, start, end - ONE_MICROSECOND) < chargeable
    else:
        assert end == start


@PROPERTY
@given(tariffs(), instants)
def test_next_paid_start_is_the_end_of_free_time(tariff: Tariff, at: datetime) -> None:
    free_until = next_paid_start(tariff, at)

    if free_until is None:
        assert not is_paid_at(tariff, at)
        return
    assert free_until >= at
    assert chargeable_time(tariff, at, free_until) == timedelta()
    assert is_paid_at(tariff, free_until)


@settings(deadline=None, max_examples=50)
@given(tariffs(), instants, gaps)
def test_results_do_not_depend_on_the_process_time_zone(
    tariff: Tariff, start: datetime, gap: timedelta
) -> None:
    def results() -> tuple[object, ...]:
        return (
            list(paid_intervals(tariff, start, start + gap)),
            end_after_chargeable(tariff, start, gap),
            next_paid_start(tariff, start),
            is_paid_at(tariff, start),
        )

    with process_time_zone("UTC"):
        in_utc = results()
    with process_time_zone("Pacific/Kiritimati"):
        in_kiritimati = results()

    assert in_utc == in_kiritimati
