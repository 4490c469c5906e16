"""The columns of each report, and how a database row becomes typed cells.

Sign convention everywhere: money in (charges, captures) is positive, money out (refunds,
disputes) is negative, and a net is the plain sum, so the net of revenue.csv, the amounts of
payments.csv and the ledger add up to the same cents. No plate, e-mail or card detail is ever
written: finance reconciles money, it does not need to know who parked (CNIL).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from app.db import utcnow
from app.reports import queries
from app.reports.csv_writer import (
    boolean,
    day,
    integer,
    local_instant,
    money,
    text,
    utc_instant,
)
from app.reports.days import in_chunks
from app.reports.spec import ReportSpec

PAYMENTS_HEADER = (
    "occurred_at_utc",
    "occurred_at_local",
    "local_date",
    "kind",
    "session_id",
    "zone_code",
    "tariff_version",
    "profile",
    "amount_cents",
    "amount",
    "currency",
    "stripe_payment_intent_id",
    "stripe_charge_id",
    "stripe_object_id",
    "fee_cents",
)
SESSIONS_HEADER = (
    "session_id",
    "zone_code",
    "tariff_version",
    "profile",
    "status",
    "open_ended",
    "starts_at_utc",
    "starts_at_local",
    "local_date",
    "ends_at_utc",
    "ends_at_local",
    "paid_cents",
    "refunded_cents",
    "disputed_cents",
    "net_cents",
    "currency",
)
REVENUE_KEYS = {
    "day": ("local_date",),
    "zone": ("zone_code", "zone_name"),
    "tariff": ("zone_code", "zone_name", "tariff_version"),
}
REVENUE_TOTALS = (
    "currency",
    "gross_cents",
    "refunds_cents",
    "disputes_cents",
    "net_cents",
    "sessions",
)
# Local days per revenue query: well under SQLite's 500 terms of one compound SELECT.
DAYS_PER_QUERY = 100


def payments_rows(spec: ReportSpec) -> Iterator[list[str]]:
    tz, decimal_mark = spec.tz, "," if spec.excel else "."
    for row in queries.stream(queries.payments(spec.scope)):
        at, kind, session_id, zone_code, version, profile, cents, currency, *stripe, fee = row
        local = at.astimezone(tz)
        yield [
            utc_instant(at),
            local_instant(local),
            day(local.date()),
            text(kind),
            str(session_id),
            text(zone_code),
            integer(version),
            text(profile),
            integer(cents),
            money(cents, currency, decimal_mark),
            text(currency),
            *(text(stripe_id) for stripe_id in stripe),
            integer(fee),
        ]


def sessions_rows(spec: ReportSpec) -> Iterator[list[str]]:
    tz, now = spec.tz, utcnow()
    for row in queries.stream(queries.sessions(spec.scope)):
        session_id, zone_code, version, profile, status, open_ended, starts_at = row[:7]
        ends_at, max_ends_at, paid, refunded, disputed, currency = row[7:]
        local_start = starts_at.astimezone(tz)
        yield [
            str(session_id),
            text(zone_code),
            integer(version),
            text(profile),
            text(_status_at(status, ends_at or max_ends_at, now)),
            boolean(open_ended),
            utc_instant(starts_at),
            local_instant(local_start),
            day(local_start.date()),
            utc_instant(ends_at),
            local_instant(ends_at.astimezone(tz) if ends_at else None),
            integer(paid),
            integer(refunded),
            integer(disputed),
            integer(paid + refunded + disputed),
            text(currency),
        ]


def _status_at(status: str, end: datetime, now: datetime) -> str:
    """The status the API answers (app.sessions.views.status_at): an active session whose end
    has passed is `ended` before the settle job writes so."""
    return "ended" if status == "active" and end <= now else status


def revenue_header(group_by: str) -> tuple[str, ...]:
    return REVENUE_KEYS[group_by] + REVENUE_TOTALS


def revenue_rows(spec: ReportSpec) -> Iterator[list[str]]:
    group_by = spec.group_by or "day"
    if group_by == "day":
        yield from _revenue_by_day(spec)
        return
    key_count = len(REVENUE_KEYS[group_by])
    statement = queries.revenue_by_zone(spec.scope, by_tariff=group_by == "tariff")
    for row in queries.stream(statement):
        keys, totals = row[:key_count], row[key_count:]
        cells = [text(keys[0]), text(keys[1]), *(integer(key) for key in keys[2:])]
        yield cells + _total_cells(totals)


def _revenue_by_day(spec: ReportSpec) -> Iterator[list[str]]:
    for days in in_chunks(spec.days, DAYS_PER_QUERY):
        for row in queries.stream(queries.revenue_by_day(days, spec.zone_id)):
            yield [day(days[row[0]].day), *_total_cells(row[1:])]


def _total_cells(totals: Sequence[object]) -> list[str]:
    currency, *amounts = totals
    return [text(currency), *(integer(amount) for amount in amounts)]  # type: ignore[arg-type]
