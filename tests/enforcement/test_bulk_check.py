"""POST /enforcement/check: 500 plates of a scan car, in order, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from app.db import db
from enforcement.models import PlateLookup
from tests.support.sessions import paris
from tests.test_errors import assert_error

TEN_TWENTY = paris(2027, 3, 2, 10, 20)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """The SQL statements sent to the database while the test runs."""
    sent: list[str] = []

    def record(connection, cursor, statement, *args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(db.engine, "before_cursor_execute", record)


def test_results_come_in_the_order_of_the_plates_with_invalid_ones_in_place(
    clock, zone, paid_session, bulk_check
):
    paid_session(zone, "AB123CD", paris(2027, 3, 2, 10, 0))
    paid_session(zone, "EF456GH", paris(2027, 3, 2, 9, 30), minutes=47)

    response = bulk_check(["ef-456-gh", "!!", "ZZ999ZZ", "ab 123 cd", "", "AB123CD"], TEN_TWENTY)

    results = response.get_json()["results"]
    assert response.status_code == 200, response.get_json()
    assert [(r["plate"], r["status"]) for r in results] == [
        ("EF456GH", "grace"),
        ("!!", "invalid_plate"),
        ("ZZ999ZZ", "unpaid"),
        ("AB123CD", "paid"),
        ("", "invalid_plate"),
        ("AB123CD", "paid"),
    ]
    assert results[1] == {
        "plate": "!!",
        "zone_code": "ISSY-1",
        "at": "2027-03-02T09:20:00Z",
        "status": "invalid_plate",
        "valid_until": None,
        "grace_until": None,
        "last_payment": None,
    }


def test_a_bulk_answer_is_the_single_answer_of_each_plate(
    clock, zone, paid_session, bulk_check, check
):
    paid_session(zone, "AB123CD", paris(2027, 3, 2, 10, 0))
    plates = ["AB123CD", "EF456GH"]

    bulk = bulk_check(plates, TEN_TWENTY).get_json()["results"]

    assert bulk == [check(plate, at=TEN_TWENTY).get_json() for plate in plates]


def test_a_bulk_check_takes_as_many_queries_for_500_plates_as_for_one(
    clock, zone, paid_session, bulk_check, statements
):
    plates = [f"AA{n:03d}AA" for n in range(500)]
    for plate in plates[::2]:
        paid_session(zone, plate, paris(2027, 3, 2, 10, 0))
    bulk_check(plates[:1], TEN_TWENTY)  # warms the caches of the tariff and the zone

    del statements[:]
    one = bulk_check(plates[:1], TEN_TWENTY)
    for_one = len(statements)
    del statements[:]
    all_of_them = bulk_check(plates, TEN_TWENTY)

    assert one.get_json()["results"][0]["status"] == "paid"
    assert [r["status"] for r in all_of_them.get_json()["results"]] == ["paid", "unpaid"] * 250
    assert len(statements) == for_one
    # Device key, zone, tariff, permits, sessions, money, one audit INSERT (and no more).
    assert for_one <= 8, statements


def test_501_plates_are_refused_naming_the_plates(zone, bulk_check):
    response = bulk_check([f"AA{n:03d}AA" for n in range(501)])

    assert "plates" in assert_error(response, 422, "validation_error")["errors"]
    assert db.session.scalar(select(func.count()).select_from(PlateLookup)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"zone": "ISSY-1", "plates": []},
        {"zone": "ISSY-1", "plates": "AB123CD"},
        {"zone": "ISSY-1", "plates": ["AB123CD", 42]},
        {"zone": "ISSY-1"},
        {"plates": ["AB123CD"]},
        {"zone": "ISSY-1", "plates": ["AB123CD"], "at": "2027-03-02T10:00:00"},
    ],
)
def test_a_bad_bulk_body_is_422(client, zone, device_headers, body):
    response = client.post("/api/v1/enforcement/check", json=body, headers=device_headers)

    assert_error(response, 422, "validation_error")


def test_a_bulk_check_in_an_unknown_zone_is_404(bulk_check):
    assert_error(bulk_check(["AB123CD"], zone="NOPE"), 404, "zone_not_found")
