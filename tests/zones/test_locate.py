"""Locating a GPS fix: the zones that hold it, from each worker's index, rebuilt on any change."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import bearer
from tests.support.zones import square
from tests.test_errors import assert_error
from zones import locator

LOCATE = "/api/v1/zones/locate"
# Two squares 0.01 degrees wide, side by side along the latitude 48.82.
WEST, EAST = square(2.26, 48.82), square(2.27, 48.82)


def _located(client, lat: float, lon: float) -> list[str]:
    response = client.get(f"{LOCATE}?lat={lat}&lon={lon}")
    assert response.status_code == 200, response.get_json()
    return [zone["code"] for zone in response.get_json()["items"]]


def _multi(*polygons):
    return {"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in polygons]}


@pytest.fixture
def two_zones(make_zone):
    make_zone("WEST", geometry=WEST, rules=None)
    make_zone("EAST", geometry=EAST, rules=None)


@pytest.mark.parametrize(
    ("lat", "lon", "codes"),
    [
        (48.825, 2.265, ["WEST"]),
        (48.825, 2.275, ["EAST"]),
        (48.825, 2.27, ["EAST", "WEST"]),  # on the shared border
        (48.835, 2.265, []),
        (0, 0, []),
    ],
)
def test_a_point_is_located_in_the_zones_that_hold_it(client, two_zones, lat, lon, codes):
    assert _located(client, lat, lon) == codes


def test_a_point_in_either_part_of_a_multipolygon_is_in_that_zone(client, make_zone):
    make_zone("SPLIT", geometry=_multi(square(2.26, 48.82), square(2.30, 48.82)), rules=None)
    make_zone("OVER", geometry=square(2.305, 48.825), rules=None)

    assert _located(client, 48.825, 2.265) == ["SPLIT"]
    assert _located(client, 48.828, 2.308) == ["OVER", "SPLIT"]
    assert _located(client, 48.825, 2.285) == []


def test_an_inactive_zone_is_not_located(client, make_zone):
    make_zone("OFF", geometry=WEST, rules=None, active=False)

    assert _located(client, 48.825, 2.265) == []


def test_the_index_follows_a_new_zone_a_new_shape_and_a_deactivation(
    client, headers_for, two_zones, make_zone
):
    admin = headers_for("admin")
    assert _located(client, 48.825, 2.265) == ["WEST"]

    make_zone("NORTH", geometry=square(2.26, 48.83), rules=None)
    assert _located(client, 48.835, 2.265) == ["NORTH"]

    client.patch("/api/v1/zones/WEST", json={"geometry": square(2.26, 48.80)}, headers=admin)
    assert _located(client, 48.825, 2.265) == []
    assert _located(client, 48.805, 2.265) == ["WEST"]

    client.patch("/api/v1/zones/EAST", json={"active": False}, headers=admin)
    assert _located(client, 48.825, 2.275) == []


def test_a_change_made_through_another_worker_is_seen_at_once(
    client, app_env, make_user, two_zones
):
    other_worker = create_app(app_env)  # its own index, the same database
    admin = bearer(make_user("admin"))
    assert _located(client, 48.825, 2.265) == ["WEST"]

    with other_worker.app_context():
        other_worker.test_client().patch(
            "/api/v1/zones/WEST", json={"active": False}, headers=admin
        )

    assert _located(client, 48.825, 2.265) == []


def test_the_index_is_kept_while_no_zone_changes(two_zones):
    first = locator.current_index()

    assert locator.current_index() is first
    assert first.fingerprint == locator.zones_fingerprint()


@pytest.mark.parametrize(
    "query",
    [
        "lat=91&lon=2.26",
        "lat=48.8&lon=-181",
        "lon=2.26",
        "lat=48.8",
        "lat=north&lon=2",
        "lat=nan&lon=2",
    ],
)
def test_a_bad_gps_fix_is_422(client, query):
    response = client.get(f"{LOCATE}?{query}")

    assert_error(response, 422, "validation_error")
