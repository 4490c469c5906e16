"""A report's day is a local day of the city, also on the days the clock changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.reports.days import local_days
from tests.reports.conftest import read_csv
from tests.support.sessions import PARIS, paris

HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2027, 3, 27), 24),
        (date(2027, 3, 28), 23),  # 02:00 -> 03:00
        (date(2027, 3, 29), 24),
        (date(2027, 10, 31), 25),  # 03:00 -> 02:00
    ],
)
def test_a_local_day_lasts_23_or_25_hours_on_clock_change_days(day, hours):
    (local,) = local_days(day, day + timedelta(days=1), PARIS)

    assert local.length == hours * HOUR
    assert local.starts_at.astimezone(PARIS).hour == 0
    assert local.ends_at.astimezone(PARIS).hour == 0


def test_local_days_follow_each_other_without_gap_or_overlap():
    days = local_days(date(2027, 1, 1), date(2028, 1, 1), PARIS)

    assert len(days) == 365
    assert all(
        first.ends_at == second.starts_at for first, second in zip(days, days[1:], strict=False)
    )
    assert sum((day.length for day in days), timedelta()) == timedelta(days=365)


# Each session is paid the moment it starts: its charge happens at that local time.
AROUND_MIDNIGHT = [
    (paris(2027, 3, 27, 23, 30), "2027-03-27T22:30:00Z", "2027-03-27"),
    (paris(2027, 3, 28, 0, 30), "2027-03-27T23:30:00Z", "2027-03-28"),  # same UTC date
    (paris(2027, 3, 28, 23, 30), "2027-03-28T21:30:00Z", "2027-03-28"),  # summer time now
    (paris(2027, 3, 29, 0, 30), "2027-03-28T22:30:00Z", "2027-03-29"),
    (paris(2027, 10, 30, 23, 30), "2027-10-30T21:30:00Z", "2027-10-30"),
    (paris(2027, 10, 31, 0, 30), "2027-10-30T22:30:00Z", "2027-10-31"),
    (paris(2027, 10, 31, 23, 30), "2027-10-31T22:30:00Z", "2027-10-31"),  # winter time again
    (paris(2027, 11, 1, 0, 30), "2027-10-31T23:30:00Z", "2027-11-01"),
]


@pytest.fixture
def midnight_charges(clock, night_zone, start) -> None:
    for number, (moment, _utc, _day) in enumerate(AROUND_MIDNIGHT):
        clock.move_to(moment)
        response = start(zone_code="NUIT-2", plate=f"NU-{number:03d}-AA", duration_minutes=60)
        assert response.status_code == 201, response.get_json()


def test_movements_around_midnight_land_on_their_local_day(midnight_charges, get_report):
    spring = get_report("payments.csv", **{"from": "2027-03-27", "to": "2027-03-30"})
    autumn = get_report("payments.csv", **{"from": "2027-10-30", "to": "2027-11-02"})

    rows = read_csv(spring.data).rows + read_csv(autumn.data).rows
    assert [(row["occurred_at_utc"], row["local_date"]) for row in rows] == [
        (utc, day) for _moment, utc, day in AROUND_MIDNIGHT
    ]
    assert rows[1]["occurred_at_local"] == "2027-03-28T00:30:00+01:00"
    assert rows[2]["occurred_at_local"] == "2027-03-28T23:30:00+02:00"


def test_a_one_day_report_of_the_spring_clock_change_holds_its_23_hours(
    midnight_charges, get_report
):
    response = get_report("payments.csv", **{"from": "2027-03-28", "to": "2027-03-29"})

    assert [row["occurred_at_utc"] for row in read_csv(response.data).rows] == [
        "2027-03-27T23:30:00Z",
        "2027-03-28T21:30:00Z",
    ]


def test_revenue_per_day_counts_each_movement_on_its_local_day(midnight_charges, get_report):
    response = get_report(
        "revenue.csv", group_by="day", **{"from": "2027-10-30", "to": "2027-11-02"}
    )

    rows = read_csv(response.data).rows
    assert [(row["local_date"], row["net_cents"], row["sessions"]) for row in rows] == [
        ("2027-10-30", "60", "1"),
        ("2027-10-31", "120", "2"),
        ("2027-11-01", "60", "1"),
    ]
