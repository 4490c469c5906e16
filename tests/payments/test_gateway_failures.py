"""What the service does when Stripe fails in ways the local server cannot show."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.db import db
from app.sessions.models import ParkingSession
from payments.gateway import StripeGateway
from payments.models import Payment
from tests.support.scripted_stripe import (
    IDEMPOTENCY_ERROR,
    INSUFFICIENT_FUNDS,
    STRIPE_DOWN,
    Scripted,
    ScriptedStripe,
)
from tests.test_errors import assert_error


@pytest.fixture
def script(app, monkeypatch):
    """Replace the app's Stripe HTTP client with one that plays the given answers."""

    def install(*scripts: Scripted) -> ScriptedStripe:
        client = ScriptedStripe(*scripts)
        gateway = StripeGateway.from_settings(app.config["SETTINGS"], http_client=client)
        monkeypatch.setitem(app.extensions, "stripe_gateway", gateway)
        return client

    return install


def start_body(stripe_app):
    return {
        "zone_code": "ISSY-1",
        "plate": "AB-123-CD",
        "duration_minutes": 60,
        "payment_method_id": stripe_app.card(),
    }


def test_a_lost_confirm_answers_502_and_the_retry_with_the_same_key_finishes_it(
    clock, zone, client, auth, driver, stripe_app, script
):
    script(Scripted("POST", "/confirm", status=0))
    body, headers = start_body(stripe_app), {**auth(), "Idempotency-Key": "k-1"}

    failed = client.post("/api/v1/sessions", json=body, headers=headers)
    retried = client.post("/api/v1/sessions", json=body, headers=headers)

    assert_error(failed, 502, "payment_provider_error")
    assert retried.status_code == 201, retried.get_json()
    assert retried.get_json()["session"]["status"] == "active"
    assert db.session.scalar(select(func.count()).select_from(ParkingSession)) == 1
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    customer = db.session.get(User, driver.id).stripe_customer_id
    assert len(stripe_app.charges_of(customer)) == 1


def test_stripe_down_leaves_a_pending_session_that_holds_no_money(
    clock, zone, client, auth, stripe_app, script
):
    script(Scripted("POST", "/v1/payment_intents", status=500, body=STRIPE_DOWN))

    response = client.post("/api/v1/sessions", json=start_body(stripe_app), headers=auth())

    assert_error(response, 502, "payment_provider_error")
    assert db.session.scalar(select(Payment.status)) == "pending"
    assert db.session.scalar(select(Payment.stripe_payment_intent_id)) is None


@pytest.mark.parametrize("status", [400, 409])
def test_an_idempotency_error_is_409_payment_in_progress(
    clock, zone, client, auth, stripe_app, script, status
):
    script(Scripted("POST", "/confirm", status=status, body=IDEMPOTENCY_ERROR))

    response = client.post("/api/v1/sessions", json=start_body(stripe_app), headers=auth())

    assert_error(response, 409, "payment_in_progress")


def test_a_decline_code_is_passed_to_the_app(clock, zone, client, auth, stripe_app, script):
    script(Scripted("POST", "/confirm", status=402, body=INSUFFICIENT_FUNDS))

    response = client.post("/api/v1/sessions", json=start_body(stripe_app), headers=auth())

    body = assert_error(response, 402, "payment_declined")
    assert body["errors"] == {"payment": ["insufficient_funds"]}
    assert db.session.scalar(select(ParkingSession.status)) == "cancelled"
    assert db.session.scalar(select(Payment.decline_code)) == "insufficient_funds"


def test_a_stop_during_an_outage_ends_the_session_and_leaves_the_refund_to_settle(
    clock, zone, start, client, auth, script
):
    session_id = start(duration_minutes=120).get_json()["session"]["id"]
    script(Scripted("POST", "/v1/refunds", status=0))

    stopped = client.post(f"/api/v1/sessions/{session_id}/stop", headers=auth())

    assert stopped.status_code == 200
    assert stopped.get_json()["session"]["status"] == "ended"
    assert stopped.get_json()["payment"]["status"] == "processing"
    assert db.session.scalar(select(ParkingSession.settlement_due)) is True
