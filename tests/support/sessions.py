"""Fixtures for everything that starts sessions: a pinned clock, a zone, the driver, cards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask.testing import FlaskClient

from app.accounts.models import User
from tests.conftest import bearer
from tests.support.stripe import StripeApp
from zones.models import Zone

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The service's clock, pinned on Tuesday 2 March 2027, 10:00 in Issy (TARIFFS.md's case 1)."""
    with time_machine.travel(paris(2027, 3, 2, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def zone(make_zone: Callable[..., Zone]) -> Zone:
    """ISSY-1, priced by TARIFFS.md's example version."""
    return make_zone("ISSY-1")


@pytest.fixture
def auth(clock: time_machine.Traveller, driver: User) -> Callable[[], dict[str, str]]:
    """Fresh credentials of the driver at the pinned time (tokens live 15 minutes)."""
    return lambda: bearer(driver)


@pytest.fixture
def start(
    client: FlaskClient, auth: Callable[[], dict[str, str]], stripe_app: StripeApp
) -> Callable[..., Any]:
    """POST /sessions as the driver with a fresh card of `card` kind (None: no card)."""

    def start_session(
        card: str | None = "visa", headers: dict[str, str] | None = None, **body: Any
    ):
        body.setdefault("zone_code", "ISSY-1")
        body.setdefault("plate", "AB-123-CD")
        if card is not None:
            body.setdefault("payment_method_id", stripe_app.card(card))
        return client.post("/api/v1/sessions", json=body, headers=headers or auth())

    return start_session
