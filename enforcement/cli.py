"""`flask --app wsgi privacy purge`: forget readable plates past their retention (cron, daily)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import utcnow
from enforcement import privacy

privacy_cli = AppGroup("privacy", help="Retention of readable plates (docs/PRIVACY.md).")


@privacy_cli.command("purge")
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Rows per transaction.",
)
def purge_command(batch_size: int) -> None:
    """Remove or pseudonymise the plates kept past their retention; safe to run again."""
    retentions = privacy.retentions(utcnow(), current_app.config["SETTINGS"])
    total = sum(privacy.pending_count(retention) for retention in retentions)
    done: list[int] = []
    with click.progressbar(length=total, label="Forgetting plates") as bar:
        for retention in retentions:
            done.append(privacy.purge(retention, batch_size, bar.update))
    for retention, count in zip(retentions, done, strict=True):
        click.echo(f"{count:>9}  {retention.description}")
