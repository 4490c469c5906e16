"""Fixtures of the enforcement tests: callers, checks over the API, sessions written directly.

Behaviour that depends on how a session was paid goes through the real API (`start`, in
tests/support/sessions.py); `paid_session` writes a session and its charge directly, for tests
that need hundreds of them or a session at a chosen instant in the past.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.db import db
from app.sessions.models import ParkingSession
from payments.models import LedgerEntry
from zones.models import Zone

CHECK = "/api/v1/enforcement/check"
RIGHTS = "/api/v1/enforcement/rights"


@pytest.fixture
def device_headers(make_device) -> dict[str, str]:
    """A scan car's API key (it does not expire when the clock moves)."""
    return make_device("scan-car")[1]


@pytest.fixture
def check(client: FlaskClient, device_headers: dict[str, str]) -> Callable[..., TestResponse]:
    """GET /enforcement/check as the scan car: `check("AB-123-CD", at=paris(...))`."""

    def get(
        plate: str, at: datetime | None = None, zone: str = "ISSY-1", headers: Any = None
    ) -> TestResponse:
        query = {"plate": plate, "zone": zone} | ({"at": at.isoformat()} if at else {})
        return client.get(CHECK, query_string=query, headers=headers or device_headers)

    return get


@pytest.fixture
def bulk_check(client: FlaskClient, device_headers: dict[str, str]) -> Callable[..., TestResponse]:
    def post(plates: list[Any], at: datetime | None = None, zone: str = "ISSY-1") -> TestResponse:
        body = {"zone": zone, "plates": plates} | ({"at": at.isoformat()} if at else {})
        return client.post(CHECK, json=body, headers=device_headers)

    return post


@pytest.fixture
def lookup_limit(app, monkeypatch) -> Callable[[str], None]:
    """Set ENFORCEMENT_RATE_LIMIT for this test (it is read on every request)."""

    def set_limit(value: str) -> None:
        settings = dataclasses.replace(app.config["SETTINGS"], enforcement_rate_limit=value)
        monkeypatch.setitem(app.config, "SETTINGS", settings)

    return set_limit


@pytest.fixture
def paid_session(driver) -> Callable[..., ParkingSession]:
    """A session of `plate` in `zone` over [starts_at, ends_at), paid `amount_cents` when it
    started (or at `covered_from`), written directly and committed."""

    def make(
        zone: Zone,
        plate: str,
        starts_at: datetime,
        minutes: int = 30,
        amount_cents: int = 120,
        **fields: Any,
    ) -> ParkingSession:
        ends_at = starts_at + timedelta(minutes=minutes)
        session = ParkingSession(
            user_id=driver.id,
            plate=plate,
            plate_raw=plate,
            zone_id=zone.id,
            tariff_version_id=zone.tariffs[0].id,
            profile="visitor",
            currency="EUR",
            starts_at=starts_at,
            ends_at=ends_at,
            max_ends_at=ends_at,
            held_until=ends_at,
            **({"status": "active", "covered_from": starts_at} | fields),
        )
        db.session.add(session)
        if amount_cents:
            db.session.flush()
            db.session.add(charge(session, amount_cents))
        db.session.commit()
        return session

    return make


def charge(session: ParkingSession, amount_cents: int) -> LedgerEntry:
    return LedgerEntry(
        kind="charge",
        amount_cents=amount_cents,
        currency="EUR",
        session_id=session.id,
        stripe_object_id=f"ch_{uuid.uuid4().hex}",
        occurred_at=session.starts_at,
    )
