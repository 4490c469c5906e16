"""Demo data for local runs: `flask --app wsgi demo load` (idempotent; `make run` calls it).

The demo accounts get random passwords on first load, kept in instance/demo-logins.json
(readable by its owner only) so every later run can print them again.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import User, Vehicle
from app.accounts.security import hash_password
from app.config import PROJECT_ROOT
from app.db import db
from app.plates import Plate
from zones.demo import load_demo_zones

LOGINS_FILE = PROJECT_ROOT / "instance" / "demo-logins.json"
DEMO_ACCOUNTS = (
    ("admin", "admin@issy-demo.example"),
    ("officer", "officer@issy-demo.example"),
    ("finance", "finance@issy-demo.example"),
    ("driver", "driver@issy-demo.example"),
)
DEMO_DRIVER_PLATE = "FG-456-HJ"

demo_cli = AppGroup("demo", help="Demo data of Issy-les-Moulineaux for local runs.")


def _saved_logins(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _save_logins(path: Path, logins: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(logins, file, indent=2)


def load_demo_accounts(logins_file: Path = LOGINS_FILE) -> dict[str, str]:
    """Create the demo accounts that are missing; return {email: password} of all of them."""
    logins = _saved_logins(logins_file)
    for role, email in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and email in logins:
            continue
        password = logins.get(email) or f"demo-{secrets.token_urlsafe(9)}"
        if user is None:
            user = User(email=email, role=role, password_hash=hash_password(password))
            db.session.add(user)
        else:  # the file was lost: set a password we can print again
            user.password_hash = hash_password(password)
        logins[email] = password
    db.session.flush()
    driver = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[-1][1]))
    plate = Plate.parse(DEMO_DRIVER_PLATE)
    if not db.session.scalar(select(Vehicle.id).where(Vehicle.user_id == driver.id)):
        db.session.add(
            Vehicle(
                user_id=driver.id, plate=plate.normalized, plate_raw=plate.raw, label="Demo car"
            )
        )
    _save_logins(logins_file, logins)
    return logins


def load_demo() -> dict[str, str]:
    """Everything of the demo (feature packages add theirs here); returns the logins."""
    load_demo_zones()
    return load_demo_accounts()


@demo_cli.command("load")
def load_command() -> None:
    """Create the demo zones, tariffs and accounts (again: changes nothing) and print the logins."""
    logins = load_demo()
    db.session.commit()
    click.echo("Demo logins (also in instance/demo-logins.json):")
    for role, email in DEMO_ACCOUNTS:
        click.echo(f"  {role:<8} {email}  {logins[email]}")
