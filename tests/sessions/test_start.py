from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.db import db
from app.sessions.models import ParkingSession
from payments.models import LedgerEntry, Payment
from tests.conftest import bearer
from tests.support.sessions import paris
from tests.test_errors import assert_error


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_prepaid_session_is_charged_its_price_and_is_active(
    clock, zone, start, driver, stripe_app
):
    response = start(duration_minutes=30)

    body = response.get_json()
    assert response.status_code == 201
    assert body["payment"] == {"status": "succeeded", "amount_cents": 120, "client_secret": None}
    assert body["session"]["status"] == "active"
    assert body["session"]["amount_cents"] == 120
    assert body["session"]["plate"] == "AB123CD"
    assert body["session"]["ends_at"] == "2027-03-02T09:30:00Z"
    assert body["session"]["max_ends_at"] == "2027-03-02T11:00:00Z"
    customer = db.session.get(User, driver.id).stripe_customer_id
    assert [c["amount"] for c in stripe_app.charges_of(customer)] == [120]
    assert db.session.scalar(select(LedgerEntry.amount_cents)) == 120


def test_a_session_in_free_time_needs_no_card_and_charges_nothing(zone, start, clock):
    clock.move_to(paris(2027, 3, 7, 15, 0))  # a Sunday

    response = start(card=None, duration_minutes=60)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["payment"] == {
        "status": "none",
        "amount_cents": 0,
        "client_secret": None,
    }
    assert response.get_json()["session"]["status"] == "active"
    assert count(Payment) == 0


def test_a_declined_card_is_402_and_leaves_no_active_session(clock, zone, start):
    declined = start(card="declined_on_charge", duration_minutes=30)
    retried = start(card="visa", duration_minutes=30)

    assert_error(declined, 402, "payment_declined")
    assert retried.status_code == 201
    statuses = db.session.scalars(select(ParkingSession.status).order_by(ParkingSession.created_at))
    assert sorted(statuses) == ["active", "cancelled"]


def test_three_d_secure_leaves_the_session_pending_until_the_app_completes_it(
    clock, zone, start, client, auth, stripe_app
):
    response = start(card="three_d_secure", duration_minutes=30)
    body = response.get_json()
    session_id = body["session"]["id"]
    intent_id = db.session.scalar(select(Payment.stripe_payment_intent_id))

    stripe_app.authenticate(intent_id, body["payment"]["client_secret"])
    after = client.get(f"/api/v1/sessions/{session_id}", headers=auth()).get_json()

    assert response.status_code == 201
    assert body["session"]["status"] == "pending_payment"
    assert body["payment"]["status"] == "requires_action"
    assert body["payment"]["client_secret"].startswith(intent_id)
    assert after["status"] == "active"
    assert after["amount_cents"] == 120


def test_an_overlapping_session_for_the_same_plate_and_zone_is_409(clock, zone, start):
    start(duration_minutes=30)

    again = start(plate="ab 123 cd", duration_minutes=20)

    assert_error(again, 409, "session_overlap")
    assert count(Payment) == 1


def test_the_same_plate_may_park_again_after_its_session_ends(clock, zone, start):
    start(duration_minutes=30)
    clock.move_to(paris(2027, 3, 2, 10, 30))

    again = start(duration_minutes=30)

    assert again.status_code == 201


def test_a_retry_with_the_same_idempotency_key_charges_once(
    clock, zone, client, driver, auth, stripe_app
):
    body = {
        "zone_code": "ISSY-1",
        "plate": "AB-123-CD",
        "duration_minutes": 60,
        "payment_method_id": stripe_app.card(),
    }
    headers = {**auth(), "Idempotency-Key": "start-1"}

    first = client.post("/api/v1/sessions", json=body, headers=headers)
    second = client.post("/api/v1/sessions", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    customer = db.session.get(User, driver.id).stripe_customer_id
    assert len(stripe_app.charges_of(customer)) == 1
    assert count(ParkingSession) == 1


def test_a_session_can_start_from_a_saved_vehicle(clock, zone, start, client, auth):
    vehicle = client.post(
        "/api/v1/me/vehicles", json={"plate": "FG-456-HJ"}, headers=auth()
    ).get_json()

    response = start(plate=None, vehicle_id=vehicle["id"], duration_minutes=30)

    assert response.status_code == 201
    assert response.get_json()["session"]["plate"] == "FG456HJ"


def test_another_drivers_card_is_refused(clock, zone, start, make_user, stripe_app):
    card = stripe_app.card()
    first = start(payment_method_id=card, duration_minutes=30)

    stolen = start(
        payment_method_id=card, plate="ZZ-999-ZZ", duration_minutes=30, headers=bearer(make_user())
    )

    assert first.status_code == 201
    assert_error(stolen, 422, "unknown_payment_method")


def test_pricing_refusals_are_422_with_their_reason(clock, zone, start):
    assert_error(start(duration_minutes=7), 422, "below_minimum_charge")
    assert_error(start(duration_minutes=150), 422, "exceeds_max_stay")
    assert_error(start(card=None, duration_minutes=30), 422, "payment_method_required")
    assert_error(start(duration_minutes=30, profile="martian"), 422, "unknown_profile")
    assert count(ParkingSession) == 0


def test_a_profile_other_than_visitor_needs_a_permit(clock, zone, start):
    assert_error(start(duration_minutes=30, profile="resident"), 403, "profile_not_allowed")


def test_an_unknown_or_inactive_zone_is_refused(clock, zone, start, make_zone):
    make_zone("CLOSED", active=False)

    assert_error(start(zone_code="NOPE", duration_minutes=30), 404, "zone_not_found")
    assert_error(start(zone_code="CLOSED", duration_minutes=30), 409, "zone_inactive")


def test_bad_bodies_are_422_and_change_nothing(clock, zone, start, client, auth):
    cases = [
        {"duration_minutes": 30, "ends_at": "2027-03-02T11:00:00+01:00"},
        {},
        {"duration_minutes": 0},
        {"duration_minutes": 60 * 24 * 365},
        {"ends_at": "2027-03-02T11:00:00"},
        {"duration_minutes": "30"},
    ]

    answers = [start(**case) for case in cases]
    no_plate = client.post(
        "/api/v1/sessions",
        json={"zone_code": "ISSY-1", "duration_minutes": 30},
        headers=auth(),
    )

    assert [a.status_code for a in answers] == [422] * len(cases)
    assert_error(no_plate, 422, "validation_error")
    assert count(ParkingSession) == 0


def test_another_drivers_session_is_404_everywhere(clock, zone, start, client, make_user):
    session_id = start(duration_minutes=30).get_json()["session"]["id"]
    other = bearer(make_user())

    answers = [
        client.get(f"/api/v1/sessions/{session_id}", headers=other),
        client.post(
            f"/api/v1/sessions/{session_id}/extend", json={"duration_minutes": 10}, headers=other
        ),
        client.post(f"/api/v1/sessions/{session_id}/stop", headers=other),
        client.get(f"/api/v1/sessions/{session_id}/receipt", headers=other),
    ]

    for answer in answers:
        assert_error(answer, 404, "session_not_found")
