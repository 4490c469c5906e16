"""Every 4xx and 5xx answers the contract's JSON shape with a stable reason."""

from __future__ import annotations

import logging

import pytest

from app import create_app
from app.accounts.guard import public

ERROR_KEYS = {"code", "status", "message", "reason", "errors"}


def assert_error(response, code: int, reason: str) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert body["reason"] == reason
    return body


def test_unknown_route_is_404_json(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/api/v1/healthz")

    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/auth/register", data='{"email": ', content_type="application/json"
    )

    assert_error(response, 400, "malformed_json")


def test_a_body_that_is_not_json_is_415(client):
    response = client.post("/api/v1/auth/register", data="email=a@b.c", content_type="text/plain")

    assert_error(response, 415, "unsupported_media_type")


def test_an_oversized_body_is_413_and_changes_nothing(client):
    big = '{"email": "a@example.org", "password": "' + "x" * (2 * 1024 * 1024) + '"}'

    response = client.post("/api/v1/auth/register", data=big, content_type="application/json")

    assert_error(response, 413, "payload_too_large")
    login = client.post("/api/v1/auth/login", json={"email": "a@example.org", "password": "x"})
    assert login.status_code == 401


def test_validation_errors_are_422_with_flat_field_errors(client):
    response = client.post("/api/v1/auth/register", json={"email": "not-an-email", "extra": 1})

    body = assert_error(response, 422, "validation_error")
    assert set(body["errors"]) == {"email", "password", "extra"}
    assert body["errors"]["extra"] == ["Unknown field."]


def test_a_json_array_instead_of_an_object_is_422(client):
    response = client.post("/api/v1/auth/register", json=[1, 2])

    assert_error(response, 422, "validation_error")


def test_an_unexpected_exception_is_500_without_a_trace_and_is_logged_with_the_request_id(
    app_env, caplog
):
    app = create_app(app_env)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/api/v1/_boom")
    @public
    def boom():
        raise RuntimeError("secret internals: card 4242")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/_boom", headers={"X-Request-ID": "req-12345678"})

    body = assert_error(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in body["message"]
    record = next(r for r in caplog.records if r.getMessage() == "unhandled exception")
    assert record.request_id == "req-12345678"
    assert record.exc_info is not None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "authentication_required"),
        ({"Authorization": "Bearer not-a-jwt"}, "invalid_token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "invalid_authorization_header"),
        ({"Authorization": "ApiKey pdk_unknown"}, "invalid_api_key"),
    ],
)
def test_missing_or_bad_credentials_are_401(client, headers, reason):
    response = client.get("/api/v1/me", headers=headers)

    assert_error(response, 401, reason)


def test_a_database_error_is_logged_without_the_rows_it_quotes(app_env, caplog):
    from sqlalchemy.exc import IntegrityError

    app = create_app(app_env)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/api/v1/_db_boom")
    @public
    def db_boom():
        raise IntegrityError("INSERT ...", {}, Exception("DETAIL: Failing row contains (AB123CD)"))

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/_db_boom")

    assert_error(response, 500, "internal_error")
    logged = " ".join(f"{r.getMessage()} {r.exc_info}" for r in caplog.records)
    assert "unhandled database error" in logged
    assert "AB123CD" not in logged
