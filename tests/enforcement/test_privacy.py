"""`privacy purge`: readable plates past their retention are removed or pseudonymised, once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db import db
from app.plates import Plate
from app.sessions.models import ParkingSession
from enforcement.audit import plate_hash, pseudonym
from enforcement.models import PlateLookup
from payments.ledger import money_of_sessions
from tests.support.sessions import paris
from zones.models import Permit
from zones.permits import create_permit, revoke_permit

LONG_AGO = paris(2025, 12, 1, 10, 0)  # over 400 days before the pinned 2027-03-02


@pytest.fixture
def history(clock, zone, paid_session, check):
    """Plates of every kind, some past their retention, some not (the clock ends at its pin)."""
    clock.move_to(paris(2027, 1, 4, 10, 0))
    check("OLD-UNPAID")  # unpaid, 57 days before the purge: plate removed
    paid_session(zone, "PAID1", paris(2027, 1, 4, 10, 0))
    check("PAID1")  # paid: never had a readable plate
    create_permit(Plate.parse("GONE1"), "exempt", ["ISSY-1"], LONG_AGO, paris(2028, 1, 1))
    revoke_permit(db.session.scalar(select(Permit.id).where(Permit.plate == "GONE1")))
    db.session.commit()
    clock.move_to(paris(2027, 3, 2, 10, 0))
    check("NEW-UNPAID")  # unpaid today: kept
    for starts_at in (LONG_AGO, LONG_AGO.replace(day=2)):
        paid_session(zone, "OLD1", starts_at, status="ended")
    paid_session(zone, "OLD2", LONG_AGO, status="cancelled", covered_from=None, amount_cents=0)
    paid_session(zone, "STUCK1", LONG_AGO)  # still "active": never touched
    paid_session(zone, "RECENT1", paris(2026, 6, 1, 10, 0), status="ended")
    for plate, until in (("EXPIRED1", paris(2027, 1, 1)), ("VALID1", paris(2028, 1, 1))):
        create_permit(Plate.parse(plate), "disabled", ["ISSY-1"], LONG_AGO, until)
    create_permit(Plate.parse("LATELY1"), "disabled", ["ISSY-1"], LONG_AGO, paris(2027, 2, 15))
    db.session.commit()


def _purge(app, *options: str) -> dict[str, int]:
    result = app.test_cli_runner().invoke(args=["privacy", "purge", *options])
    assert result.exit_code == 0, result.output
    counts = re.findall(r"^\s*(\d+)\s+(lookups|sessions|permits) ", result.stdout, re.MULTILINE)
    return {kind: int(count) for count, kind in counts}


def _everything() -> list[tuple]:
    """Every column of every row that holds a plate, in a stable order."""
    rows = []
    for model in (PlateLookup, ParkingSession, Permit):
        table = model.__table__
        rows += [tuple(row) for row in db.session.execute(select(table).order_by(table.c.id))]
    return rows


def _plates(model) -> dict[str, str]:
    return dict(db.session.execute(select(model.plate_raw, model.plate)).all())


def test_the_purge_forgets_only_the_plates_past_their_retention(app, history):
    money_before = money_of_sessions(db.session.scalars(select(ParkingSession.id)))

    counts = _purge(app)

    assert counts == {"lookups": 1, "sessions": 3, "permits": 2}
    lookups = db.session.execute(select(PlateLookup.plate, PlateLookup.plate_hash)).all()
    assert sorted(plate or "-" for plate, _ in lookups) == ["-", "-", "NEWUNPAID"]
    assert all(digest is not None for _, digest in lookups)
    assert db.session.scalar(
        select(PlateLookup.plate_hash).where(PlateLookup.plate_hash == plate_hash("OLDUNPAID"))
    )
    assert _plates(ParkingSession) == {
        pseudonym("OLD1"): pseudonym("OLD1"),  # both sessions of OLD1: one pseudonym
        pseudonym("OLD2"): pseudonym("OLD2"),
        "STUCK1": "STUCK1",
        "RECENT1": "RECENT1",
        "PAID1": "PAID1",
    }
    assert sorted(_plates(Permit).values()) == sorted(
        [pseudonym("GONE1"), pseudonym("EXPIRED1"), "LATELY1", "VALID1"]
    )
    assert money_of_sessions(db.session.scalars(select(ParkingSession.id))) == money_before


def test_a_pseudonym_is_never_a_plate_and_fits_the_plate_columns(app):
    made = pseudonym("AB123CD")

    assert made == "~" + plate_hash("AB123CD")[:15]
    assert len(made) == 16
    with pytest.raises(ValueError, match="plate"):
        Plate.parse(made)


def test_a_second_purge_changes_nothing(app, history):
    _purge(app)
    before = _everything()

    counts = _purge(app)

    assert counts == {"lookups": 0, "sessions": 0, "permits": 0}
    assert _everything() == before


def test_small_batches_come_to_the_same_result(app, history):
    counts = _purge(app, "--batch-size", "1")

    assert counts == {"lookups": 1, "sessions": 3, "permits": 2}
    assert _purge(app) == {"lookups": 0, "sessions": 0, "permits": 0}


def test_the_purge_leaves_times_and_the_rights_feed_stamp_alone(app, history):
    def times():
        return db.session.execute(
            select(
                ParkingSession.starts_at,
                ParkingSession.ends_at,
                ParkingSession.updated_at,
                ParkingSession.zone_id,
            ).order_by(ParkingSession.starts_at, ParkingSession.id)
        ).all()

    before = times()

    _purge(app)

    assert times() == before
