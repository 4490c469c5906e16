"""Finance reports: check what is asked, then stream it as CSV.

The HTTP routes, the `reports export` command and the export worker all build a `ReportSpec`
with `report_spec()` and write `open_report()`'s bytes, so the three give the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from flask import current_app

from app.errors import Unprocessable, field_error
from app.reports import columns, queries
from app.reports.csv_writer import CsvStream
from app.reports.spec import ReportSpec
from zones.services import get_zone

# One request streams at most about a quarter; longer periods are export jobs.
MAX_INLINE_DAYS = 92
MAX_EXPORT_DAYS = 3660
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)
# A request also stops after this many rows, with a last line that says so and points to the
# export jobs (the app setting REPORTS_INLINE_ROW_LIMIT changes it; None removes it).
INLINE_ROW_LIMIT = 1_000_000

ROWS: dict[str, Callable[[ReportSpec], Iterator[list[str]]]] = {
    "payments": columns.payments_rows,
    "sessions": columns.sessions_rows,
    "revenue": columns.revenue_rows,
}


class RangeTooLarge(Unprocessable):
    reason = "range_too_large"


def report_spec(
    report: str,
    from_date: date,
    to_date: date,
    *,
    zone: str | None = None,
    group_by: str | None = None,
    excel: bool = False,
    max_days: int = MAX_INLINE_DAYS,
) -> ReportSpec:
    """The report asked for, checked: dates, period length, grouping, zone (404 if unknown)."""
    _check_period(from_date, to_date, max_days)
    if group_by is not None and report != "revenue":
        raise field_error("group_by", "Only the revenue report is grouped.")
    found = get_zone(zone) if zone else None
    return ReportSpec(
        report=report,
        from_date=from_date,
        to_date=to_date,
        timezone=current_app.config["SETTINGS"].city_timezone,
        zone_id=found.id if found else None,
        zone_code=found.code if found else None,
        group_by=group_by or ("day" if report == "revenue" else None),
        excel=excel,
    )


def _check_period(from_date: date, to_date: date, max_days: int) -> None:
    for name, value in (("from", from_date), ("to", to_date)):
        if not EARLIEST <= value <= LATEST:
            raise field_error(name, f"Must be a date from {EARLIEST} to {LATEST}.")
    if to_date <= from_date:
        raise field_error("to", "Must be after `from`: `to` is the day after the last one.")
    days = (to_date - from_date).days
    if days > max_days:
        message = (
            f"{days} days is more than the {max_days} one request may cover: ask for an "
            "export job with POST /api/v1/reports/exports."
        )
        raise RangeTooLarge(message, errors={"to": [message]})


def header_of(spec: ReportSpec) -> tuple[str, ...]:
    if spec.report == "payments":
        return columns.PAYMENTS_HEADER
    if spec.report == "sessions":
        return columns.SESSIONS_HEADER
    return columns.revenue_header(spec.group_by or "day")


def open_report(
    spec: ReportSpec,
    *,
    row_limit: int | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> CsvStream:
    """The report's CSV as a stream of bytes; nothing is read before it is iterated."""
    rows = ROWS[spec.report](spec)
    return CsvStream(header_of(spec), rows, excel=spec.excel, row_limit=row_limit, on_rows=on_rows)


def inline_row_limit() -> int | None:
    return current_app.config.get("REPORTS_INLINE_ROW_LIMIT", INLINE_ROW_LIMIT)


def count_rows(spec: ReportSpec) -> int:
    """How many data rows the report will have (read before it is written: an estimate for
    progress bars, since movements may be recorded meanwhile)."""
    scope = spec.scope
    if spec.report == "payments":
        return queries.count(queries.payments(scope))
    if spec.report == "sessions":
        return queries.count(queries.sessions(scope))
    if spec.group_by == "day":
        return len(spec.days)
    return queries.count(queries.revenue_by_zone(scope, by_tariff=spec.group_by == "tariff"))
