"""Every setting of the service, read from the environment with a safe default.

The README's "Configuration" table lists the same names; keep the two together.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
DEFAULT_SECRET_KEY = "development-only-secret-key-never-use-in-production"
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The settings would make the service unsafe or unable to run."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """The service's configuration; `from_env()` is the only constructor used outside tests."""

    environment: str = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'instance' / 'parking.sqlite3'}"
    secret_key: str = DEFAULT_SECRET_KEY
    stripe_secret_key: str = "sk_test_local"
    stripe_publishable_key: str = "pk_test_local"
    stripe_api_base: str = "http://127.0.0.1:8420"
    stripe_webhook_secret: str = "whsec_local_development"
    stripe_timeout_seconds: int = 20
    stripe_network_retries: int = 1
    redis_url: str | None = None
    city_timezone: str = "Europe/Paris"
    city_country: str = "FR"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    login_rate_limit: str = "10 per minute"
    enforcement_rate_limit: str = "1200 per minute"
    max_body_bytes: int = 1024 * 1024
    trusted_proxy_count: int = 0
    db_pool_size: int = 10
    db_max_overflow: int = 10
    log_level: str = "INFO"
    # Privacy (CNIL): how long readable plates are kept. See docs/PRIVACY.md.
    unpaid_lookup_retention_days: int = 30
    session_plate_retention_days: int = 400
    permit_plate_retention_days: int = 30
    # The key of the plates' keyed hashes (audit rows, pseudonyms); see `plate_hash_secret`.
    plate_hash_key: str | None = None
    export_dir: str = str(PROJECT_ROOT / "instance" / "exports")
    # Days a finished export's file is kept for download; `reports work` deletes older ones.
    export_retention_days: int = 30

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        d = cls()
        settings = cls(
            environment=env.get("PARKING_ENV", d.environment),
            database_url=env.get("DATABASE_URL") or d.database_url,
            secret_key=env.get("SECRET_KEY") or d.secret_key,
            stripe_secret_key=env.get("STRIPE_SECRET_KEY") or d.stripe_secret_key,
            stripe_publishable_key=env.get("STRIPE_PUBLISHABLE_KEY") or d.stripe_publishable_key,
            stripe_api_base=(env.get("STRIPE_API_BASE") or d.stripe_api_base).rstrip("/"),
            stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET") or d.stripe_webhook_secret,
            stripe_timeout_seconds=_int(env, "STRIPE_TIMEOUT_SECONDS", d.stripe_timeout_seconds),
            stripe_network_retries=_int(env, "STRIPE_NETWORK_RETRIES", d.stripe_network_retries),
            redis_url=env.get("REDIS_URL") or None,
            city_timezone=env.get("CITY_TIMEZONE") or d.city_timezone,
            city_country=env.get("CITY_COUNTRY") or d.city_country,
            access_token_minutes=_int(env, "ACCESS_TOKEN_MINUTES", d.access_token_minutes),
            refresh_token_days=_int(env, "REFRESH_TOKEN_DAYS", d.refresh_token_days),
            login_rate_limit=env.get("LOGIN_RATE_LIMIT") or d.login_rate_limit,
            enforcement_rate_limit=env.get("ENFORCEMENT_RATE_LIMIT") or d.enforcement_rate_limit,
            max_body_bytes=_int(env, "MAX_BODY_BYTES", d.max_body_bytes),
            trusted_proxy_count=_int(env, "TRUSTED_PROXY_COUNT", d.trusted_proxy_count),
            db_pool_size=_int(env, "DB_POOL_SIZE", d.db_pool_size),
            db_max_overflow=_int(env, "DB_MAX_OVERFLOW", d.db_max_overflow),
            log_level=(env.get("LOG_LEVEL") or d.log_level).upper(),
            unpaid_lookup_retention_days=_int(
                env, "UNPAID_LOOKUP_RETENTION_DAYS", d.unpaid_lookup_retention_days
            ),
            session_plate_retention_days=_int(
                env, "SESSION_PLATE_RETENTION_DAYS", d.session_plate_retention_days
            ),
            permit_plate_retention_days=_int(
                env, "PERMIT_PLATE_RETENTION_DAYS", d.permit_plate_retention_days
            ),
            plate_hash_key=env.get("PLATE_HASH_KEY") or None,
            export_dir=env.get("EXPORT_DIR") or d.export_dir,
            export_retention_days=_int(env, "EXPORT_RETENTION_DAYS", d.export_retention_days),
        )
        settings.validate()
        return settings

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def plate_hash_secret(self) -> bytes:
        """PLATE_HASH_KEY, or outside production a key derived from SECRET_KEY.

        Production needs its own key: rotating SECRET_KEY (after a leak of the token key) must
        not change every pseudonym, and the token key must not be enough to reverse them.
        """
        if self.plate_hash_key:
            return self.plate_hash_key.encode()
        return hmac.new(self.secret_key.encode(), b"plate-hash-key", hashlib.sha256).digest()

    def validate(self) -> None:
        """Refuse settings that are wrong everywhere, and those that are unsafe in production."""
        if self.environment not in ENVIRONMENTS:
            raise ConfigError(
                f"PARKING_ENV must be one of {ENVIRONMENTS}, not {self.environment!r}"
            )
        try:
            ZoneInfo(self.city_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"CITY_TIMEZONE {self.city_timezone!r} is not an IANA zone") from exc
        if not 1 <= self.access_token_minutes <= 15:
            raise ConfigError("ACCESS_TOKEN_MINUTES must be between 1 and 15")
        if self.stripe_secret_key.startswith("sk_live_") and not _is_https(self.stripe_api_base):
            raise ConfigError("a live Stripe key may only be sent to an https STRIPE_API_BASE")
        if self.is_production:
            if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
                raise ConfigError("SECRET_KEY must be set to a random value of 32+ characters")
            if self.stripe_webhook_secret == Settings.stripe_webhook_secret:
                raise ConfigError("STRIPE_WEBHOOK_SECRET must be set in production")
            if not self.plate_hash_key or len(self.plate_hash_key) < 32:
                raise ConfigError("PLATE_HASH_KEY must be set to a random value of 32+ characters")
            if self.plate_hash_key == self.secret_key:
                raise ConfigError("PLATE_HASH_KEY must differ from SECRET_KEY")

    def flask_config(self) -> dict[str, object]:
        """The Flask and extension settings derived from these settings."""
        return {
            "SETTINGS": self,
            "SECRET_KEY": self.secret_key,
            "TESTING": self.environment == "test",
            "MAX_CONTENT_LENGTH": self.max_body_bytes,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": self.engine_options(),
            "API_TITLE": "Parking API",
            "API_VERSION": "v1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api/v1",
            "OPENAPI_JSON_PATH": "openapi.json",
            "OPENAPI_SWAGGER_UI_PATH": "/docs",
            "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": "parking-rl",
        }

    def engine_options(self) -> dict[str, object]:
        # A database error's text would otherwise carry the statement's parameters (plates,
        # e-mails) into the logs of the 500 it becomes (docs/PRIVACY.md).
        private = {"hide_parameters": True}
        if self.is_sqlite:
            # One connection per checkout; the pragmas (WAL, FULL sync) are set on connect.
            return private | {"connect_args": {"timeout": 10}}
        return private | {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_pre_ping": True,
            "pool_recycle": 1800,
            # Timestamps are stored as timestamptz; pin the session zone so nothing local leaks in.
            "connect_args": {"options": "-c timezone=UTC"},
        }


def _is_https(url: str) -> bool:
    return urlparse(url).scheme == "https"
