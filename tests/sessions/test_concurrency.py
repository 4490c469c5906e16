"""Races that only a real multi-connection database shows (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.db import db, utcnow
from app.sessions import settlement
from app.sessions.models import ParkingSession
from payments.models import LedgerEntry, Payment
from tests.support.sessions import paris

pytestmark = pytest.mark.postgres_only


def test_twenty_racing_starts_for_one_plate_give_one_session_and_one_payment(
    app, clock, zone, client, auth, stripe_app
):
    headers = auth()
    client.post("/api/v1/me/payment-methods", headers=headers)  # the Stripe customer exists
    card = stripe_app.card()
    body = {
        "zone_code": "ISSY-1",
        "plate": "AB-123-CD",
        "duration_minutes": 60,
        "payment_method_id": card,
    }

    def race(_: int) -> int:
        with app.test_client() as racer:
            return racer.post("/api/v1/sessions", json=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = sorted(pool.map(race, range(20)))

    assert answers == [201] + [409] * 19
    assert db.session.scalar(select(func.count()).select_from(ParkingSession)) == 1
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1


def test_settle_run_twice_at_once_captures_once(app, clock, zone, start):
    clock.move_to(paris(2027, 3, 2, 18, 0))
    for plate in ("AA-001-AA", "AA-002-AA", "AA-003-AA"):
        start(open_ended=True, plate=plate)
    clock.move_to(paris(2027, 3, 3, 10, 1))

    def settle(_: int) -> int:
        with app.app_context():
            return settlement.settle(utcnow()).sessions_auto_ended

    with ThreadPoolExecutor(max_workers=2) as pool:
        ended = list(pool.map(settle, range(2)))

    captures = db.session.scalars(
        select(LedgerEntry.amount_cents).where(LedgerEntry.kind == "capture")
    ).all()
    assert sum(ended) == 3
    assert sorted(captures) == [600, 600, 600]
