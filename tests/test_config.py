from __future__ import annotations

import pytest

from app.config import DEFAULT_SECRET_KEY, ConfigError, Settings

STRONG_KEY = "x" * 48


def test_defaults_are_safe_for_local_development():
    settings = Settings.from_env({})

    assert settings.environment == "development"
    assert settings.is_sqlite
    assert settings.city_timezone == "Europe/Paris"
    assert settings.stripe_api_base.startswith("http://127.0.0.1")
    assert settings.redis_url is None


def test_every_setting_is_read_from_the_environment():
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg://u@db/parking",
            "SECRET_KEY": STRONG_KEY,
            "STRIPE_SECRET_KEY": "sk_test_abc",
            "STRIPE_API_BASE": "https://api.stripe.com/",
            "STRIPE_WEBHOOK_SECRET": "whsec_abc",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CITY_TIMEZONE": "America/New_York",
        }
    )

    assert settings.database_url == "postgresql+psycopg://u@db/parking"
    assert settings.secret_key == STRONG_KEY
    assert settings.stripe_secret_key == "sk_test_abc"
    assert settings.stripe_api_base == "https://api.stripe.com"
    assert settings.stripe_webhook_secret == "whsec_abc"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.city_timezone == "America/New_York"
    assert settings.flask_config()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PARKING_ENV": "production"}, "SECRET_KEY"),
        ({"PARKING_ENV": "production", "SECRET_KEY": DEFAULT_SECRET_KEY}, "SECRET_KEY"),
        ({"PARKING_ENV": "production", "SECRET_KEY": "short"}, "SECRET_KEY"),
        (
            {"PARKING_ENV": "production", "SECRET_KEY": STRONG_KEY},
            "STRIPE_WEBHOOK_SECRET",
        ),
        (
            {
                "PARKING_ENV": "production",
                "SECRET_KEY": STRONG_KEY,
                "STRIPE_WEBHOOK_SECRET": "whsec_real",
            },
            "PLATE_HASH_KEY",
        ),
        (
            {
                "PARKING_ENV": "production",
                "SECRET_KEY": STRONG_KEY,
                "STRIPE_WEBHOOK_SECRET": "whsec_real",
                "PLATE_HASH_KEY": STRONG_KEY,
            },
            "PLATE_HASH_KEY must differ",
        ),
        (
            {"STRIPE_SECRET_KEY": "sk_live_123", "STRIPE_API_BASE": "http://127.0.0.1:8420"},
            "https",
        ),
        ({"CITY_TIMEZONE": "Mars/Olympus"}, "CITY_TIMEZONE"),
        ({"ACCESS_TOKEN_MINUTES": "60"}, "ACCESS_TOKEN_MINUTES"),
        ({"DB_POOL_SIZE": "ten"}, "DB_POOL_SIZE"),
        ({"PARKING_ENV": "staging"}, "PARKING_ENV"),
    ],
)
def test_unsafe_settings_refuse_to_start(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_production_starts_with_real_secrets():
    settings = Settings.from_env(
        {
            "PARKING_ENV": "production",
            "SECRET_KEY": STRONG_KEY,
            "STRIPE_WEBHOOK_SECRET": "whsec_real",
            "PLATE_HASH_KEY": "p" * 40,
            "STRIPE_SECRET_KEY": "sk_live_123",
            "STRIPE_API_BASE": "https://api.stripe.com",
        }
    )

    assert settings.is_production


def test_the_plate_hash_key_is_derived_from_the_secret_key_until_it_is_set():
    derived = Settings.from_env({"SECRET_KEY": STRONG_KEY})
    rotated = Settings.from_env({"SECRET_KEY": "y" * 48})
    own = Settings.from_env({"SECRET_KEY": STRONG_KEY, "PLATE_HASH_KEY": "p" * 40})

    assert derived.plate_hash_secret != rotated.plate_hash_secret
    assert derived.plate_hash_secret != STRONG_KEY.encode()
    assert own.plate_hash_secret == b"p" * 40
