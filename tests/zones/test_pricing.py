"""The pricing engine against TARIFFS.md's worked examples and the clock-change edge cases."""

import copy
import pickle
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zones.pricing import (
    AmountTooLow,
    BelowMinimumCharge,
    ExceedsMaxStay,
    InvalidPeriod,
    NaiveDatetime,
    PaidWindow,
    Profile,
    Tariff,
    UnknownProfile,
    UnsupportedCurrency,
    chargeable_minutes,
    chargeable_time,
    end_after_chargeable,
    is_paid_at,
    max_chargeable_minutes,
    max_ends_at,
    min_charge_cents,
    minutes_for_amount,
    next_paid_start,
    open_ended_authorisation_cents,
    open_ended_capture_cents,
    open_ended_ends_at,
    paid_intervals,
    parse_hhmm,
    price_cents,
    quote,
    refund_on_stop,
    require_card_minimum,
)

PARIS = ZoneInfo("Europe/Paris")
VISITOR = Profile(((0, 0), (60, 240), (120, 600)))
RESIDENT = Profile(((0, 0), (600, 150), (3000, 750)), max_stay_minutes=3000)
# The version of TARIFFS.md that every worked example uses.
CITY = Tariff(
    timezone="Europe/Paris",
    paid_hours=(PaidWindow.parse(["mon", "tue", "wed", "thu", "fri", "sat"], "09:00", "19:00"),),
    free_on_public_holidays=True,
    max_stay_minutes=120,
    grace_minutes=5,
    fps_amount_cents=3500,
    refund_unused=True,
    currency="EUR",
    profiles={"visitor": VISITOR, "resident": RESIDENT},
)
ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Every day 00:00-24:00, one cent a minute: chargeable time shows the length of a local day.
ROUND_THE_CLOCK = replace(
    CITY,
    paid_hours=(PaidWindow.parse(ALL_DAYS, "00:00", "24:00"),),
    max_stay_minutes=2880,
    profiles={"visitor": Profile(((0, 0), (2880, 2880)))},
)
FREE_FIRST_15 = Profile(((0, 0), (15, 0), (60, 200)))
DAY_CAP = Profile(((0, 0), (60, 240), (240, 900), (1440, 900)))


def paris(*fields: int, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=PARIS, fold=fold)


def with_windows(*windows: PaidWindow, tariff: Tariff = CITY) -> Tariff:
    return replace(tariff, paid_hours=windows)


@pytest.mark.parametrize(
    ("starts_at", "length", "minutes", "amount"),
    [
        pytest.param(paris(2027, 3, 2, 10), timedelta(minutes=30), 30, 120, id="case-1"),
        pytest.param(paris(2027, 3, 2, 10), timedelta(minutes=7), 7, 28, id="case-2"),
        pytest.param(paris(2027, 3, 2, 10), timedelta(minutes=61), 61, 246, id="case-3"),
        pytest.param(paris(2027, 3, 2, 10), timedelta(minutes=90), 90, 420, id="case-4"),
        pytest.param(paris(2027, 3, 6, 18, 30), paris(2027, 3, 8, 9, 30), 60, 240, id="case-6"),
        pytest.param(paris(2027, 5, 1, 10), timedelta(minutes=60), 0, 0, id="case-7-holiday"),
        pytest.param(paris(2027, 3, 2, 10), paris(2027, 3, 2, 11, 30), 90, 420, id="case-8-total"),
    ],
)
def test_worked_examples_price_to_the_cent(
    starts_at: datetime, length: timedelta | datetime, minutes: int, amount: int
) -> None:
    end = {"duration": length} if isinstance(length, timedelta) else {"ends_at": length}

    result = quote(CITY, "visitor", starts_at, **end)

    assert (result.chargeable_minutes, result.amount_cents) == (minutes, amount)


def test_quote_beyond_max_stay_is_refused() -> None:
    with pytest.raises(ExceedsMaxStay) as refused:
        quote(CITY, "visitor", paris(2027, 3, 2, 10), duration=timedelta(minutes=150))

    assert refused.value.reason == "exceeds_max_stay"


def test_extension_charges_only_the_difference() -> None:
    first = quote(CITY, "visitor", paris(2027, 3, 2, 10), duration=timedelta(minutes=30))

    extended = quote(CITY, "visitor", paris(2027, 3, 2, 10), ends_at=paris(2027, 3, 2, 11, 30))

    assert extended.amount_cents - first.amount_cents == 300


def test_quote_by_amount_buys_the_most_minutes_within_it() -> None:
    result = quote(CITY, "visitor", paris(2027, 3, 2, 10), amount_cents=500)

    assert (result.chargeable_minutes, result.amount_cents) == (103, 498)
    assert result.ends_at == paris(2027, 3, 2, 11, 43)


def test_quote_by_amount_in_free_time_ends_in_the_next_window() -> None:
    result = quote(CITY, "visitor", paris(2027, 3, 6, 18, 30), amount_cents=240)

    assert result.ends_at == paris(2027, 3, 8, 9, 30)


def test_quote_shows_max_end_card_minimum_and_fine() -> None:
    result = quote(CITY, "visitor", paris(2027, 3, 2, 10), duration=timedelta(minutes=7))

    assert result.max_ends_at == paris(2027, 3, 2, 12)
    assert (result.min_charge_cents, result.fps_amount_cents) == (50, 3500)
    assert result.currency == "EUR"


@pytest.mark.parametrize(
    ("refund_unused", "kept_and_refunded"),
    [pytest.param(True, (164, 436), id="case-10"), pytest.param(False, (600, 0), id="no-refund")],
)
def test_stop_early_keeps_the_price_of_the_minutes_used(
    refund_unused: bool, kept_and_refunded: tuple[int, int]
) -> None:
    tariff = replace(CITY, refund_unused=refund_unused)

    split = refund_on_stop(
        tariff, "visitor", paris(2027, 3, 2, 10), paris(2027, 3, 2, 10, 40, 30), 600
    )

    assert split == kept_and_refunded


def test_open_ended_session_captures_the_time_used() -> None:
    authorised = open_ended_authorisation_cents(CITY, "visitor")

    captured = open_ended_capture_cents(
        CITY, "visitor", paris(2027, 3, 2, 10), paris(2027, 3, 2, 11)
    )

    assert (authorised, captured) == (600, 240)


def test_open_ended_session_never_stopped_ends_at_max_stay() -> None:
    starts_at = paris(2027, 3, 2, 18)

    ends_at = open_ended_ends_at(CITY, "visitor", starts_at)

    assert ends_at == paris(2027, 3, 3, 10)
    assert open_ended_capture_cents(CITY, "visitor", starts_at, paris(2027, 3, 9)) == 600


def test_open_ended_session_ends_before_the_card_hold_lapses() -> None:
    starts_at = paris(2027, 7, 13, 10)  # Wednesday 14 July is a holiday: 50 h take 7 days

    ends_at = open_ended_ends_at(CITY, "resident", starts_at)

    assert ends_at == starts_at + timedelta(days=6)
    assert max_ends_at(CITY, "resident", starts_at) > ends_at


def test_open_ended_capture_below_card_minimum_is_raised_to_it() -> None:
    captured = open_ended_capture_cents(
        CITY, "visitor", paris(2027, 3, 2, 10), paris(2027, 3, 2, 10, 7)
    )

    assert captured == 50


@pytest.mark.parametrize("amount_due", [1, 49])
def test_amount_due_below_card_minimum_is_refused(amount_due: int) -> None:
    with pytest.raises(BelowMinimumCharge) as refused:
        require_card_minimum(amount_due, "EUR")

    assert refused.value.reason == "below_minimum_charge"


@pytest.mark.parametrize("amount_due", [0, 50, 300])
def test_nothing_due_or_the_card_minimum_is_accepted(amount_due: int) -> None:
    result = require_card_minimum(amount_due, "EUR")

    assert result is None


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "minutes"),
    [
        pytest.param(paris(2027, 3, 27, 12), paris(2027, 3, 28, 12), 1380, id="spring-23h"),
        pytest.param(paris(2027, 10, 30, 12), paris(2027, 10, 31, 12), 1500, id="autumn-25h"),
    ],
)
def test_a_local_day_lasts_its_real_length_across_clock_changes(
    starts_at: datetime, ends_at: datetime, minutes: int
) -> None:
    result = quote(ROUND_THE_CLOCK, "visitor", starts_at, ends_at=ends_at)

    assert (result.chargeable_minutes, result.amount_cents) == (minutes, minutes)


@pytest.mark.parametrize(
    ("at", "paid", "free_until"),
    [
        pytest.param(paris(2027, 3, 7, 12), False, paris(2027, 3, 8, 9), id="sunday-free"),
        pytest.param(paris(2027, 3, 2, 10, 20), True, paris(2027, 3, 2, 10, 20), id="tue-paid"),
        pytest.param(paris(2027, 3, 2, 19), False, paris(2027, 3, 3, 9), id="window-end"),
        pytest.param(paris(2027, 4, 30, 20), False, paris(2027, 5, 3, 9), id="holiday-saturday"),
    ],
)
def test_enforcement_sees_when_parking_is_paid(
    at: datetime, paid: bool, free_until: datetime
) -> None:
    result = (is_paid_at(CITY, at), next_paid_start(CITY, at))

    assert result == (paid, free_until)


OVERNIGHT_FRIDAY = PaidWindow.parse(["fri"], "20:00", "02:00")
OVERNIGHT_THU_FRI = PaidWindow.parse(["thu", "fri"], "20:00", "02:00")
SPRING_GAP_EDGE = PaidWindow.parse(ALL_DAYS, "02:30", "05:00")
AUTUMN_AMBIGUOUS_END = PaidWindow.parse(ALL_DAYS, "00:00", "02:30")


@pytest.mark.parametrize(
    ("window", "starts_at", "ends_at", "minutes"),
    [
        pytest.param(
            OVERNIGHT_FRIDAY, paris(2027, 3, 5, 19), paris(2027, 3, 6, 3), 360, id="friday-night"
        ),
        pytest.param(
            OVERNIGHT_FRIDAY, paris(2027, 3, 6, 19), paris(2027, 3, 7, 3), 0, id="saturday-night"
        ),
        pytest.param(
            OVERNIGHT_FRIDAY, paris(2027, 1, 1, 19), paris(2027, 1, 2, 3), 0, id="holiday-start"
        ),
        pytest.param(
            OVERNIGHT_THU_FRI,
            paris(2026, 12, 24, 19),
            paris(2026, 12, 26, 3),
            360,
            id="runs-into-holiday",
        ),
        pytest.param(
            SPRING_GAP_EDGE, paris(2027, 3, 27, 23), paris(2027, 3, 28, 6), 90, id="spring-gap"
        ),
        pytest.param(
            SPRING_GAP_EDGE, paris(2027, 10, 30, 23), paris(2027, 10, 31, 6), 210, id="autumn-start"
        ),
        pytest.param(
            AUTUMN_AMBIGUOUS_END,
            paris(2027, 10, 30, 23),
            paris(2027, 10, 31, 6),
            150,
            id="autumn-end",
        ),
    ],
)
def test_windows_belong_to_their_start_day_and_convert_only_their_edges(
    window: PaidWindow, starts_at: datetime, ends_at: datetime, minutes: int
) -> None:
    tariff = with_windows(window)

    result = chargeable_minutes(tariff, starts_at, ends_at)

    assert result == minutes


def test_window_edge_in_spring_gap_moves_forward() -> None:
    tariff = with_windows(SPRING_GAP_EDGE)

    free_until = next_paid_start(tariff, paris(2027, 3, 28, 1))

    assert free_until == paris(2027, 3, 28, 3, 30)
    assert free_until == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert not is_paid_at(tariff, paris(2027, 3, 28, 3, 15))


def test_ambiguous_window_edge_is_its_first_occurrence() -> None:
    tariff = with_windows(AUTUMN_AMBIGUOUS_END)

    first, second = paris(2027, 10, 31, 2, 20), paris(2027, 10, 31, 2, 20, fold=1)

    assert (is_paid_at(tariff, first), is_paid_at(tariff, second)) == (True, False)
    assert next_paid_start(tariff, second) == paris(2027, 11, 2, 0)  # All Saints' Day is free


def test_window_squeezed_out_by_spring_gap_is_free() -> None:
    tariff = with_windows(PaidWindow.parse(ALL_DAYS, "02:30", "03:00"))

    result = chargeable_time(tariff, paris(2027, 3, 28, 0), paris(2027, 3, 28, 6))

    assert result == timedelta()


def test_duration_is_real_elapsed_time_across_the_clock_change() -> None:
    starts_at = paris(2027, 3, 28, 1, 30)

    result = quote(ROUND_THE_CLOCK, "visitor", starts_at, duration=timedelta(minutes=120))

    assert result.ends_at == paris(2027, 3, 28, 4, 30)
    assert result.chargeable_minutes == 120


def test_overlapping_overnight_windows_are_not_counted_twice() -> None:
    tariff = with_windows(OVERNIGHT_FRIDAY, PaidWindow.parse(["sat"], "01:00", "03:00"))

    result = chargeable_minutes(tariff, paris(2027, 3, 5, 12), paris(2027, 3, 6, 12))

    assert result == 7 * 60


def test_window_with_equal_edges_lasts_a_day_and_terminates() -> None:
    tariff = with_windows(PaidWindow(frozenset({1}), 540, 540))

    result = chargeable_time(tariff, paris(2027, 3, 1), paris(2027, 3, 8))

    assert result == timedelta(days=1)


@pytest.mark.parametrize(
    ("minutes", "cents"),
    [(0, 0), (10, 0), (15, 0), (16, 5), (37, 98), (60, 200)],
)
def test_free_first_minutes_profile(minutes: int, cents: int) -> None:
    result = price_cents(FREE_FIRST_15, minutes)

    assert result == cents


def test_free_first_minutes_are_bought_for_nothing() -> None:
    result = minutes_for_amount(FREE_FIRST_15, 0, 60)

    assert result == 15


@pytest.mark.parametrize(
    ("minutes", "cents"),
    [(60, 240), (61, 244), (240, 900), (241, 900), (1440, 900)],
)
def test_day_cap_profile_stops_rising(minutes: int, cents: int) -> None:
    result = price_cents(DAY_CAP, minutes)

    assert result == cents


def test_day_cap_amount_buys_the_whole_day() -> None:
    result = minutes_for_amount(DAY_CAP, 900, 1440)

    assert result == 1440


@pytest.mark.parametrize(("minutes", "cents"), [(0, 0), (1, 4), (60, 240), (61, 246), (120, 600)])
def test_price_on_and_between_points(minutes: int, cents: int) -> None:
    result = price_cents(VISITOR, minutes)

    assert result == cents


def test_price_beyond_the_last_point_exceeds_max_stay() -> None:
    with pytest.raises(ExceedsMaxStay):
        price_cents(VISITOR, 121)


def test_max_chargeable_minutes_takes_profile_override_and_last_point() -> None:
    tariff = replace(CITY, max_stay_minutes=500)

    limits = (max_chargeable_minutes(tariff, "visitor"), max_chargeable_minutes(tariff, "resident"))

    assert limits == (120, 3000)


def test_amount_below_the_first_minute_buys_nothing() -> None:
    with pytest.raises(AmountTooLow):
        quote(CITY, "visitor", paris(2027, 3, 2, 10), amount_cents=3)


def test_tariff_without_paid_time_never_ends_a_purchase() -> None:
    tariff, starts_at = with_windows(), paris(2027, 3, 2, 10)

    ends = (
        end_after_chargeable(tariff, starts_at, timedelta(minutes=1)),
        next_paid_start(tariff, starts_at),
        max_ends_at(tariff, "visitor", starts_at),
        end_after_chargeable(tariff, starts_at, timedelta()),
    )

    assert ends == (None, None, None, starts_at)


@pytest.mark.parametrize(
    ("text", "allow_24", "minutes"),
    [("00:00", False, 0), ("09:30", False, 570), ("23:59", True, 1439), ("24:00", True, 1440)],
)
def test_parse_hhmm_reads_minutes_after_midnight(text: str, allow_24: bool, minutes: int) -> None:
    result = parse_hhmm(text, allow_24=allow_24)

    assert result == minutes


@pytest.mark.parametrize("text", ["24:00", "9:30", "12:60", "25:00", "ab:cd", "09:30:00", ""])
def test_parse_hhmm_refuses_what_is_not_a_time(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM|time of day"):
        parse_hhmm(text, allow_24=False)


def test_window_from_json_refuses_equal_edges_and_unknown_days() -> None:
    with pytest.raises(ValueError, match="start and end"):
        PaidWindow.parse(["mon"], "09:00", "09:00")
    with pytest.raises(ValueError, match="unknown weekdays"):
        PaidWindow.parse(["monday"], "09:00", "10:00")


AWARE = paris(2027, 3, 2, 10)
NAIVE = AWARE.replace(tzinfo=None)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: list(paid_intervals(CITY, NAIVE, AWARE)), id="paid_intervals"),
        pytest.param(lambda: chargeable_time(CITY, AWARE, NAIVE), id="chargeable_time"),
        pytest.param(lambda: chargeable_minutes(CITY, NAIVE, AWARE), id="chargeable_minutes"),
        pytest.param(lambda: end_after_chargeable(CITY, NAIVE, timedelta()), id="end_after"),
        pytest.param(lambda: max_ends_at(CITY, "visitor", NAIVE), id="max_ends_at"),
        pytest.param(lambda: is_paid_at(CITY, NAIVE), id="is_paid_at"),
        pytest.param(lambda: next_paid_start(CITY, NAIVE), id="next_paid_start"),
        pytest.param(lambda: quote(CITY, "visitor", NAIVE, ends_at=AWARE), id="quote-start"),
        pytest.param(lambda: quote(CITY, "visitor", AWARE, ends_at=NAIVE), id="quote-end"),
        pytest.param(lambda: refund_on_stop(CITY, "visitor", AWARE, NAIVE, 600), id="refund"),
        pytest.param(lambda: open_ended_ends_at(CITY, "visitor", NAIVE), id="open-ended"),
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(NaiveDatetime) as refused:
        call()

    assert refused.value.reason == "naive_datetime"


@pytest.mark.parametrize(
    ("arguments", "error", "reason"),
    [
        pytest.param({"ends_at": AWARE}, InvalidPeriod, "invalid_period", id="empty"),
        pytest.param(
            {"duration": -timedelta(minutes=1)}, InvalidPeriod, "invalid_period", id="neg"
        ),
        pytest.param({"amount_cents": 0}, AmountTooLow, "amount_too_low", id="zero-amount"),
    ],
)
def test_quote_refuses_periods_that_buy_nothing(
    arguments: dict[str, object], error: type[Exception], reason: str
) -> None:
    with pytest.raises(error) as refused:
        quote(CITY, "visitor", AWARE, **arguments)

    assert refused.value.reason == reason


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(UnknownProfile) as refused:
        quote(CITY, "disabled", AWARE, duration=timedelta(minutes=30))

    assert refused.value.reason == "unknown_profile"


def test_quote_takes_exactly_one_way_to_end() -> None:
    with pytest.raises(TypeError):
        quote(CITY, "visitor", AWARE, duration=timedelta(minutes=30), amount_cents=100)


@pytest.mark.parametrize(("currency", "cents"), [("EUR", 50), ("usd", 50), ("GBP", 30)])
def test_card_minimum_per_currency(currency: str, cents: int) -> None:
    result = min_charge_cents(currency)

    assert result == cents


def test_unknown_currency_has_no_card_minimum() -> None:
    with pytest.raises(UnsupportedCurrency):
        min_charge_cents("XTS")


def test_results_are_aware_utc_instants() -> None:
    result = quote(CITY, "visitor", AWARE, duration=timedelta(minutes=30))

    assert {result.starts_at.tzinfo, result.ends_at.tzinfo, result.max_ends_at.tzinfo} == {UTC}
    assert all(
        edge.tzinfo is UTC
        for interval in paid_intervals(CITY, AWARE, AWARE + timedelta(days=3))
        for edge in interval
    )


def test_pricing_ignores_the_wall_clock() -> None:
    def priced_now() -> tuple[int, datetime]:
        result = quote(CITY, "visitor", paris(2027, 3, 2, 18), amount_cents=500)
        return result.amount_cents, result.ends_at

    with time_machine.travel(datetime(2020, 1, 1, tzinfo=UTC), tick=False):
        in_2020 = priced_now()
    with time_machine.travel(datetime(2031, 7, 14, 23, 59, tzinfo=UTC), tick=False):
        in_2031 = priced_now()

    assert in_2020 == in_2031 == (498, paris(2027, 3, 3, 9, 43))


def test_time_bought_to_the_end_of_a_window_ends_with_it() -> None:
    starts_at = paris(2027, 3, 2, 18)

    ends_at = end_after_chargeable(CITY, starts_at, timedelta(minutes=60))

    assert ends_at == paris(2027, 3, 2, 19)


def test_tariff_survives_pickling_and_deep_copy() -> None:
    copies = (pickle.loads(pickle.dumps(CITY)), copy.deepcopy(CITY))

    assert all(tariff == CITY and hash(tariff) == hash(CITY) for tariff in copies)
    assert all(tariff.profiles["resident"] == RESIDENT for tariff in copies)


def test_walks_in_a_zone_paid_around_the_clock_read_only_the_days_they_need(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Paid time never pauses there, so merging windows would read to the 400-day horizon
    # before answering a four-hour session's end: the walk must stop when it has its answer.
    from zones import paid_hours

    days_read: list[object] = []
    read_day = paid_hours._windows_of_day
    monkeypatch.setattr(
        paid_hours, "_windows_of_day", lambda *args: (days_read.append(args[2]), read_day(*args))[1]
    )
    start = paris(2027, 3, 27, 22)  # the night before the spring clock change

    assert end_after_chargeable(ROUND_THE_CLOCK, start, timedelta(hours=4)) == paris(2027, 3, 28, 3)
    assert next_paid_start(ROUND_THE_CLOCK, start) == start
    assert len(days_read) < 10
