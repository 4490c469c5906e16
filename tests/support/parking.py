"""Zones and tariffs for session tests: the example of TARIFFS.md in Issy."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from app.db import db
from zones.models import TariffVersion, Zone

# TARIFFS.md's example version: Mon-Sat 09:00-19:00, 2 h max, 5 min grace, FPS 35 EUR.
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
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[2.26, 48.82], [2.27, 48.82], [2.27, 48.83], [2.26, 48.83], [2.26, 48.82]]],
}


def create_zone(
    code: str = "ISSY-1", rules: dict[str, Any] | None = None, *, active: bool = True
) -> Zone:
    zone = Zone(
        code=code, name=f"Zone {code}", geometry=SQUARE, timezone="Europe/Paris", active=active
    )
    db.session.add(zone)
    db.session.flush()
    db.session.add(
        TariffVersion(
            zone_id=zone.id,
            version=1,
            effective_from=datetime(2026, 1, 1, tzinfo=UTC),
            currency="EUR",
            rules=copy.deepcopy(rules or EXAMPLE_RULES),
        )
    )
    db.session.commit()
    return zone
