"""`flask --app wsgi reports export|work`: finance reports from a terminal, and the export job."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.reports import exports, services
from app.reports.files import write_atomically
from app.reports.models import GROUPINGS, REPORTS

MAX_DAYS = services.MAX_EXPORT_DAYS
reports_cli = AppGroup("reports", help="Finance reports (CSV) and the export job worker.")


def _local_date(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007  (a calendar date)
    except ValueError as exc:
        raise click.BadParameter("expected a date as YYYY-MM-DD") from exc


@reports_cli.command("export")
@click.argument("report", type=click.Choice(REPORTS))
@click.option("--from", "from_date", required=True, callback=_local_date, help="First local day.")
@click.option("--to", "to_date", required=True, callback=_local_date, help="Day after the last.")
@click.option("--zone", default=None, help="Only this zone (its code).")
@click.option("--group-by", type=click.Choice(GROUPINGS), default=None, help="Revenue only.")
@click.option("--excel", is_flag=True, help="For French Excel: `;`, decimal comma, BOM.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(
    report: str,
    from_date: date,
    to_date: date,
    zone: str | None,
    group_by: str | None,
    excel: bool,
    output: Path,
) -> None:
    """Write a report to a file: the same bytes as the HTTP endpoint, for any period."""
    options = {"zone": zone, "group_by": group_by, "excel": excel}
    try:
        spec = services.report_spec(report, from_date, to_date, **options, max_days=MAX_DAYS)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    expected = services.count_rows(spec)
    bar = click.progressbar(length=expected, label=spec.file_name, file=sys.stderr)
    with bar:
        stream = services.open_report(spec, on_rows=bar.update)
        sha256 = write_atomically(stream, output)
    click.echo(f"wrote {stream.rows} rows to {output} (sha256 {sha256})")


@reports_cli.command("work")
def work_command() -> None:
    """Write queued export jobs until none is left, then delete files past their retention
    (EXPORT_RETENTION_DAYS); safe on several machines at once."""
    report = exports.work()
    click.echo(
        f"exports written: {report.done}, failed or taken over: {report.failed}, "
        f"expired files deleted: {report.files_deleted}"
    )
    if report.failed:
        raise SystemExit(1)
