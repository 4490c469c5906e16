"""A check prices with the tariff version in force at its instant, found afresh on every check:
a worker keeps the pricing view of each version it has read (zones.services), never which version
is in force, so a version scheduled or replaced through any worker prices the next check."""

from __future__ import annotations

import pytest
import time_machine

from tests.conftest import bearer
from tests.support.sessions import paris
from tests.support.zones import example_tariff

TARIFFS = "/api/v1/zones/ISSY-1/tariffs"
SUNDAY_IN_MARCH = paris(2027, 3, 7, 12, 0)
SUNDAY_IN_JUNE = paris(2027, 6, 6, 12, 0)
EVERY_DAY = [
    {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "09:00", "to": "19:00"}
]
MONDAY_TO_SATURDAY = example_tariff()["paid_hours"]


@pytest.fixture
def schedule(client, make_user):
    """Schedule a version of ISSY-1 from 1 June 2027, posted by an admin on 1 March 2027."""
    admin = make_user("admin")

    def post(paid_hours: list[dict[str, object]]) -> None:
        document = example_tariff(effective_from="2027-06-01T00:00:00+02:00", paid_hours=paid_hours)
        with time_machine.travel(paris(2027, 3, 1), tick=False):
            response = client.post(TARIFFS, json=document, headers=bearer(admin))
        assert response.status_code == 201, response.get_json()

    return post


def test_a_version_scheduled_after_a_check_prices_the_checks_once_in_force(zone, check, schedule):
    assert check("AB-123-CD", at=SUNDAY_IN_JUNE).get_json()["status"] == "free"

    schedule(EVERY_DAY)

    assert check("AB-123-CD", at=SUNDAY_IN_JUNE).get_json()["status"] == "unpaid"
    assert check("AB-123-CD", at=SUNDAY_IN_MARCH).get_json()["status"] == "free"


def test_a_scheduled_version_replaced_after_a_check_no_longer_prices(zone, check, schedule):
    schedule(EVERY_DAY)
    assert check("AB-123-CD", at=SUNDAY_IN_JUNE).get_json()["status"] == "unpaid"

    schedule(MONDAY_TO_SATURDAY)

    assert check("AB-123-CD", at=SUNDAY_IN_JUNE).get_json()["status"] == "free"
