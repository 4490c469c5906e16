"""Every lookup is audited; only an `unpaid` one keeps a readable plate; no plate is logged."""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.db import db, utcnow
from enforcement.models import PlateLookup
from tests.conftest import bearer
from tests.support.sessions import paris

TEN_TWENTY = paris(2027, 3, 2, 10, 20)


def lookups() -> list[PlateLookup]:
    return list(db.session.scalars(select(PlateLookup).order_by(PlateLookup.status)))


def keyed_hash(app, plate: str) -> str:
    key = app.config["SETTINGS"].plate_hash_secret
    return hmac.new(key, plate.encode(), hashlib.sha256).hexdigest()


def test_a_paid_answer_keeps_only_a_keyed_hash_of_the_plate(
    app, clock, zone, paid_session, check, make_device
):
    paid_session(zone, "AB123CD", paris(2027, 3, 2, 10, 0))
    device, headers = make_device("car-7")

    check("ab-123-cd", at=TEN_TWENTY, headers=headers)

    [lookup] = lookups()
    assert (lookup.status, lookup.plate) == ("paid", None)
    assert lookup.plate_hash == keyed_hash(app, "AB123CD")
    assert lookup.plate_hash != hashlib.sha256(b"AB123CD").hexdigest()
    assert (lookup.caller_kind, lookup.caller_id, lookup.caller_role) == (
        "device",
        device.id,
        "device",
    )
    assert (lookup.zone_id, lookup.assessed_at, lookup.looked_up_at) == (
        zone.id,
        TEN_TWENTY,
        paris(2027, 3, 2, 10, 0),
    )


def test_an_unpaid_answer_keeps_the_plate_as_evidence(app, clock, zone, check, make_user):
    officer = make_user("officer")

    check("AB-123-CD", headers=bearer(officer))

    [lookup] = lookups()
    assert (lookup.status, lookup.plate, lookup.plate_hash) == (
        "unpaid",
        "AB123CD",
        keyed_hash(app, "AB123CD"),
    )
    assert (lookup.caller_kind, lookup.caller_id, lookup.caller_role) == (
        "user",
        officer.id,
        "officer",
    )


def test_a_bulk_check_audits_each_plate(clock, zone, paid_session, bulk_check):
    paid_session(zone, "AB123CD", paris(2027, 3, 2, 10, 0))

    bulk_check(["AB123CD", "EF-456-GH", "??"], TEN_TWENTY)

    assert [(lookup.status, lookup.plate, bool(lookup.plate_hash)) for lookup in lookups()] == [
        ("invalid_plate", None, False),
        ("paid", None, True),
        ("unpaid", "EF456GH", True),
    ]


@pytest.mark.parametrize("status", ["paid", "free", "grace", "invalid_plate"])
def test_the_database_refuses_a_readable_plate_on_any_answer_but_unpaid(zone, status):
    row = {
        "id": uuid.uuid4(),
        "looked_up_at": utcnow(),
        "caller_kind": "device",
        "caller_id": uuid.uuid4(),
        "caller_role": "device",
        "zone_id": zone.id,
        "assessed_at": utcnow(),
        "status": status,
        "plate_hash": "0" * 64,
        "plate": "AB123CD",
    }

    with pytest.raises(IntegrityError, match="plate_only_if_unpaid"):
        db.session.execute(insert(PlateLookup).values(row))
    db.session.rollback()


def test_no_plate_reaches_the_logs(
    clock, zone, paid_session, check, bulk_check, lookup_limit, caplog
):
    paid_session(zone, "AB123CD", paris(2027, 3, 2, 10, 0))
    lookup_limit("6 per minute")
    caplog.set_level(logging.DEBUG)

    check("AB-123-CD", at=TEN_TWENTY)
    check("EF-456-GH", at=TEN_TWENTY)
    bulk_check(["AB123CD", "EF456GH", "GH 789 JK"], TEN_TWENTY)
    check("!!", at=TEN_TWENTY)
    refused = bulk_check(["AB123CD", "GH 789 JK"], TEN_TWENTY)  # the limiter logs a refusal

    logged = " ".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert refused.status_code == 429
    assert "exceeded" in logged
    for plate in ("AB123CD", "AB-123-CD", "EF456GH", "EF-456-GH", "GH789JK", "GH 789 JK"):
        assert plate not in logged


def test_database_errors_never_carry_their_parameters(zone):
    statement = insert(PlateLookup).values(
        id=uuid.uuid4(),
        looked_up_at=utcnow(),
        caller_kind="device",
        caller_id=uuid.uuid4(),
        caller_role="device",
        zone_id=zone.id,
        assessed_at=utcnow(),
        status="paid",
        plate="AB123CD",  # refused: a paid answer keeps no plate
    )

    with pytest.raises(IntegrityError) as refused:
        db.session.execute(statement)
    db.session.rollback()

    # (PostgreSQL's own DETAIL line may still quote the failing row: docs/PRIVACY.md.)
    assert "[parameters:" not in str(refused.value)
    assert "hidden due to hide_parameters" in str(refused.value)
