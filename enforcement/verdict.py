"""What a plate check answers (CONTRACT.md, Enforcement; TARIFFS.md's example), as pure rules.

The first status that applies: `paid`, `free`, `grace`, `unpaid`. No database and no clock: the
caller passes `at`, the plate's sessions, the end of its exempting permit and the tariff, which
is what lets the boundaries (the grace minute, a session's last instant) be tested as tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from zones.pricing import Tariff, is_paid_at, next_paid_start


@dataclass(frozen=True)
class Cover:
    """A session whose payment succeeded: it covers its plate over `[covered_from, end)`."""

    session_id: uuid.UUID
    starts_at: datetime
    covered_from: datetime
    ends_at: datetime | None  # null while an open-ended session runs
    max_ends_at: datetime
    currency: str

    @property
    def end(self) -> datetime:
        return self.ends_at if self.ends_at is not None else self.max_ends_at


@dataclass(frozen=True)
class Verdict:
    status: str
    valid_until: datetime | None = None
    grace_until: datetime | None = None
    # The plate's latest paid session of the local day: the proof that reduces a fee (FPS).
    last_session: Cover | None = None


def verdict(
    at: datetime,
    covers: Sequence[Cover],
    permit_until: datetime | None,
    tariff: Tariff | None,
    timezone: str,
) -> Verdict:
    """The answer for one plate at `at`; `tariff` None means no tariff is in force (free)."""
    last = last_paid_session(covers, at, timezone)
    ends = [end for end in (permit_until, covered_until(covers, at)) if end is not None]
    if ends:
        return Verdict("paid", valid_until=max(ends), last_session=last)
    if tariff is None or not is_paid_at(tariff, at):
        free_until = next_paid_start(tariff, at) if tariff is not None else None
        return Verdict("free", valid_until=free_until, last_session=last)
    grace_until = _grace_until(covers, at, tariff.grace_minutes)
    if grace_until is not None:
        return Verdict("grace", grace_until=grace_until, last_session=last)
    return Verdict("unpaid", last_session=last)


def covered_until(covers: Sequence[Cover], at: datetime) -> datetime | None:
    """The end of the coverage holding `at`, following back-to-back sessions to the last one."""
    until: datetime | None = None
    for cover in sorted(covers, key=lambda cover: cover.covered_from):
        if until is None and cover.covered_from <= at < cover.end:
            until = cover.end
        elif until is not None and cover.covered_from <= until < cover.end:
            until = cover.end  # covered from the very instant the chain would end
    return until


def _grace_until(covers: Sequence[Cover], at: datetime, grace_minutes: int) -> datetime | None:
    ends = [cover.end for cover in covers if cover.covered_from < cover.end <= at]
    if not ends or grace_minutes <= 0:
        return None
    until = max(ends) + timedelta(minutes=grace_minutes)
    return until if at < until else None


def last_paid_session(covers: Sequence[Cover], at: datetime, timezone: str) -> Cover | None:
    """The latest session that started on `at`'s local day, not after `at`, and was paid by then."""
    day_start = local_day_start(at, timezone)
    today = [c for c in covers if day_start <= c.starts_at <= at and c.covered_from <= at]
    return max(today, key=lambda cover: cover.starts_at, default=None)


def local_day_start(at: datetime, timezone: str) -> datetime:
    zone = ZoneInfo(timezone)
    return datetime.combine(at.astimezone(zone).date(), time(), tzinfo=zone)


def relevant_since(at: datetime, tariff: Tariff | None, timezone: str) -> datetime:
    """Every session that can change the answer at `at` still held time at this instant or later:
    one covering `at` or continuing its chain ends after `at`, the one granting grace ended
    within the grace, the day's last payment started at or after the local midnight (and a
    session's `held_until` is never before its end nor its start)."""
    grace = timedelta(minutes=tariff.grace_minutes if tariff is not None else 0)
    return min(at - grace, local_day_start(at, timezone))
