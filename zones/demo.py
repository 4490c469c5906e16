"""Demo zones of Issy-les-Moulineaux, each with a tariff in force since 2026 (`app.demo`).

The outlines are simplified but plausible and do not overlap (neighbours share a border): the
riverside quarter to the north, the town centre around the Mairie, the heights around the Fort.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.db import db
from zones.models import Zone
from zones.services import create_zone
from zones.tariffs import record_tariff_version

MONDAY_TO_SATURDAY = ["mon", "tue", "wed", "thu", "fri", "sat"]
RESIDENT = {"price_points": [[0, 0], [600, 150], [3000, 750]], "max_stay_minutes": 3000}


@dataclass(frozen=True)
class DemoZone:
    code: str
    name: str
    outline: list[tuple[float, float]]  # (longitude, latitude), the first repeated last
    visitor_points: list[list[int]]
    max_stay_minutes: int

    @property
    def geometry(self) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": [[list(point) for point in self.outline]]}

    @property
    def tariff(self) -> dict[str, Any]:
        """A version shaped like TARIFFS.md's example, in force long before any demo session."""
        return {
            "effective_from": "2026-01-01T00:00:00+01:00",
            "currency": "EUR",
            "paid_hours": [{"days": MONDAY_TO_SATURDAY, "from": "09:00", "to": "19:00"}],
            "free_on_public_holidays": True,
            "max_stay_minutes": self.max_stay_minutes,
            "grace_minutes": 5,
            "fps_amount_cents": 3500,
            "refund_unused": True,
            "profiles": {
                "visitor": {"price_points": self.visitor_points},
                "resident": copy.deepcopy(RESIDENT),
            },
        }


DEMO_ZONES = (
    DemoZone(
        code="ISSY-CENTRE",
        name="Issy – Centre-ville (Mairie)",
        outline=[
            (2.2600, 48.8270),
            (2.2760, 48.8270),
            (2.2800, 48.8250),
            (2.2790, 48.8200),
            (2.2620, 48.8200),
            (2.2600, 48.8270),
        ],
        visitor_points=[[0, 0], [60, 240], [120, 600]],
        max_stay_minutes=120,
    ),
    DemoZone(
        code="ISSY-VAL-DE-SEINE",
        name="Issy – Val de Seine",
        outline=[
            (2.2540, 48.8290),
            (2.2620, 48.8340),
            (2.2760, 48.8330),
            (2.2760, 48.8270),
            (2.2560, 48.8270),
            (2.2540, 48.8290),
        ],
        visitor_points=[[0, 0], [60, 200], [180, 700]],
        max_stay_minutes=180,
    ),
    DemoZone(
        code="ISSY-LES-HAUTS",
        name="Issy – Les Hauts d'Issy (Fort)",
        outline=[
            (2.2450, 48.8160),
            (2.2480, 48.8200),
            (2.2620, 48.8200),
            (2.2680, 48.8170),
            (2.2600, 48.8130),
            (2.2470, 48.8130),
            (2.2450, 48.8160),
        ],
        # The first quarter of an hour is free: a quick errand costs nothing.
        visitor_points=[[0, 0], [15, 0], [60, 150], [240, 800]],
        max_stay_minutes=240,
    ),
)


def load_demo_zones() -> list[Zone]:
    """Create the demo zones and their tariffs that are missing; the caller commits."""
    zones = []
    for demo in DEMO_ZONES:
        zone = db.session.scalar(select(Zone).where(Zone.code == demo.code))
        if zone is None:
            zone = create_zone(demo.code, demo.name, demo.geometry)
        if not zone.tariffs:
            record_tariff_version(zone, demo.tariff)
        zones.append(zone)
    return zones
