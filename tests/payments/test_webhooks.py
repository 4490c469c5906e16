from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.db import db
from app.sessions.models import ParkingSession
from payments.models import LedgerEntry, Payment
from tests.support.stripe import signed_event
from tests.test_errors import assert_error

WEBHOOK = "/api/v1/payments/stripe/webhook"


def deliver(client, event_type, obj, event_id="evt_1", at=None):
    payload, signature = signed_event(event_type, obj, event_id=event_id, at=at)
    return client.post(
        WEBHOOK,
        data=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def pending_3ds_session(start, stripe_app, **body):
    answer = start(card="three_d_secure", **body).get_json()
    intent_id = db.session.scalar(select(Payment.stripe_payment_intent_id))
    stripe_app.authenticate(intent_id, answer["payment"]["client_secret"])
    return answer["session"]["id"], stripe_app.intent(intent_id)


def test_a_payment_confirmed_by_webhook_activates_the_session_once(
    clock, zone, start, client, stripe_app
):
    _session_id, intent = pending_3ds_session(start, stripe_app, duration_minutes=30)

    first = deliver(client, "payment_intent.succeeded", intent, event_id="evt_a")
    retried = deliver(client, "payment_intent.succeeded", intent, event_id="evt_a")

    assert first.get_json() == {"result": "applied"}
    assert retried.get_json() == {"result": "duplicate"}
    assert db.session.scalar(select(ParkingSession.status)) == "active"
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_a_late_failure_event_does_not_undo_a_success(clock, zone, start, client, stripe_app):
    _session_id, intent = pending_3ds_session(start, stripe_app, duration_minutes=30)
    deliver(client, "payment_intent.succeeded", intent, event_id="evt_a")

    late = deliver(
        client,
        "payment_intent.payment_failed",
        {**intent, "status": "requires_payment_method"},
        "evt_b",
    )

    assert late.status_code == 200
    assert db.session.scalar(select(ParkingSession.status)) == "active"


def test_an_authorisation_confirmed_by_webhook_activates_an_open_ended_session(
    clock, zone, start, client, stripe_app
):
    _session_id, intent = pending_3ds_session(start, stripe_app, open_ended=True)

    deliver(client, "payment_intent.amount_capturable_updated", intent, event_id="evt_c")

    assert intent["status"] == "requires_capture"
    assert db.session.scalar(select(ParkingSession.status)) == "active"
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_a_failed_3ds_cancels_the_pending_session(clock, zone, start, client, stripe_app):
    answer = start(card="three_d_secure", duration_minutes=30).get_json()
    intent = stripe_app.intent(db.session.scalar(select(Payment.stripe_payment_intent_id)))

    deliver(
        client, "payment_intent.payment_failed", {**intent, "status": "requires_payment_method"}
    )

    assert answer["session"]["status"] == "pending_payment"
    assert db.session.scalar(select(ParkingSession.status)) == "cancelled"


def test_refunds_and_disputes_from_stripe_are_ledger_rows_once(clock, zone, start, client, auth):
    session_id = start(duration_minutes=60).get_json()["session"]["id"]
    payment = db.session.scalar(select(Payment))
    charge = {
        "id": payment.stripe_charge_id,
        "object": "charge",
        "payment_intent": payment.stripe_payment_intent_id,
        "refunds": {
            "data": [
                {
                    "id": "re_dash_1",
                    "amount": 100,
                    "status": "succeeded",
                    "created": int(time.time()),
                }
            ]
        },
    }
    dispute = {"id": "dp_1", "object": "dispute", "amount": 140, "charge": payment.stripe_charge_id}

    deliver(client, "charge.refunded", charge, event_id="evt_r1")
    deliver(client, "charge.refunded", charge, event_id="evt_r2")  # Stripe resends the same refund
    deliver(client, "charge.dispute.created", dispute, event_id="evt_d1")
    receipt = client.get(f"/api/v1/sessions/{session_id}/receipt", headers=auth()).get_json()

    assert receipt["paid_cents"] == 240
    assert receipt["refunded_cents"] == 100
    assert receipt["disputed_cents"] == 140
    assert receipt["net_cents"] == 0


def test_unknown_event_types_are_acknowledged(client):
    response = deliver(client, "customer.created", {"id": "cus_1"})

    assert response.get_json() == {"result": "ignored"}


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "t=1,v1=deadbeef",
        "garbage",
        "t={now},v1=0000000000000000000000000000000000000000000000000000000000000000",
    ],
)
def test_a_forged_or_missing_signature_is_400(client, signature):
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["Stripe-Signature"] = signature.format(now=int(time.time()))

    response = client.post(
        WEBHOOK, data=b'{"id": "evt_x", "type": "charge.refunded"}', headers=headers
    )

    assert_error(response, 400, "invalid_signature")


def test_a_stale_signature_is_400(client):
    response = deliver(client, "customer.created", {"id": "cus_1"}, at=int(time.time()) - 301)

    assert_error(response, 400, "invalid_signature")
