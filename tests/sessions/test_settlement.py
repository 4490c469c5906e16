from __future__ import annotations

from sqlalchemy import select

from app.db import db, utcnow
from app.sessions import settlement
from app.sessions.models import Notification, ParkingSession
from payments.models import LedgerEntry, Payment
from tests.support.sessions import paris


def test_an_open_ended_session_never_stopped_ends_at_its_max_and_is_captured(clock, zone, start):
    clock.move_to(paris(2027, 3, 2, 18, 0))
    session_id = start(open_ended=True).get_json()["session"]["id"]
    clock.move_to(paris(2027, 3, 3, 10, 1))

    report = settlement.settle(utcnow())

    session = db.session.scalar(select(ParkingSession))
    assert str(session.id) == session_id
    assert report.sessions_auto_ended == 1
    assert session.status == "ended"
    assert session.ends_at == paris(2027, 3, 3, 10, 0)  # case 12: Wednesday 10:00
    assert db.session.scalar(select(LedgerEntry.amount_cents)) == 600


def test_settle_run_again_captures_nothing_more(clock, zone, start):
    clock.move_to(paris(2027, 3, 2, 18, 0))
    start(open_ended=True)
    clock.move_to(paris(2027, 3, 3, 10, 1))

    settlement.settle(utcnow())
    second = settlement.settle(utcnow())

    assert second.sessions_auto_ended == 0
    assert len(db.session.scalars(select(LedgerEntry)).all()) == 1


def test_three_d_secure_abandoned_for_15_minutes_cancels_the_session(clock, zone, start):
    start(card="three_d_secure", duration_minutes=30)
    clock.move_to(paris(2027, 3, 2, 10, 16))

    report = settlement.settle(utcnow())

    assert report.payments_abandoned == 1
    assert db.session.scalar(select(ParkingSession.status)) == "cancelled"
    assert db.session.scalar(select(Payment.status)) == "canceled"


def test_prepaid_sessions_past_their_end_are_closed(clock, zone, start):
    start(duration_minutes=30)
    clock.move_to(paris(2027, 3, 2, 10, 31))

    report = settlement.settle(utcnow())

    assert report.sessions_closed == 1
    assert db.session.scalar(select(ParkingSession.status)) == "ended"


def test_a_refund_left_pending_by_an_outage_is_finished_by_settle(clock, zone, start):
    start(duration_minutes=120)
    session = db.session.scalar(select(ParkingSession))
    clock.move_to(paris(2027, 3, 2, 10, 40, 30))
    settlement.end_session(session, utcnow())  # as if the stop request died before Stripe
    db.session.commit()

    report = settlement.settle(utcnow())

    assert report.settlements_finished == 1
    refunds = db.session.scalars(
        select(LedgerEntry.amount_cents).where(LedgerEntry.kind == "refund")
    ).all()
    assert refunds == [-436]
    assert db.session.scalar(select(ParkingSession.settlement_due)) is False


def test_remind_records_one_notification_per_session_end(clock, zone, start, client, auth):
    session_id = start(duration_minutes=30).get_json()["session"]["id"]
    clock.move_to(paris(2027, 3, 2, 10, 22))

    first = settlement.remind(utcnow())
    second = settlement.remind(utcnow())
    listed = client.get("/api/v1/me/notifications", headers=auth()).get_json()

    assert (first, second) == (1, 0)
    assert listed["items"][0]["session_id"] == session_id
    assert "8 minutes" in listed["items"][0]["message"]
    assert db.session.scalar(select(Notification.kind)) == "ends_soon"


def test_the_cli_commands_run(app, clock, zone, start):
    start(duration_minutes=30)
    runner = app.test_cli_runner()

    settle = runner.invoke(args=["sessions", "settle"])
    remind = runner.invoke(args=["sessions", "remind"])

    assert settle.exit_code == 0, settle.output
    assert "sessions closed: 0" in settle.output
    assert remind.exit_code == 0, remind.output
