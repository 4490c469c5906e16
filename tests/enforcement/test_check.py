"""GET /enforcement/check: each status at its boundaries, sessions paid through the real API."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from app.db import db
from app.plates import Plate
from payments.models import Payment
from tests.support.sessions import paris
from tests.test_errors import assert_error
from zones.permits import create_permit

SECOND = timedelta(seconds=1)
CASE_1_END = paris(2027, 3, 2, 10, 30)  # TARIFFS.md case 1: Tue 10:00, 30 minutes, 120 cents
PAID_120_RUNNING = {"amount_cents": 120, "currency": "EUR", "ended_at": None}
PAID_120_ENDED = {"amount_cents": 120, "currency": "EUR", "ended_at": "2027-03-02T09:30:00Z"}


@pytest.mark.parametrize(
    ("at", "status", "valid_until", "grace_until", "last_payment"),
    [
        (paris(2027, 3, 2, 10, 20), "paid", "2027-03-02T09:30:00Z", None, PAID_120_RUNNING),
        (paris(2027, 3, 2, 10, 33), "grace", None, "2027-03-02T09:35:00Z", PAID_120_ENDED),
        (paris(2027, 3, 2, 10, 40), "unpaid", None, None, PAID_120_ENDED),
        (paris(2027, 3, 7, 12, 0), "free", "2027-03-08T08:00:00Z", None, None),  # Sunday
    ],
)
def test_the_tariffs_enforcement_example(
    clock, zone, start, check, at, status, valid_until, grace_until, last_payment
):
    start(duration_minutes=30)

    response = check("AB-123-CD", at=at)

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "plate": "AB123CD",
        "zone_code": "ISSY-1",
        "at": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "status": status,
        "valid_until": valid_until,
        "grace_until": grace_until,
        "last_payment": last_payment,
    }


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (CASE_1_END - SECOND, "paid"),
        (CASE_1_END, "grace"),  # [start, end): the end itself is not paid
        (CASE_1_END + timedelta(minutes=5) - SECOND, "grace"),
        (CASE_1_END + timedelta(minutes=5), "unpaid"),  # exactly end + grace
    ],
)
def test_a_session_covers_until_its_end_and_grace_lasts_its_minutes(
    clock, zone, start, check, at, status
):
    start(duration_minutes=30)

    assert check("AB-123-CD", at=at).get_json()["status"] == status


def test_at_defaults_to_now(clock, zone, start, check):
    start(duration_minutes=30)
    clock.move_to(paris(2027, 3, 2, 10, 31))

    body = check("AB-123-CD").get_json()

    assert (body["at"], body["status"]) == ("2027-03-02T09:31:00Z", "grace")


@pytest.mark.parametrize("spelling", ["ab-123-cd", "AB 123 CD", "ab123cd", "Ab.123.cD"])
def test_any_spelling_of_the_plate_finds_its_session(clock, zone, start, check, spelling):
    start(duration_minutes=30, plate="AB-123-CD")

    body = check(spelling, at=paris(2027, 3, 2, 10, 10)).get_json()

    assert (body["plate"], body["status"]) == ("AB123CD", "paid")


def test_a_session_covers_only_from_the_success_of_its_payment(
    clock, zone, start, check, client, auth, stripe_app
):
    pending = start(card="three_d_secure", duration_minutes=30).get_json()
    before = check("AB-123-CD", at=paris(2027, 3, 2, 10, 2)).get_json()
    clock.move_to(paris(2027, 3, 2, 10, 5))
    intent_id = db.session.scalar(select(Payment.stripe_payment_intent_id))
    stripe_app.authenticate(intent_id, pending["payment"]["client_secret"])
    client.get(f"/api/v1/sessions/{pending['session']['id']}", headers=auth())

    not_yet = check("AB-123-CD", at=paris(2027, 3, 2, 10, 5) - SECOND).get_json()
    paid = check("AB-123-CD", at=paris(2027, 3, 2, 10, 5)).get_json()

    assert (before["status"], before["last_payment"]) == ("unpaid", None)
    assert (not_yet["status"], not_yet["last_payment"]) == ("unpaid", None)
    assert (paid["status"], paid["valid_until"]) == ("paid", "2027-03-02T09:30:00Z")


def test_a_declined_session_never_covers(clock, zone, start, check):
    start(card="declined_on_charge", duration_minutes=30)

    body = check("AB-123-CD", at=paris(2027, 3, 2, 10, 10)).get_json()

    assert (body["status"], body["last_payment"]) == ("unpaid", None)


def test_back_to_back_sessions_are_paid_until_the_end_of_the_chain(clock, zone, start, check):
    start(duration_minutes=30)
    clock.move_to(CASE_1_END)
    start(duration_minutes=45)

    body = check("AB-123-CD", at=paris(2027, 3, 2, 10, 10)).get_json()

    assert (body["status"], body["valid_until"]) == ("paid", "2027-03-02T10:15:00Z")
    assert body["last_payment"]["amount_cents"] == 120  # the first: the second had not started


def test_an_open_ended_session_is_paid_until_its_max_end_and_shows_the_captured_amount(
    clock, zone, start, check, client, auth
):
    session = start(open_ended=True).get_json()["session"]
    running = check("AB-123-CD", at=paris(2027, 3, 2, 11, 0)).get_json()
    clock.move_to(paris(2027, 3, 2, 11, 0))
    client.post(f"/api/v1/sessions/{session['id']}/stop", headers=auth())

    stopped = check("AB-123-CD", at=paris(2027, 3, 2, 11, 20)).get_json()

    assert (running["status"], running["valid_until"]) == ("paid", "2027-03-02T11:00:00Z")
    assert running["last_payment"] == {"amount_cents": 0, "currency": "EUR", "ended_at": None}
    assert stopped["status"] == "unpaid"
    assert stopped["last_payment"] == {
        "amount_cents": 240,  # case 11: 600 authorised, 240 captured
        "currency": "EUR",
        "ended_at": "2027-03-02T10:00:00Z",
    }


def test_the_last_payment_is_net_of_refunds(clock, zone, start, check, client, auth):
    session = start(duration_minutes=120).get_json()["session"]
    clock.move_to(paris(2027, 3, 2, 10, 40, 30))
    client.post(f"/api/v1/sessions/{session['id']}/stop", headers=auth())

    body = check("AB-123-CD", at=paris(2027, 3, 2, 11, 0)).get_json()

    assert body["status"] == "unpaid"
    assert body["last_payment"]["amount_cents"] == 164  # case 10: 600 paid, 436 refunded


def test_the_last_payment_is_of_the_local_day_only(clock, zone, start, check):
    start(duration_minutes=30)

    next_day = check("AB-123-CD", at=paris(2027, 3, 3, 9, 30)).get_json()

    assert (next_day["status"], next_day["last_payment"]) == ("unpaid", None)


def test_a_session_in_another_zone_does_not_count(clock, zone, start, check, make_zone):
    make_zone("ISSY-2")
    start(duration_minutes=30, zone_code="ISSY-2")

    body = check("AB-123-CD", at=paris(2027, 3, 2, 10, 10)).get_json()

    assert (body["status"], body["last_payment"]) == ("unpaid", None)


def test_an_exempting_permit_is_paid_until_its_last_second(clock, zone, check):
    until = paris(2027, 3, 2, 12, 0)
    create_permit(Plate.parse("EF-456-GH"), "disabled", ["ISSY-1"], paris(2027, 3, 1), until)
    create_permit(Plate.parse("JK-789-LM"), "resident", ["ISSY-1"], paris(2027, 3, 1), until)
    db.session.commit()

    last_second = check("EF-456-GH", at=until - SECOND).get_json()
    after = check("EF-456-GH", at=until).get_json()
    resident = check("JK-789-LM", at=until - SECOND).get_json()

    assert (last_second["status"], last_second["valid_until"]) == ("paid", "2027-03-02T11:00:00Z")
    assert after["status"] == "unpaid"
    assert resident["status"] == "unpaid"  # a resident permit only opens a tariff profile


@pytest.mark.parametrize(
    ("at", "valid_until"),
    [
        (paris(2027, 5, 1, 10, 0), "2027-05-03T07:00:00Z"),  # Labour Day, a Saturday
        (paris(2027, 3, 2, 8, 59), "2027-03-02T08:00:00Z"),  # before the paid hours
        # Across the spring clock change, then Easter Monday: Tuesday 09:00 CEST.
        (paris(2027, 3, 27, 20, 0), "2027-03-30T07:00:00Z"),
    ],
)
def test_free_time_is_free_until_the_next_paid_window(zone, check, at, valid_until):
    body = check("AB-123-CD", at=at).get_json()

    assert (body["status"], body["valid_until"], body["last_payment"]) == (
        "free",
        valid_until,
        None,
    )


def test_a_session_across_the_clock_change_covers_the_night_it_loses_an_hour(
    clock, zone, start, check
):
    clock.move_to(paris(2027, 3, 27, 18, 30))
    start(ends_at=paris(2027, 3, 29, 9, 30).isoformat())  # into Easter Monday, past 02:00 -> 03:00

    night = check("AB-123-CD", at=paris(2027, 3, 28, 3, 30)).get_json()
    monday = check("AB-123-CD", at=paris(2027, 3, 29, 9, 29)).get_json()

    assert (night["status"], night["valid_until"]) == ("paid", "2027-03-29T07:30:00Z")
    assert night["last_payment"] is None  # paid on Saturday, another local day
    assert (monday["status"], monday["valid_until"]) == ("paid", "2027-03-29T07:30:00Z")


def test_a_zone_without_a_tariff_in_force_is_free(clock, make_zone, check):
    make_zone("NEW-1", rules=None)

    body = check("AB-123-CD", zone="NEW-1").get_json()

    assert (body["status"], body["valid_until"]) == ("free", None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"plate": "!!", "zone": "ISSY-1"}, "plate"),
        ({"plate": "A" * 13, "zone": "ISSY-1"}, "plate"),
        ({"zone": "ISSY-1"}, "plate"),
        ({"plate": "AB123CD"}, "zone"),
        ({"plate": "AB123CD", "zone": "ISSY-1", "at": "2027-03-02T10:00:00"}, "at"),
    ],
)
def test_a_bad_query_is_422_naming_its_field(client, zone, device_headers, query, field):
    response = client.get("/api/v1/enforcement/check", query_string=query, headers=device_headers)

    assert field in assert_error(response, 422, "validation_error")["errors"]


def test_an_unknown_zone_is_404(check):
    assert_error(check("AB-123-CD", zone="NOPE"), 404, "zone_not_found")
