"""Zones over HTTP: public reads, admin writes, and every refused geometry."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from app.db import db
from tests.support.zones import square
from tests.test_errors import assert_error
from zones.models import Zone
from zones.services import ZoneChanged, update_zone

ZONES = "/api/v1/zones"


def _zone_count() -> int:
    return db.session.scalar(select(func.count(Zone.id)))


def _body(**changes):
    return {"code": "ISSY-1", "name": "Issy – Centre", "geometry": square(2.26, 48.82)} | changes


@pytest.fixture
def admin(headers_for):
    return headers_for("admin")


def test_admin_creates_a_zone_with_the_city_defaults(client, admin):
    response = client.post(ZONES, json=_body(code="issy-1"), headers=admin)

    assert response.status_code == 201
    zone = response.get_json()
    assert zone["code"] == "ISSY-1"
    assert zone["timezone"] == "Europe/Paris"
    assert zone["country"] == "FR"
    assert zone["active"] is True
    assert zone["geometry"] == square(2.26, 48.82)
    assert zone["created_at"].endswith("Z")


def test_a_zone_is_read_by_anyone_by_its_code_in_any_case(client, make_zone):
    make_zone("ISSY-1", rules=None)

    response = client.get(f"{ZONES}/issy-1")

    assert response.status_code == 200
    assert response.get_json()["code"] == "ISSY-1"


def test_zones_are_listed_by_code_one_page_at_a_time(client, make_zone):
    for code in ("C", "A", "B"):
        make_zone(code, rules=None)

    first = client.get(f"{ZONES}?limit=2").get_json()
    second = client.get(f"{ZONES}?limit=2&cursor={first['next_cursor']}").get_json()

    assert [zone["code"] for zone in first["items"]] == ["A", "B"]
    assert [zone["code"] for zone in second["items"]] == ["C"]
    assert second["next_cursor"] is None


def test_the_list_can_show_only_active_zones(client, make_zone):
    make_zone("ON", rules=None)
    make_zone("OFF", rules=None, active=False)

    response = client.get(f"{ZONES}?active=true")

    assert [zone["code"] for zone in response.get_json()["items"]] == ["ON"]


def test_a_duplicate_code_is_409_and_changes_nothing(client, admin, make_zone):
    make_zone("ISSY-1", rules=None)

    response = client.post(ZONES, json=_body(code="Issy-1"), headers=admin)

    assert_error(response, 409, "zone_exists")
    assert _zone_count() == 1


def test_creating_a_zone_honours_the_idempotency_key(client, admin):
    headers = admin | {"Idempotency-Key": "zone-1"}

    first = client.post(ZONES, json=_body(), headers=headers)
    again = client.post(ZONES, json=_body(), headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert _zone_count() == 1


RING = [[2.26, 48.82], [2.27, 48.82], [2.27, 48.83], [2.26, 48.83], [2.26, 48.82]]


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        ({"type": "Polygon", "coordinates": [RING[:-1]]}, "open ring"),
        ({"type": "Polygon", "coordinates": [[RING[0], RING[1], RING[0]]]}, "too few points"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "Self-intersection",
        ),
        (
            {"type": "Polygon", "coordinates": [[[181, 0], [182, 0], [182, 1], [181, 0]]]},
            "longitude 181.0 is out of range",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 91], [1, 91], [1, 92], [0, 91]]]},
            "latitude 91.0 is out of range",
        ),
        ({"type": "Point", "coordinates": [2.26, 48.82]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon"}, "coordinates must be a list"),
        ({"type": "Polygon", "coordinates": [[["a", "b"], RING[1], RING[2], RING[0]]]}, "position"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}, "Self-inter"),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [
                    [square(0, 0, 1)["coordinates"][0]],
                    [square(0.5, 0.5, 1)["coordinates"][0]],
                ],
            },
            "Self-intersection",
        ),
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "GeoJSON object"),
    ],
)
def test_a_bad_geometry_is_422_naming_the_problem_and_changes_nothing(
    client, admin, geometry, words
):
    response = client.post(ZONES, json=_body(geometry=geometry), headers=admin)

    body = assert_error(response, 422, "validation_error")
    assert words in " ".join(body["errors"]["geometry"])
    assert _zone_count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "ISSY 1"}, "code"),
        ({"code": "locate"}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"timezone": "Europe/Issy"}, "timezone"),
        ({"country": "XX"}, "country"),
        ({"country": "FR", "subdivision": "99"}, "subdivision"),
        ({"active": "maybe"}, "active"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_zone_field_is_422_on_that_field(client, admin, changes, field):
    response = client.post(ZONES, json=_body(**changes), headers=admin)

    body = assert_error(response, 422, "validation_error")
    assert field in body["errors"]
    assert _zone_count() == 0


def test_admin_renames_reshapes_and_deactivates_a_zone(client, admin, make_zone):
    make_zone("ISSY-1", rules=None)
    changes = {"name": "Issy – Mairie", "geometry": square(2.27, 48.82), "active": False}

    response = client.patch(f"{ZONES}/ISSY-1", json=changes, headers=admin)

    assert response.status_code == 200
    zone = response.get_json()
    assert (zone["name"], zone["geometry"], zone["active"]) == (
        "Issy – Mairie",
        square(2.27, 48.82),
        False,
    )


def test_the_code_of_a_zone_cannot_be_patched(client, admin, make_zone):
    make_zone("ISSY-1", rules=None)

    response = client.patch(f"{ZONES}/ISSY-1", json={"code": "ISSY-2"}, headers=admin)

    assert "code" in assert_error(response, 422, "validation_error")["errors"]


def test_a_bad_geometry_patch_changes_nothing(client, admin, make_zone):
    make_zone("ISSY-1", rules=None)

    response = client.patch(
        f"{ZONES}/ISSY-1",
        json={"geometry": {"type": "Polygon", "coordinates": [RING[:-1]]}},
        headers=admin,
    )

    assert "open ring" in assert_error(response, 422, "validation_error")["errors"]["geometry"][0]
    assert client.get(f"{ZONES}/ISSY-1").get_json()["geometry"] == square(2.26, 48.82)


def test_the_time_zone_of_a_zone_with_tariffs_cannot_change(client, admin, make_zone):
    make_zone("ISSY-1")

    response = client.patch(f"{ZONES}/ISSY-1", json={"timezone": "Europe/London"}, headers=admin)

    assert_error(response, 409, "zone_has_tariffs")
    assert client.get(f"{ZONES}/ISSY-1").get_json()["timezone"] == "Europe/Paris"


def test_the_time_zone_of_a_zone_without_tariffs_may_change(client, admin, make_zone):
    make_zone("ISSY-1", rules=None)

    response = client.patch(f"{ZONES}/ISSY-1", json={"timezone": "Europe/London"}, headers=admin)

    assert response.get_json()["timezone"] == "Europe/London"


@pytest.mark.parametrize("method", ["get", "patch"])
def test_an_unknown_zone_is_404(client, admin, method):
    response = getattr(client, method)(f"{ZONES}/NOPE", json={"name": "x"}, headers=admin)

    assert_error(response, 404, "zone_not_found")


def test_only_admins_write_zones(client, headers_for):
    response = client.post(ZONES, json=_body(), headers=headers_for("officer"))

    assert_error(response, 403, "role_not_allowed")
    assert _zone_count() == 0


def test_a_patch_based_on_a_stale_read_is_refused(make_zone):
    zone = make_zone("ISSY-1", rules=None)
    read_revision = zone.revision
    with db.engine.begin() as other_worker:
        other_worker.execute(update(Zone).where(Zone.code == "ISSY-1").values(revision=7))

    with pytest.raises(ZoneChanged):
        update_zone(zone, {"name": "Issy – Mairie"})

    assert read_revision != 7
    assert db.session.scalar(select(Zone.name).where(Zone.code == "ISSY-1")) == "Zone ISSY-1"
