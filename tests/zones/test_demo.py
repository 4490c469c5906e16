"""The demo zones of Issy-les-Moulineaux: loaded once, plausible, priced from today."""

from __future__ import annotations

from itertools import combinations

import pytest
import time_machine
from sqlalchemy import func, select

from app import demo
from app.db import db
from zones.demo import DEMO_ZONES, load_demo_zones
from zones.geometry import to_shape
from zones.models import TariffVersion, Zone


def _counts() -> tuple[int, int]:
    zones = db.session.scalar(select(func.count(Zone.id)))
    return zones, db.session.scalar(select(func.count(TariffVersion.id)))


def test_loading_the_demo_zones_again_changes_nothing():
    load_demo_zones()
    db.session.commit()

    load_demo_zones()
    db.session.commit()

    assert _counts() == (3, 3)


def test_the_demo_loader_of_the_app_loads_the_zones(monkeypatch):
    monkeypatch.setattr(demo, "load_demo_accounts", dict)

    demo.load_demo()

    assert _counts() == (3, 3)


def test_the_demo_zones_do_not_overlap():
    shapes = [to_shape(zone.geometry) for zone in DEMO_ZONES]

    assert all(shape.is_valid for shape in shapes)
    assert [a.intersection(b).area for a, b in combinations(shapes, 2)] == [0, 0, 0]


@pytest.mark.parametrize(
    ("place", "lat", "lon", "code"),
    [
        ("Mairie d'Issy", 48.8237, 2.2705, "ISSY-CENTRE"),
        ("Issy Val de Seine station", 48.8300, 2.2640, "ISSY-VAL-DE-SEINE"),
        ("Fort d'Issy", 48.8185, 2.2570, "ISSY-LES-HAUTS"),
    ],
)
def test_landmarks_are_located_in_their_demo_zone(client, place, lat, lon, code):
    load_demo_zones()
    db.session.commit()

    response = client.get(f"/api/v1/zones/locate?lat={lat}&lon={lon}")

    assert [zone["code"] for zone in response.get_json()["items"]] == [code], place


@pytest.mark.parametrize("code", [zone.code for zone in DEMO_ZONES])
@pytest.mark.parametrize("profile", ["visitor", "resident"])
def test_every_demo_zone_quotes_a_stay_starting_now(client, code, profile):
    load_demo_zones()
    db.session.commit()

    with time_machine.travel("2026-12-01T10:00:00+01:00", tick=False):
        response = client.get(f"/api/v1/zones/{code}/quote?duration_minutes=60&profile={profile}")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["amount_cents"] > 0
