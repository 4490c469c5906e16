from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Device
from app.accounts.security import digest
from app.db import db
from tests.conftest import bearer
from tests.test_errors import assert_error


def test_an_admin_creates_staff_accounts_of_each_role(client, make_user):
    admin = bearer(make_user("admin"))

    created = [
        client.post(
            "/api/v1/admin/users",
            json={"email": f"{role}@city.example", "password": "staff password 2027", "role": role},
            headers=admin,
        )
        for role in ("officer", "finance", "admin")
    ]
    listed = client.get("/api/v1/admin/users?role=officer", headers=admin).get_json()

    assert [r.status_code for r in created] == [201, 201, 201]
    assert [u["email"] for u in listed["items"]] == ["officer@city.example"]


def test_an_unknown_role_is_422(client, make_user):
    response = client.post(
        "/api/v1/admin/users",
        json={"email": "x@city.example", "password": "staff password 2027", "role": "mayor"},
        headers=bearer(make_user("admin")),
    )

    assert_error(response, 422, "validation_error")


def test_a_device_key_is_shown_once_and_only_its_hash_is_kept(client, make_user):
    admin = bearer(make_user("admin"))

    created = client.post("/api/v1/admin/devices", json={"name": "scan car 7"}, headers=admin)
    key = created.get_json()["api_key"]
    listed = client.get("/api/v1/admin/devices", headers=admin).get_json()

    assert created.status_code == 201
    assert db.session.scalar(select(Device.key_hash)) == digest(key)
    assert "api_key" not in listed["items"][0]
    assert key not in str(db.session.scalars(select(Device)).all()[0].__dict__)


def test_a_replayed_device_creation_never_shows_or_stores_the_key_again(client, make_user):
    admin = {**bearer(make_user("admin")), "Idempotency-Key": "device-1"}

    first = client.post("/api/v1/admin/devices", json={"name": "scan car 7"}, headers=admin)
    replay = client.post("/api/v1/admin/devices", json={"name": "scan car 7"}, headers=admin)

    assert first.get_json()["api_key"].startswith("pdk_")
    assert replay.get_json()["api_key"] is None
    assert replay.get_json()["id"] == first.get_json()["id"]


def test_a_revoked_device_key_stops_working_at_once(client, make_user, make_device):
    device, device_headers = make_device()
    before = client.get("/api/v1/me", headers=device_headers)

    client.delete(f"/api/v1/admin/devices/{device.id}", headers=bearer(make_user("admin")))
    after = client.get("/api/v1/me", headers=device_headers)

    assert_error(before, 403, "role_not_allowed")  # a known device, just not allowed here
    assert_error(after, 401, "invalid_api_key")
