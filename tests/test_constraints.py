"""The guards autogenerate cannot see exist, and refuse what they must, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.db import db, utcnow
from app.sessions.models import OVERLAP_CONSTRAINT, ParkingSession
from payments.models import LedgerEntry


def make_session(user, zone, start, end, status="active", plate="AB123CD") -> ParkingSession:
    session = ParkingSession(
        user_id=user.id,
        plate=plate,
        plate_raw=plate,
        zone_id=zone.id,
        tariff_version_id=zone.tariffs[0].id,
        profile="visitor",
        status=status,
        starts_at=start,
        ends_at=end,
        max_ends_at=end,
        held_until=end,
        currency="EUR",
    )
    db.session.add(session)
    db.session.commit()
    return session


@pytest.fixture
def zone(make_zone):
    return make_zone("Z1")


def test_the_database_refuses_two_overlapping_sessions_of_one_plate_in_one_zone(driver, zone):
    now = utcnow()
    make_session(driver, zone, now, now + timedelta(hours=1))

    with pytest.raises(IntegrityError, match=OVERLAP_CONSTRAINT):
        make_session(driver, zone, now + timedelta(minutes=30), now + timedelta(hours=2))
    db.session.rollback()


def test_the_overlap_guard_also_watches_updates(driver, zone):
    now = utcnow()
    make_session(driver, zone, now, now + timedelta(hours=1))
    later = make_session(driver, zone, now + timedelta(hours=2), now + timedelta(hours=3))

    with pytest.raises(IntegrityError, match=OVERLAP_CONSTRAINT):
        db.session.execute(
            update(ParkingSession)
            .where(ParkingSession.id == later.id)
            .values(starts_at=now + timedelta(minutes=30))
        )
    db.session.rollback()


@pytest.mark.parametrize(
    ("status", "plate", "offset"),
    [
        ("cancelled", "AB123CD", timedelta(0)),  # cancelled sessions hold nothing
        ("ended", "AB123CD", timedelta(0)),
        ("active", "ZZ999ZZ", timedelta(0)),  # another plate
        ("active", "AB123CD", timedelta(hours=1)),  # back to back: [start, end) ranges
    ],
)
def test_sessions_that_do_not_hold_the_same_slot_are_allowed(driver, zone, status, plate, offset):
    now = utcnow()
    make_session(driver, zone, now, now + timedelta(hours=1))

    make_session(
        driver, zone, now + offset, now + offset + timedelta(hours=1), status=status, plate=plate
    )


def test_ledger_rows_cannot_be_changed(driver, zone):
    now = utcnow()
    session = make_session(driver, zone, now, now + timedelta(hours=1))
    db.session.add(
        LedgerEntry(
            kind="charge",
            amount_cents=240,
            currency="EUR",
            session_id=session.id,
            stripe_object_id="ch_1",
            occurred_at=now,
        )
    )
    db.session.commit()

    with pytest.raises(DBAPIError, match="immutable"):
        db.session.execute(update(LedgerEntry).values(amount_cents=1))
    db.session.rollback()


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("charge", -1), ("refund", 100), ("capture", 0), ("bonus", 10)],
)
def test_ledger_amounts_must_have_their_kinds_sign(driver, zone, kind, amount):
    now = utcnow()
    session = make_session(driver, zone, now, now + timedelta(hours=1))
    db.session.add(
        LedgerEntry(
            kind=kind,
            amount_cents=amount,
            currency="EUR",
            session_id=session.id,
            stripe_object_id="x_1",
            occurred_at=now,
        )
    )

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
