"""The pure rules of a check: chains of sessions, permits, grace, the day's last payment."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from enforcement.verdict import Cover, relevant_since, verdict
from tests.support.sessions import paris
from tests.support.zones import EXAMPLE_RULES
from zones.services import tariff_from_rules

TARIFF = tariff_from_rules(EXAMPLE_RULES, timezone="Europe/Paris", currency="EUR")
PARIS = "Europe/Paris"


def cover(start: datetime, minutes: int | None, covered_from: datetime | None = None) -> Cover:
    """A session from `start`, prepaid for `minutes` (None: open-ended, max 2 hours)."""
    ends_at = start + timedelta(minutes=minutes) if minutes is not None else None
    return Cover(
        session_id=uuid.uuid4(),
        starts_at=start,
        covered_from=covered_from or start,
        ends_at=ends_at,
        max_ends_at=ends_at or start + timedelta(hours=2),
        currency="EUR",
    )


def at_ten(minute: int, second: int = 0) -> datetime:
    return paris(2027, 3, 2, 10, minute, second)


@pytest.mark.parametrize(
    ("covers", "valid_until"),
    [
        ([cover(at_ten(0), 30), cover(at_ten(30), 20)], at_ten(50)),
        ([cover(at_ten(0), 30), cover(at_ten(30), 10), cover(at_ten(40), 15)], at_ten(55)),
        ([cover(at_ten(0), 30), cover(at_ten(30, 1), 20)], at_ten(30)),  # a second's gap
        ([cover(at_ten(30), 20), cover(at_ten(0), 30)], at_ten(50)),  # in any order
        ([cover(at_ten(0), 30), cover(at_ten(0), 60, covered_from=at_ten(31))], at_ten(30)),
        ([cover(at_ten(0), None)], paris(2027, 3, 2, 12, 0)),  # open-ended: its max end
    ],
)
def test_back_to_back_sessions_are_paid_until_the_end_of_the_chain(covers, valid_until):
    found = verdict(at_ten(10), covers, None, TARIFF, PARIS)

    assert (found.status, found.valid_until) == ("paid", valid_until)


def test_a_permit_and_a_session_are_paid_until_the_later_end():
    session = cover(at_ten(0), 30)

    by_permit = verdict(at_ten(10), [session], at_ten(45), TARIFF, PARIS)
    by_session = verdict(at_ten(10), [session], at_ten(15), TARIFF, PARIS)

    assert (by_permit.status, by_permit.valid_until) == ("paid", at_ten(45))
    assert (by_session.status, by_session.valid_until) == ("paid", at_ten(30))


def test_a_permit_is_paid_even_in_free_time():
    sunday = paris(2027, 3, 7, 12, 0)

    found = verdict(sunday, [], sunday + timedelta(days=3), None, PARIS)

    assert (found.status, found.valid_until) == ("paid", sunday + timedelta(days=3))


def test_grace_follows_the_latest_end_and_a_zero_grace_is_none():
    covers = [cover(at_ten(0), 10), cover(at_ten(15), 10)]
    no_grace = tariff_from_rules(
        EXAMPLE_RULES | {"grace_minutes": 0}, timezone=PARIS, currency="EUR"
    )

    found = verdict(at_ten(27), covers, None, TARIFF, PARIS)

    assert (found.status, found.grace_until) == ("grace", at_ten(30))
    assert verdict(at_ten(25), covers, None, no_grace, PARIS).status == "unpaid"


def test_a_session_paid_after_its_end_never_grants_grace():
    late = cover(at_ten(0), 10, covered_from=at_ten(10))

    assert verdict(at_ten(12), [late], None, TARIFF, PARIS).status == "unpaid"


def test_the_last_payment_is_the_latest_session_started_that_local_day():
    yesterday = cover(paris(2027, 3, 1, 23, 50), 20)
    morning, later = cover(paris(2027, 3, 2, 9, 0), 30), cover(at_ten(0), 20)
    not_yet_paid = cover(at_ten(25), 20, covered_from=at_ten(45))

    found = verdict(at_ten(40), [later, yesterday, not_yet_paid, morning], None, TARIFF, PARIS)

    assert found.status == "unpaid"
    assert found.last_session == later


def test_sessions_that_matter_still_held_time_at_the_local_midnight_or_within_the_grace():
    assert relevant_since(at_ten(0), TARIFF, PARIS) == paris(2027, 3, 2, 0, 0)
    assert relevant_since(paris(2027, 3, 2, 0, 3), TARIFF, PARIS) == paris(2027, 3, 1, 23, 58)
    assert relevant_since(paris(2027, 3, 28, 12), None, PARIS) == paris(2027, 3, 28, 0, 0)
