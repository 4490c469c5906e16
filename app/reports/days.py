"""Local days of the city as UTC instants: what "from 1 March to 1 April" means in a report.

A local day is not 24 hours: in Europe/Paris 28 March 2027 lasts 23 hours and 31 October 2027
lasts 25. Only the boundaries are converted, with zoneinfo, so every instant of the ledger falls
in exactly one local day whatever the clock did.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class LocalDay:
    day: date
    starts_at: datetime  # UTC, inclusive
    ends_at: datetime  # UTC, exclusive

    @property
    def length(self) -> timedelta:
        return self.ends_at - self.starts_at


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`.

    Where a clock change skips midnight itself (some zones change at 00:00), zoneinfo reads the
    missing 00:00 with the offset in force before the change, which is the first instant of the
    day; an ambiguous midnight is its first occurrence.
    """
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_days(from_date: date, to_date: date, tz: ZoneInfo) -> list[LocalDay]:
    """Each local day of [from_date, to_date) with its UTC boundaries."""
    days = []
    day, starts_at = from_date, local_midnight(from_date, tz)
    while day < to_date:
        following = day + timedelta(days=1)
        ends_at = local_midnight(following, tz)
        days.append(LocalDay(day, starts_at, ends_at))
        day, starts_at = following, ends_at
    return days


def in_chunks(days: list[LocalDay], size: int) -> Iterator[list[LocalDay]]:
    for first in range(0, len(days), size):
        yield days[first : first + size]
