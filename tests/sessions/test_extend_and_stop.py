from __future__ import annotations

from sqlalchemy import select

from app.db import db
from payments.models import LedgerEntry, Payment
from tests.support.sessions import paris
from tests.test_errors import assert_error


def ledger_amounts() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount_cents).order_by(LedgerEntry.recorded_at)
    )
    return [(kind, amount) for kind, amount in rows]


def test_an_extension_charges_only_the_difference(clock, zone, start, client, auth):
    session = start(duration_minutes=30).get_json()["session"]
    clock.move_to(paris(2027, 3, 2, 10, 20))

    response = client.post(
        f"/api/v1/sessions/{session['id']}/extend", json={"duration_minutes": 60}, headers=auth()
    )

    body = response.get_json()
    assert response.status_code == 200, body
    assert body["payment"]["amount_cents"] == 300  # case 8: 420 in all, 120 already paid
    assert body["session"]["ends_at"] == "2027-03-02T10:30:00Z"
    assert body["session"]["amount_cents"] == 420
    assert sorted(ledger_amounts()) == [("charge", 120), ("charge", 300)]


def test_an_extension_past_the_max_stay_is_422(clock, zone, start, client, auth):
    session = start(duration_minutes=90).get_json()["session"]

    response = client.post(
        f"/api/v1/sessions/{session['id']}/extend", json={"duration_minutes": 60}, headers=auth()
    )

    assert_error(response, 422, "exceeds_max_stay")
    assert db.session.scalar(select(Payment.purpose).where(Payment.purpose == "extension")) is None


def test_an_ended_session_cannot_be_extended_or_stopped(clock, zone, start, client, auth):
    session = start(duration_minutes=30).get_json()["session"]
    clock.move_to(paris(2027, 3, 2, 10, 31))

    extend = client.post(
        f"/api/v1/sessions/{session['id']}/extend", json={"duration_minutes": 30}, headers=auth()
    )
    stop = client.post(f"/api/v1/sessions/{session['id']}/stop", headers=auth())
    read = client.get(f"/api/v1/sessions/{session['id']}", headers=auth())

    assert_error(extend, 409, "session_ended")
    assert_error(stop, 409, "session_ended")
    assert read.get_json()["status"] == "ended"


def test_an_extension_declined_keeps_the_old_end(clock, zone, start, client, auth, stripe_app):
    session = start(duration_minutes=30).get_json()["session"]

    response = client.post(
        f"/api/v1/sessions/{session['id']}/extend",
        json={"duration_minutes": 30, "payment_method_id": stripe_app.card("declined_on_charge")},
        headers=auth(),
    )
    after = client.get(f"/api/v1/sessions/{session['id']}", headers=auth()).get_json()

    assert_error(response, 402, "payment_declined")
    assert after["ends_at"] == "2027-03-02T09:30:00Z"
    assert after["status"] == "active"


def test_stopping_early_refunds_the_unused_time(clock, zone, start, client, auth):
    session = start(duration_minutes=120).get_json()["session"]
    clock.move_to(paris(2027, 3, 2, 10, 40, 30))

    response = client.post(f"/api/v1/sessions/{session['id']}/stop", headers=auth())
    receipt = client.get(f"/api/v1/sessions/{session['id']}/receipt", headers=auth()).get_json()

    body = response.get_json()
    assert response.status_code == 200, body
    assert body["payment"] == {
        "status": "refunded",
        "amount_cents": 436,
        "client_secret": None,
    }  # case 10
    assert body["session"]["status"] == "ended"
    assert body["session"]["amount_cents"] == 164
    assert body["session"]["refunded_cents"] == 436
    assert sorted(ledger_amounts()) == [("charge", 600), ("refund", -436)]
    assert receipt["net_cents"] == 164
    assert [line["kind"] for line in receipt["lines"]] == ["charge", "refund"]


def test_a_stop_after_an_extension_refunds_across_both_charges(clock, zone, start, client, auth):
    session = start(duration_minutes=60).get_json()["session"]
    client.post(
        f"/api/v1/sessions/{session['id']}/extend", json={"duration_minutes": 60}, headers=auth()
    )
    clock.move_to(paris(2027, 3, 2, 10, 10))

    response = client.post(f"/api/v1/sessions/{session['id']}/stop", headers=auth())

    assert response.get_json()["payment"]["amount_cents"] == 560  # 600 paid, 40 used
    assert sum(amount for _kind, amount in ledger_amounts()) == 40


def test_an_open_ended_session_captures_the_time_used(clock, zone, start, client, auth):
    started = start(open_ended=True).get_json()
    clock.move_to(paris(2027, 3, 2, 11, 0))

    stopped = client.post(
        f"/api/v1/sessions/{started['session']['id']}/stop", headers=auth()
    ).get_json()

    assert started["payment"]["status"] == "requires_capture"  # case 11
    assert started["session"]["authorised_cents"] == 600
    assert started["session"]["amount_cents"] == 0
    assert stopped["payment"]["status"] == "succeeded"
    assert stopped["payment"]["amount_cents"] == 240
    assert stopped["session"]["amount_cents"] == 240
    assert ledger_amounts() == [("capture", 240)]


def test_an_open_ended_session_of_a_few_minutes_pays_the_card_minimum(
    clock, zone, start, client, auth
):
    session = start(open_ended=True).get_json()["session"]
    clock.move_to(paris(2027, 3, 2, 10, 5))

    stopped = client.post(f"/api/v1/sessions/{session['id']}/stop", headers=auth()).get_json()
    receipt = client.get(f"/api/v1/sessions/{session['id']}/receipt", headers=auth()).get_json()

    assert stopped["payment"]["amount_cents"] == 50  # 5 minutes cost 20 cents
    assert receipt["card_minimum_applied"] is True


def test_an_open_ended_session_that_cost_nothing_releases_the_hold(
    clock, zone, start, client, auth
):
    clock.move_to(paris(2027, 3, 2, 8, 0))  # free until 09:00
    session = start(open_ended=True).get_json()["session"]
    clock.move_to(paris(2027, 3, 2, 8, 45))

    stopped = client.post(f"/api/v1/sessions/{session['id']}/stop", headers=auth()).get_json()

    assert stopped["payment"]["status"] == "canceled"
    assert ledger_amounts() == []


def test_an_open_ended_session_cannot_be_extended(clock, zone, start, client, auth):
    session = start(open_ended=True).get_json()["session"]

    response = client.post(
        f"/api/v1/sessions/{session['id']}/extend", json={"duration_minutes": 10}, headers=auth()
    )

    assert_error(response, 409, "session_open_ended")


def test_the_drivers_list_filters_by_status(clock, zone, start, client, auth):
    first = start(duration_minutes=30).get_json()["session"]
    clock.move_to(paris(2027, 3, 2, 11, 0))
    second = start(duration_minutes=30).get_json()["session"]

    active = client.get("/api/v1/sessions?status=active", headers=auth()).get_json()
    ended = client.get("/api/v1/sessions?status=ended", headers=auth()).get_json()
    everything = client.get("/api/v1/sessions", headers=auth()).get_json()

    assert [s["id"] for s in active["items"]] == [second["id"]]
    assert [s["id"] for s in ended["items"]] == [first["id"]]
    assert [s["id"] for s in everything["items"]] == [second["id"], first["id"]]
