"""Command-line tools: `flask --app wsgi <group> <command>`.

Each feature package adds its own group here, so `flask --app wsgi --help` lists them all.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from marshmallow import ValidationError

from app.accounts import services
from app.accounts.models import ROLES
from app.accounts.schemas import check_password_strength
from app.db import db
from app.errors import DomainError

users_cli = AppGroup("users", help="Staff and driver accounts.")
devices_cli = AppGroup("devices", help="Scan cars and handhelds (API keys).")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--password",
    envvar="PARKING_USER_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Or set PARKING_USER_PASSWORD, or type it at the prompt (keeps it out of shell history).",
)
def create_user_command(email: str, role: str, password: str) -> None:
    """Create an account with a role."""
    try:
        check_password_strength(password)
        user = services.create_user(email, password, role)
    except ValidationError as exc:
        raise click.BadParameter(" ".join(exc.messages), param_hint="--password") from exc
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"created {user.role} {user.email} ({user.id})")


@devices_cli.command("create")
@click.argument("name")
def create_device_command(name: str) -> None:
    """Create a device; its API key is printed on the last line, once."""
    device, key = services.create_device(name)
    db.session.commit()
    click.echo(f"created device {device.name} ({device.id}); only a hash of its key is kept:")
    click.echo(key)


def register_cli(app: Flask) -> None:
    from app.demo import demo_cli
    from app.reports.cli import reports_cli
    from app.sessions.cli import sessions_cli
    from enforcement.cli import privacy_cli

    for group in (users_cli, devices_cli, demo_cli, sessions_cli, reports_cli, privacy_cli):
        app.cli.add_command(group)
