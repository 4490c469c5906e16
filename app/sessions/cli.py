"""`flask --app wsgi sessions settle|remind`: jobs for cron, safe on several machines at once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.db import utcnow
from app.sessions import settlement

sessions_cli = AppGroup("sessions", help="Background jobs of parking sessions.")


@sessions_cli.command("settle")
def settle_command() -> None:
    """End open-ended sessions at their max and capture them, capture holds before they lapse,
    finish refunds and captures left pending, cancel payments abandoned for 15 minutes."""
    report = settlement.settle(utcnow())
    click.echo(
        f"abandoned payments cancelled: {report.payments_abandoned}, "
        f"open-ended sessions ended: {report.sessions_auto_ended}, "
        f"settlements finished: {report.settlements_finished}, "
        f"sessions closed: {report.sessions_closed}"
    )
    for failure in report.failures:
        click.echo(f"left for the next run: {failure}", err=True)
    if report.failures:
        raise SystemExit(1)


@sessions_cli.command("remind")
def remind_command() -> None:
    """Record an "ends in 10 minutes" notification, once per session and end."""
    click.echo(f"reminders recorded: {settlement.remind(utcnow())}")
