from __future__ import annotations

import dataclasses
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from app.accounts.models import User
from app.db import db
from tests.conftest import TEST_PASSWORD, bearer
from tests.test_errors import assert_error

STRONG = "correct horse battery staple"


def register(client, email="driver@example.org", password=STRONG, **kwargs):
    return client.post(
        "/api/v1/auth/register", json={"email": email, "password": password}, **kwargs
    )


def login(client, email="driver@example.org", password=STRONG):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_a_driver_registers_logs_in_and_reads_their_account(client):
    created = register(client, email="Driver@Example.org")
    tokens = login(client).get_json()

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})

    assert created.status_code == 201
    assert created.get_json()["role"] == "driver"
    assert tokens["expires_in"] <= 15 * 60
    assert me.get_json() == {
        "id": created.get_json()["id"],
        "email": "driver@example.org",
        "role": "driver",
        "created_at": created.get_json()["created_at"],
    }


def test_passwords_are_stored_as_argon2_hashes(client):
    register(client)

    stored = db.session.scalar(select(User.password_hash))

    assert stored.startswith("$argon2id$")
    assert STRONG not in stored


def test_an_email_already_registered_is_409_and_changes_nothing(client):
    register(client)

    response = register(client, email="DRIVER@example.org", password="another good password")

    assert_error(response, 409, "email_taken")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert login(client).status_code == 200


def test_a_weak_password_is_422_and_creates_nothing(client):
    for weak in ("short", "aaaaaaaaaaaaaaaa", "azertyuiop"):
        assert_error(register(client, password=weak), 422, "validation_error")

    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_wrong_password_and_unknown_email_answer_alike(client):
    register(client)

    wrong = login(client, password="not the password")
    unknown = login(client, email="nobody@example.org")

    assert_error(wrong, 401, "invalid_credentials")
    assert wrong.get_json() == unknown.get_json()


def test_an_expired_access_token_is_401_token_expired(client, driver):
    headers = bearer(driver)

    with time_machine.travel(timedelta(minutes=16)):
        response = client.get("/api/v1/me", headers=headers)

    assert_error(response, 401, "token_expired")


def test_a_forged_token_is_401(client, driver):
    header, payload, _signature = bearer(driver)["Authorization"].split(".")
    forged = {"Authorization": f"{header}.{payload}.c2lnbmVkLWJ5LW1hbGxvcnk"}

    assert_error(client.get("/api/v1/me", headers=forged), 401, "invalid_token")


def test_refresh_rotates_and_logout_revokes(client):
    register(client)
    first = login(client).get_json()

    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    logout = client.post(
        "/api/v1/auth/logout", json={"refresh_token": second.get_json()["refresh_token"]}
    )
    after_logout = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.get_json()["refresh_token"]}
    )

    assert second.status_code == 200
    assert logout.status_code == 204
    assert_error(after_logout, 401, "invalid_refresh_token")


def test_a_reused_refresh_token_closes_every_session_of_the_account(client):
    register(client)
    stolen = login(client).get_json()["refresh_token"]
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": stolen}).get_json()

    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": stolen})
    legit = client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})

    assert_error(replay, 401, "invalid_refresh_token")
    assert_error(legit, 401, "invalid_refresh_token")


def test_a_stale_access_token_does_not_block_a_refresh(client):
    register(client)
    tokens = login(client).get_json()

    response = client.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": tokens["refresh_token"]},
        headers={"Authorization": "Bearer expired.or.garbage"},
    )

    assert response.status_code == 200


def test_login_is_rate_limited_with_retry_after(app, client, make_user):
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(settings, login_rate_limit="3 per minute")
    user = make_user("driver")
    try:
        answers = [login(client, user.email, "wrong password!!") for _ in range(3)]
        blocked = login(client, user.email, TEST_PASSWORD)
    finally:
        app.config["SETTINGS"] = settings

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert_error(blocked, 429, "rate_limited")
    assert int(blocked.headers["Retry-After"]) > 0
