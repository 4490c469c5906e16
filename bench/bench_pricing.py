"""Pricing cost grows with the windows a session crosses, not with its minutes.

Prices sessions of growing length (chargeable minutes, then the price) in one run and prints each
one's cost as a ratio to the 1-hour session's: timeit, best of several repeats, so the ratios hold
on any machine. The headline is the 7-day / 1-hour ratio, next to the 168x more minutes.

    python bench/bench_pricing.py
"""

import sys
import timeit
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Run as a script from anywhere: the project root holds the `zones` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import result  # noqa: E402 - importable only once the root is on the path
from zones.pricing import (  # noqa: E402
    PaidWindow,
    Profile,
    Tariff,
    chargeable_minutes,
    paid_intervals,
    price_cents,
)

REPEATS = 7
WEEK = 7 * 24 * 60
TARIFF = Tariff(
    timezone="Europe/Paris",
    paid_hours=(PaidWindow.parse(["mon", "tue", "wed", "thu", "fri", "sat"], "09:00", "19:00"),),
    free_on_public_holidays=True,
    max_stay_minutes=WEEK,
    grace_minutes=5,
    fps_amount_cents=3500,
    refund_unused=True,
    currency="EUR",
    profiles={"visitor": Profile(((0, 0), (60, 240), (600, 1500), (WEEK, 9000)))},
)
STARTS_AT = datetime(2027, 3, 2, 10, tzinfo=ZoneInfo("Europe/Paris"))
SESSIONS = {
    "1 hour": timedelta(hours=1),
    "1 day": timedelta(days=1),
    "7 days": timedelta(days=7),
    "30 days": timedelta(days=30),
}


def price_session(length: timedelta) -> int:
    minutes = chargeable_minutes(TARIFF, STARTS_AT, STARTS_AT + length)
    return price_cents(TARIFF.profiles["visitor"], min(minutes, WEEK))


def seconds_per_pricing(length: timedelta) -> float:
    timer = timeit.Timer(lambda: price_session(length))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=REPEATS, number=number)) / number


def main() -> None:
    costs = {name: seconds_per_pricing(length) for name, length in SESSIONS.items()}
    baseline_cost, baseline_minutes = costs["1 hour"], SESSIONS["1 hour"] / timedelta(minutes=1)
    print(f"{'session':<9}{'minutes x':>11}{'windows':>9}{'cost x':>9}")
    for name, length in SESSIONS.items():
        windows = len(list(paid_intervals(TARIFF, STARTS_AT, STARTS_AT + length)))
        minutes_ratio = length / timedelta(minutes=1) / baseline_minutes
        print(f"{name:<9}{minutes_ratio:>11.0f}{windows:>9}{costs[name] / baseline_cost:>9.2f}")
    ratio = costs["7 days"] / baseline_cost
    print(f"\n7-day / 1-hour pricing cost: {ratio:.2f}x (for {WEEK // 60}x the minutes)")
    week_windows = len(list(paid_intervals(TARIFF, STARTS_AT, STARTS_AT + SESSIONS["7 days"])))
    result(
        "pricing a 7-day session",
        f"{ratio:.2f}x",
        f"pricing a 1-hour one ({baseline_cost * 1e6:.0f} us)",
        f"{WEEK // 60}x the minutes, {week_windows} paid windows",
    )


if __name__ == "__main__":
    main()
