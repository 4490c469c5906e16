from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Device, User
from app.accounts.security import digest, verify_password
from app.db import db


def test_users_create_makes_a_staff_account(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "officer@city.example",
            "--role",
            "officer",
            "--password",
            "street patrol 2027",
        ]
    )

    user = db.session.scalar(select(User).where(User.email == "officer@city.example"))
    assert result.exit_code == 0, result.output
    assert user.role == "officer"
    assert verify_password(user.password_hash, "street patrol 2027")


def test_users_create_takes_the_password_from_the_environment(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "fin@city.example", "--role", "finance"],
        env={"PARKING_USER_PASSWORD": "ledger balance 2027"},
    )

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.role).where(User.email == "fin@city.example")) == "finance"


def test_users_create_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "weak@city.example", "--role", "admin", "--password", "123"]
    )

    assert result.exit_code != 0
    assert db.session.scalar(select(User.id)) is None


def test_devices_create_prints_the_key_on_its_last_line(app):
    result = app.test_cli_runner().invoke(args=["devices", "create", "scan car 1"])

    key = result.output.strip().splitlines()[-1]
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Device.key_hash)) == digest(key)
