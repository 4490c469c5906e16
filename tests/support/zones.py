"""Zones and tariffs for tests of every package: TARIFFS.md's example and a `make_zone` factory.

A pytest plugin of tests/conftest.py: its fixtures are available to every test.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from app.db import db
from zones.models import Zone
from zones.services import create_zone
from zones.tariffs import record_tariff_version

# The rules of TARIFFS.md's example version, in the shape stored in `TariffVersion.rules`.
EXAMPLE_RULES: dict[str, Any] = {
    "paid_hours": [
        {"days": ["mon", "tue", "wed", "thu", "fri", "sat"], "from": "09:00", "to": "19:00"}
    ],
    "free_on_public_holidays": True,
    "max_stay_minutes": 120,
    "grace_minutes": 5,
    "fps_amount_cents": 3500,
    "refund_unused": True,
    "profiles": {
        "visitor": {"price_points": [[0, 0], [60, 240], [120, 600]]},
        "resident": {"price_points": [[0, 0], [600, 150], [3000, 750]], "max_stay_minutes": 3000},
    },
}
# The whole document of TARIFFS.md, as posted to `POST /zones/{code}/tariffs`.
EXAMPLE_TARIFF: dict[str, Any] = {
    "effective_from": "2027-01-01T00:00:00+01:00",
    "currency": "EUR",
    **EXAMPLE_RULES,
}
# make_zone's tariffs take effect then: in force now, and for every worked example of 2027.
IN_FORCE_SINCE = "2026-01-01T00:00:00+01:00"


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON Polygon: the square of side `size` degrees whose south-west corner is given."""
    east, north = round(lon + size, 9), round(lat + size, 9)  # 2.26 + 0.01 is 2.2699999999999996
    ring = [[lon, lat], [east, lat], [east, north], [lon, north], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def example_tariff(**changes: Any) -> dict[str, Any]:
    """A deep copy of EXAMPLE_TARIFF with top-level fields replaced."""
    return copy.deepcopy(EXAMPLE_TARIFF) | changes


_codes = itertools.count(1)


@pytest.fixture
def make_zone() -> Callable[..., Zone]:
    """`make_zone(code=..., rules=EXAMPLE_RULES, ...)`: a zone and a tariff in force since 2026,
    created through the zones services and committed. `rules=None` makes a zone with no tariff."""

    def make(
        code: str | None = None,
        *,
        rules: dict[str, Any] | None = EXAMPLE_RULES,
        effective_from: str = IN_FORCE_SINCE,
        currency: str = "EUR",
        geometry: dict[str, Any] | None = None,
        name: str | None = None,
        timezone: str = "Europe/Paris",
        country: str = "FR",
        active: bool = True,
    ) -> Zone:
        code = code or f"TEST-{next(_codes)}"
        zone = create_zone(
            code,
            name or f"Zone {code}",
            geometry or square(2.26, 48.82),
            timezone=timezone,
            country=country,
            active=active,
        )
        if rules is not None:
            document = {"effective_from": effective_from, "currency": currency}
            record_tariff_version(zone, document | copy.deepcopy(rules))
        db.session.commit()
        return zone

    return make
