"""The checks of a tariff document's `paid_hours` and `profiles` (TARIFFS.md), with plain words.

Each function returns the part as stored (the shape `zones.services.tariff_from_rules` reads) or
raises `RulesError` with every problem found, each message starting with where it is.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from zones.paid_hours import MINUTES_PER_DAY, WEEKDAYS, PaidWindow, parse_hhmm
from zones.pricing import VISITOR

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# A stay is bought for at most a week (a card hold lasts about 7 days).
MAX_STAY_MINUTES = MINUTES_PER_WEEK
MAX_PRICE_POINTS = 200
MAX_CENTS = 10_000_000
MAX_PROFILES = 20
PROFILE_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
WINDOW_KEYS = frozenset({"days", "from", "to"})
PROFILE_KEYS = frozenset({"price_points", "max_stay_minutes"})


class RulesError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def clean_paid_hours(value: Any) -> list[dict[str, Any]]:
    """Windows `{days, from, to}`; two windows may not cover the same minute of the week."""
    if not isinstance(value, list):
        raise RulesError(["Must be a list of windows {days, from, to}."])
    windows, messages = [], []
    for i, raw in enumerate(value):
        try:
            windows.append(_window(raw, f"[{i}]"))
        except RulesError as exc:
            messages += exc.messages
    if messages:
        raise RulesError(messages)
    _check_no_overlap(windows)
    return windows


def _window(raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != WINDOW_KEYS:
        raise RulesError([f"{path}: a window is exactly {{days, from, to}}."])
    days, start, end = raw["days"], raw["from"], raw["to"]
    messages = []
    if not isinstance(days, list) or not days or not all(isinstance(d, str) for d in days):
        messages.append(f"{path}.days: a non-empty list of {', '.join(WEEKDAYS)}.")
    elif unknown := sorted(set(days) - set(WEEKDAYS), key=str):
        messages.append(f"{path}.days: unknown days {unknown}; use {', '.join(WEEKDAYS)}.")
    elif len(set(days)) != len(days):
        messages.append(f"{path}.days: a day is repeated.")
    messages += _time_messages(start, f"{path}.from", allow_24=False)
    messages += _time_messages(end, f"{path}.to", allow_24=True)
    if not messages and start == end:
        messages.append(f"{path}: a window cannot start and end at {start}.")
    if messages:
        raise RulesError(messages)
    return {"days": [day for day in WEEKDAYS if day in days], "from": start, "to": end}


def _time_messages(value: Any, path: str, *, allow_24: bool) -> list[str]:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        parse_hhmm(value, allow_24=allow_24)
    except ValueError:
        limit = "00:00 to 24:00 (24:00 only as an end)" if allow_24 else "00:00 to 23:59"
        return [f"{path}: {value!r} is not a time HH:MM from {limit}."]
    return []


def _check_no_overlap(windows: list[dict[str, Any]]) -> None:
    """Lay every window on a week of minutes (overnight ones spill into the next day)."""
    spans = []
    for i, window in enumerate(windows):
        parsed = PaidWindow.parse(window["days"], window["from"], window["to"])
        length = (parsed.end_minute - parsed.start_minute) % MINUTES_PER_DAY or MINUTES_PER_DAY
        for day in parsed.days:
            start = day * MINUTES_PER_DAY + parsed.start_minute
            spans.append((start, start + length, i))
            if start + length > MINUTES_PER_WEEK:  # Sunday night runs into Monday morning
                spans.append((start - MINUTES_PER_WEEK, start + length - MINUTES_PER_WEEK, i))
    messages, reach = set(), None
    for start, end, i in sorted(spans):
        if reach is not None and start < reach[0]:
            day = WEEKDAYS[(start // MINUTES_PER_DAY) % 7]
            messages.add(f"windows [{reach[1]}] and [{i}] overlap on {day}.")
        if reach is None or end > reach[0]:
            reach = (end, i)
    if messages:
        raise RulesError(sorted(messages))


def clean_profiles(value: Any) -> dict[str, dict[str, Any]]:
    """Price profiles by name; `visitor` is required (it is the default)."""
    if not isinstance(value, dict) or not value:
        raise RulesError(["Must be an object of profiles by name, with a visitor profile."])
    messages = [] if VISITOR in value else [f"The {VISITOR} profile is required."]
    if len(value) > MAX_PROFILES:
        messages.append(f"At most {MAX_PROFILES} profiles.")
    profiles = {}
    for name, raw in value.items():
        if not PROFILE_NAME.fullmatch(name):
            messages.append(f"{name!r}: a profile name is lower-case letters, digits and _.")
            continue
        try:
            profiles[name] = _profile(raw, name)
        except RulesError as exc:
            messages += exc.messages
    if messages:
        raise RulesError(messages)
    return profiles


def _profile(raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or "price_points" not in raw or set(raw) - PROFILE_KEYS:
        raise RulesError([f"{path}: a profile is {{price_points, max_stay_minutes?}}."])
    profile: dict[str, Any] = {"price_points": _price_points(raw["price_points"], path)}
    if "max_stay_minutes" in raw:
        max_stay = raw["max_stay_minutes"]
        if not _is_int(max_stay) or not 1 <= max_stay <= MAX_STAY_MINUTES:
            raise RulesError([f"{path}.max_stay_minutes: a whole number 1..{MAX_STAY_MINUTES}."])
        profile["max_stay_minutes"] = max_stay
    return profile


def _price_points(raw: Any, path: str) -> list[list[int]]:
    path = f"{path}.price_points"
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_PRICE_POINTS:
        raise RulesError([f"{path}: a list of 1 to {MAX_PRICE_POINTS} [minute, cents] points."])
    for i, point in enumerate(raw):
        if not isinstance(point, list) or len(point) != 2 or not all(map(_is_int, point)):
            raise RulesError([f"{path}[{i}]: a point is [minute, cents], two whole numbers."])
        if not 0 <= point[1] <= MAX_CENTS or not 0 <= point[0] <= MAX_STAY_MINUTES:
            raise RulesError([f"{path}[{i}]: minute or cents out of range."])
    messages = [] if raw[0][0] == 0 else [f"{path}: the first point must be at minute 0."]
    for i, ((minute, cents), (next_minute, next_cents)) in enumerate(pairwise(raw), start=1):
        if next_minute <= minute:
            messages.append(
                f"{path}[{i}]: minutes must increase strictly ({minute}, then {next_minute})."
            )
        if next_cents < cents:
            messages.append(f"{path}[{i}]: cents may not decrease ({cents}, then {next_cents}).")
    if messages:
        raise RulesError(messages)
    return [list(point) for point in raw]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
