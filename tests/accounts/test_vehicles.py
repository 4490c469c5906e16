from __future__ import annotations

from tests.conftest import bearer
from tests.test_errors import assert_error


def test_a_driver_adds_lists_and_removes_vehicles(client, driver_headers):
    added = client.post(
        "/api/v1/me/vehicles", json={"plate": "ab-123-cd", "label": "Clio"}, headers=driver_headers
    )
    listed = client.get("/api/v1/me/vehicles", headers=driver_headers).get_json()
    removed = client.delete(f"/api/v1/me/vehicles/{added.get_json()['id']}", headers=driver_headers)

    assert added.status_code == 201
    assert added.get_json()["plate"] == "AB123CD"
    assert listed == {"items": [added.get_json()], "next_cursor": None}
    assert removed.status_code == 204
    assert client.get("/api/v1/me/vehicles", headers=driver_headers).get_json()["items"] == []


def test_the_same_plate_in_another_spelling_is_409(client, driver_headers):
    client.post("/api/v1/me/vehicles", json={"plate": "AB-123-CD"}, headers=driver_headers)

    response = client.post(
        "/api/v1/me/vehicles", json={"plate": "ab 123 cd"}, headers=driver_headers
    )

    assert_error(response, 409, "vehicle_exists")


def test_an_impossible_plate_is_422_naming_the_field(client, driver_headers):
    response = client.post("/api/v1/me/vehicles", json={"plate": "AB/123"}, headers=driver_headers)

    body = assert_error(response, 422, "validation_error")
    assert "plate" in body["errors"]


def test_another_drivers_vehicle_is_404(client, driver_headers, make_user):
    added = client.post("/api/v1/me/vehicles", json={"plate": "AB-123-CD"}, headers=driver_headers)
    someone_else = bearer(make_user("driver"))

    response = client.delete(f"/api/v1/me/vehicles/{added.get_json()['id']}", headers=someone_else)

    assert_error(response, 404, "vehicle_not_found")


def test_the_list_is_paged_with_a_cursor(client, driver_headers):
    for plate in ("AA-001-AA", "AA-002-AA", "AA-003-AA"):
        client.post("/api/v1/me/vehicles", json={"plate": plate}, headers=driver_headers)

    first = client.get("/api/v1/me/vehicles?limit=2", headers=driver_headers).get_json()
    second = client.get(
        f"/api/v1/me/vehicles?limit=2&cursor={first['next_cursor']}", headers=driver_headers
    ).get_json()
    bad = client.get("/api/v1/me/vehicles?cursor=garbage", headers=driver_headers)
    too_many = client.get("/api/v1/me/vehicles?limit=500", headers=driver_headers)

    assert [v["plate"] for v in first["items"] + second["items"]] == [
        "AA001AA",
        "AA002AA",
        "AA003AA",
    ]
    assert second["next_cursor"] is None
    assert_error(bad, 422, "validation_error")
    assert_error(too_many, 422, "validation_error")
