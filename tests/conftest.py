"""The suite runs against the database named by DATABASE_URL (PostgreSQL), or a fresh SQLite file.

`make test` runs it on SQLite; `.ci/run` runs it again on PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.accounts.models import Device, User
from app.accounts.security import hash_password, issue_access_token
from app.accounts.services import create_device
from app.db import db, utcnow
from app.extensions import limiter
from tests.support.database import empty_all_tables, postgres_answers, reset_and_migrate
from tests.support.stripe import TEST_KEY, WEBHOOK_SECRET, StripeApp, localstripe

pytest_plugins = ["tests.support.zones", "tests.support.sessions"]

TEST_PASSWORD = "a long test password 42"
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-hs256"


def pytest_report_header() -> str:
    return f"database: {os.environ.get('DATABASE_URL') or 'SQLite (temporary file)'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if (os.environ.get("DATABASE_URL") or "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: runs in the PostgreSQL pass (DATABASE_URL=postgresql+psycopg://...)"
    )
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if url.startswith("postgresql") and not postgres_answers(url):
        # A PostgreSQL pass that cannot reach PostgreSQL proves nothing: fail, never skip.
        pytest.exit(f"PostgreSQL at {url} does not answer", returncode=3)
    return url


@pytest.fixture(scope="session")
def stripe_base() -> Iterator[str]:
    with localstripe() as base:
        yield base


@pytest.fixture(scope="session")
def app_env(
    database_url: str, stripe_base: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    reset_and_migrate(database_url)
    return {
        "PARKING_ENV": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "STRIPE_API_BASE": stripe_base,
        "STRIPE_SECRET_KEY": TEST_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_NETWORK_RETRIES": "0",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "EXPORT_DIR": str(tmp_path_factory.mktemp("exports")),
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture(scope="session")
def app(app_env: dict[str, str]) -> Flask:
    app = create_app(app_env)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # unexpected errors answer 500, as in production
    return app


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()
        empty_all_tables(db.engine)
    limiter.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def _test_password_hash() -> str:
    return hash_password(TEST_PASSWORD)  # argon2 is slow on purpose: hash once per run


@pytest.fixture
def make_user(_test_password_hash: str) -> Callable[..., User]:
    def make(role: str = "driver", email: str | None = None) -> User:
        user = User(
            email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.org",
            password_hash=_test_password_hash,
            role=role,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


def bearer(user: User, *, lifetime: timedelta = timedelta(minutes=15)) -> dict[str, str]:
    token = issue_access_token(user.id, user.role, utcnow(), lifetime, TEST_SECRET_KEY)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_device() -> Callable[..., tuple[Device, dict[str, str]]]:
    def make(name: str = "scan-car") -> tuple[Device, dict[str, str]]:
        device, key = create_device(name)
        db.session.commit()
        return device, {"Authorization": f"ApiKey {key}"}

    return make


@pytest.fixture
def headers_for(make_user, make_device) -> Callable[[str | None], dict[str, str]]:
    """Credentials of a new caller of a role ("device" for an API key, None for anonymous)."""

    def headers(role: str | None) -> dict[str, str]:
        if role is None:
            return {}
        if role == "device":
            return make_device()[1]
        return bearer(make_user(role))

    return headers


@pytest.fixture
def driver(make_user) -> User:
    return make_user("driver")


@pytest.fixture
def driver_headers(driver: User) -> dict[str, str]:
    return bearer(driver)


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def stripe_app(stripe_base: str) -> StripeApp:
    """The driver's phone talking to Stripe with the publishable key."""
    return StripeApp(stripe_base)
