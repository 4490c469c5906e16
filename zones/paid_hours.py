"""When parking is paid: a tariff's local wall-clock windows as UTC instants (TARIFFS.md rule 1).

Only window edges are turned into instants, by zoneinfo with fold=0: an edge inside a spring gap
moves forward by the gap, an ambiguous autumn edge is its first occurrence. Everything here walks
days and windows, never minutes, so pricing a week costs a few times what an hour does.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

from zones.pricing_errors import NaiveDatetime

if TYPE_CHECKING:
    from zones.pricing import Tariff

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
# How far ahead paid time is sought before concluding it never comes (a tariff with no windows).
HORIZON = timedelta(days=400)
ONE_DAY = timedelta(days=1)
MICROSECONDS_PER_MINUTE = 60_000_000
_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class PaidWindow:
    """Paid local wall-clock time, from `start_minute` on each of `days` (0 = Monday).

    `end_minute` 1440 is "24:00"; an end at or before the start runs overnight into the next day,
    and the window still belongs to the day it starts on (that day decides holidays).
    """

    days: frozenset[int]
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not self.days <= frozenset(range(7)):
            raise ValueError(f"window days must be within 0..6, got {sorted(self.days)}")
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            raise ValueError(f"window start minute out of range: {self.start_minute}")
        if not 0 <= self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(f"window end minute out of range: {self.end_minute}")

    @classmethod
    def parse(cls, days: Iterable[str], start: str, end: str) -> PaidWindow:
        """The tariff JSON form: `PaidWindow.parse(["mon", "tue"], "09:00", "19:00")`."""
        day_names = list(days)
        unknown = sorted(set(day_names) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekdays: {unknown}")
        start_minute = parse_hhmm(start, allow_24=False)
        end_minute = parse_hhmm(end, allow_24=True)
        if start_minute == end_minute:
            raise ValueError(f"a paid window cannot start and end at {start}")
        return cls(frozenset(WEEKDAYS.index(name) for name in day_names), start_minute, end_minute)

    @property
    def overnight(self) -> bool:
        return self.end_minute <= self.start_minute


def parse_hhmm(text: str, *, allow_24: bool) -> int:
    """Minutes after local midnight of "HH:MM"; "24:00" (1440) only where an end is meant."""
    match = _HHMM.fullmatch(text)
    if match is None:
        raise ValueError(f"expected HH:MM, got {text!r}")
    hours, minutes = int(match[1]), int(match[2])
    if allow_24 and (hours, minutes) == (24, 0):
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise ValueError(f"not a time of day: {text!r}")
    return hours * 60 + minutes


def as_utc(instant: datetime) -> datetime:
    """`instant` as an aware UTC datetime; a naive one is refused, its zone would be a guess."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetime(f"{instant.isoformat()} has no time zone")
    return instant.astimezone(UTC)


def paid_intervals(tariff: Tariff, start: datetime, end: datetime) -> Iterator[Interval]:
    """The paid parts of `[start, end)`: disjoint UTC intervals, in order."""
    return _merged(_paid_pieces(tariff, start, end))


def _paid_pieces(tariff: Tariff, start: datetime, end: datetime) -> Iterator[Interval]:
    """The windows of `[start, end)` clipped to it, ordered by start; they may still overlap."""
    start, end = as_utc(start), as_utc(end)
    zone = ZoneInfo(tariff.timezone)
    # Two days back: an overnight window of the day before may still be running at `start`.
    first_day = start.astimezone(zone).date() - 2 * ONE_DAY
    last_day = end.astimezone(zone).date() + ONE_DAY
    windows = _windows_by_start(tariff, zone, first_day, last_day)
    return _clipped(windows, start, end)


def _new_parts(pieces: Iterator[Interval]) -> Iterator[Interval]:
    """Each piece less what earlier pieces covered: disjoint, in order, yielded at once.

    `_merged` must read on to the next gap before it yields; in a zone paid around the clock
    that gap is `HORIZON` away, and a walk that stops after a few hours would read 400 days.
    Pieces come ordered by start, so everything between the latest start and the furthest end
    seen is covered: the new part of a piece is what lies past that end.
    """
    covered_until: datetime | None = None
    for piece_start, piece_end in pieces:
        if covered_until is not None:
            piece_start = max(piece_start, covered_until)
        if piece_start < piece_end:
            covered_until = piece_end
            yield piece_start, piece_end


def chargeable_time(tariff: Tariff, start: datetime, end: datetime) -> timedelta:
    """Real elapsed time of `[start, end)` inside paid windows (rule 1), to the microsecond."""
    return sum((b - a for a, b in paid_intervals(tariff, start, end)), timedelta())


def chargeable_minutes(tariff: Tariff, start: datetime, end: datetime) -> int:
    """Chargeable time in minutes, rounded up (rule 2)."""
    microseconds = chargeable_time(tariff, start, end) // timedelta(microseconds=1)
    return -(-microseconds // MICROSECONDS_PER_MINUTE)


def end_after_chargeable(tariff: Tariff, start: datetime, chargeable: timedelta) -> datetime | None:
    """The earliest instant by which `[start, end)` holds `chargeable` paid time.

    Time bought in free time carries on into the next window. None when the tariff does not
    accumulate that much paid time within `HORIZON`.
    """
    start = as_utc(start)
    if chargeable < timedelta():
        raise ValueError(f"chargeable time cannot be negative: {chargeable}")
    remaining = chargeable
    if not remaining:
        return start
    for piece_start, piece_end in _new_parts(_paid_pieces(tariff, start, start + HORIZON)):
        if piece_end - piece_start >= remaining:
            return piece_start + remaining
        remaining -= piece_end - piece_start
    return None


def is_paid_at(tariff: Tariff, at: datetime) -> bool:
    """Whether parking is paid at the instant `at`."""
    at = as_utc(at)
    return next(paid_intervals(tariff, at, at + timedelta(microseconds=1)), None) is not None


def next_paid_start(tariff: Tariff, at: datetime) -> datetime | None:
    """The first paid instant at or after `at` (`at` itself when it is paid): "free until ...".

    None when no paid time comes within `HORIZON`.
    """
    at = as_utc(at)
    first = next(_paid_pieces(tariff, at, at + HORIZON), None)
    return None if first is None else first[0]


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None) -> holidays.HolidayBase:
    # Building a calendar is slow; `in` then fills it lazily one year at a time.
    return holidays.country_holidays(country, subdiv=subdivision)


def _windows_by_start(
    tariff: Tariff, zone: ZoneInfo, first_day: date, last_day: date
) -> Iterator[Interval]:
    """The windows starting on local days `first_day`..`last_day`, ordered by start instant."""
    pending: list[Interval] = []
    day = first_day
    while day <= last_day:
        for window in _windows_of_day(tariff, zone, day):
            heapq.heappush(pending, window)
        day += ONE_DAY
        # A later day's windows start after its local midnight less a UTC offset below one day.
        settled = datetime.combine(day, time(), UTC) - ONE_DAY
        while pending and pending[0][0] < settled:
            yield heapq.heappop(pending)
    while pending:
        yield heapq.heappop(pending)


def _windows_of_day(tariff: Tariff, zone: ZoneInfo, day: date) -> Iterator[Interval]:
    windows = [window for window in tariff.paid_hours if day.weekday() in window.days]
    if not windows or (tariff.free_on_public_holidays and _is_holiday(tariff, day)):
        return
    for window in windows:
        start = _edge(zone, day, window.start_minute)
        yield start, _edge(zone, day + ONE_DAY if window.overnight else day, window.end_minute)


def _is_holiday(tariff: Tariff, day: date) -> bool:
    return day in _public_holidays(tariff.holiday_country, tariff.holiday_subdivision)


def _edge(zone: ZoneInfo, day: date, minute: int) -> datetime:
    extra_days, minute = divmod(minute, MINUTES_PER_DAY)
    wall = datetime.combine(day + extra_days * ONE_DAY, time(minute // 60, minute % 60), zone)
    return wall.astimezone(UTC)


def _clipped(windows: Iterator[Interval], start: datetime, end: datetime) -> Iterator[Interval]:
    for window_start, window_end in windows:
        if window_start >= end:
            return
        piece = (max(window_start, start), min(window_end, end))
        # Also drops a window whose start a spring gap moved past its end (02:30-03:00 that night).
        if piece[0] < piece[1]:
            yield piece


def _merged(pieces: Iterator[Interval]) -> Iterator[Interval]:
    # Overnight windows may overlap the next day's: paid time is never counted twice.
    current: Interval | None = None
    for piece_start, piece_end in pieces:
        if current is not None and piece_start <= current[1]:
            current = (current[0], max(current[1], piece_end))
            continue
        if current is not None:
            yield current
        current = (piece_start, piece_end)
    if current is not None:
        yield current
