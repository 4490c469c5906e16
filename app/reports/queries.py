"""The reports' SQL. Every statement is read as a stream (`stream()`), never loaded whole.

Reports read the ledger (payments, revenue) and the sessions; they only read, so they join the
other packages' tables directly rather than going through services made for single rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    case,
    distinct,
    func,
    literal,
    select,
    union_all,
)

from app.db import UTCDateTime, db
from app.reports.days import LocalDay
from app.sessions.models import ParkingSession
from payments.models import LedgerEntry
from zones.models import TariffVersion, Zone

# Rows fetched per round trip: a server-side cursor on PostgreSQL, SQLite's lazy cursor.
YIELD_PER = 2000
GROSS_KINDS = ("charge", "capture")


@dataclass(frozen=True)
class Scope:
    """What a report covers: the instants [starts_at, ends_at), optionally one zone."""

    starts_at: datetime
    ends_at: datetime
    zone_id: uuid.UUID | None = None


def stream(statement: Select[Any]) -> Iterator[Row[Any]]:
    """The rows of `statement` as the database hands them over; memory stays flat."""
    result = db.session.execute(statement, execution_options={"yield_per": YIELD_PER})
    try:
        yield from result
    finally:
        result.close()


def count(statement: Select[Any]) -> int:
    """How many rows `statement` gives (for a progress bar)."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(db.session.scalar(counted) or 0)


def _movements_in(scope: Scope) -> list[ColumnElement[bool]]:
    """Ledger rows of the scope; the caller joins ParkingSession when a zone is given."""
    conditions = [
        LedgerEntry.occurred_at >= scope.starts_at,
        LedgerEntry.occurred_at < scope.ends_at,
    ]
    if scope.zone_id is not None:
        conditions.append(ParkingSession.zone_id == scope.zone_id)
    return conditions


def _with_session_zone_and_tariff(statement: Select[Any]) -> Select[Any]:
    return (
        statement.join(ParkingSession, ParkingSession.id == LedgerEntry.session_id)
        .join(Zone, Zone.id == ParkingSession.zone_id)
        .join(TariffVersion, TariffVersion.id == ParkingSession.tariff_version_id)
    )


def payments(scope: Scope) -> Select[Any]:
    """One row per money movement, in the order it happened."""
    statement = select(
        LedgerEntry.occurred_at,
        LedgerEntry.kind,
        LedgerEntry.session_id,
        Zone.code,
        TariffVersion.version,
        ParkingSession.profile,
        LedgerEntry.amount_cents,
        LedgerEntry.currency,
        LedgerEntry.stripe_payment_intent_id,
        LedgerEntry.stripe_charge_id,
        LedgerEntry.stripe_object_id,
        LedgerEntry.fee_cents,
    )
    return (
        _with_session_zone_and_tariff(statement)
        .where(*_movements_in(scope))
        .order_by(LedgerEntry.occurred_at, LedgerEntry.id)
    )


def _signed_sum(amount: Any, kind: Any, kinds: Sequence[str]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((kind.in_(kinds), amount), else_=0)), 0)


def sessions(scope: Scope) -> Select[Any]:
    """One row per session started in the scope, with what it has paid so far."""
    in_scope = [
        ParkingSession.starts_at >= scope.starts_at,
        ParkingSession.starts_at < scope.ends_at,
    ]
    if scope.zone_id is not None:
        in_scope.append(ParkingSession.zone_id == scope.zone_id)
    return (
        select(
            ParkingSession.id,
            Zone.code,
            TariffVersion.version,
            ParkingSession.profile,
            ParkingSession.status,
            ParkingSession.open_ended,
            ParkingSession.starts_at,
            ParkingSession.ends_at,
            ParkingSession.max_ends_at,
            _session_money(GROSS_KINDS),
            _session_money(("refund",)),
            _session_money(("dispute",)),
            ParkingSession.currency,
        )
        .join(Zone, Zone.id == ParkingSession.zone_id)
        .join(TariffVersion, TariffVersion.id == ParkingSession.tariff_version_id)
        .where(*in_scope)
        .order_by(ParkingSession.starts_at, ParkingSession.id)
    )


def _session_money(kinds: Sequence[str]) -> ScalarSelect[int]:
    """The signed sum of one session's movements of `kinds`, whatever day they happened.

    A correlated subquery (an index lookup per session) rather than a join to the money of
    every session grouped: its cost grows linearly whatever the planner believes, and rows come
    out as soon as they are read. With stale statistics PostgreSQL joined the grouped money to
    the sessions by a nested loop, quadratic in the number of sessions.
    """
    return (
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .where(LedgerEntry.session_id == ParkingSession.id, LedgerEntry.kind.in_(kinds))
        .scalar_subquery()
    )


def _totals(amount: Any, kind: Any, session_id: Any) -> list[ColumnElement[int]]:
    """currency-less totals of a group: gross, refunds, disputes, net, distinct sessions."""
    return [
        _signed_sum(amount, kind, GROSS_KINDS),
        _signed_sum(amount, kind, ("refund",)),
        _signed_sum(amount, kind, ("dispute",)),
        func.coalesce(func.sum(amount), 0),
        func.count(distinct(session_id)),
    ]


def revenue_by_day(days: Sequence[LocalDay], zone_id: uuid.UUID | None) -> Select[Any]:
    """Totals per local day of `days` (a few dozen at a time: one SELECT per day below).

    Each day is a row of its own [starts_at, ends_at) in UTC, computed by zoneinfo, and
    movements are joined to the day whose range holds them. This is exact on every backend and
    across clock changes (a 23- or 25-hour day is just a longer range), and it keeps "sessions"
    right: a COUNT(DISTINCT) per local day. Grouping by UTC hour in SQL and folding hours into
    days in Python would count twice a session with movements in two hours of one day.
    """
    day_table = _day_table(days)
    moved = _movements(Scope(days[0].starts_at, days[-1].ends_at, zone_id))
    inside = and_(
        moved.c.occurred_at >= day_table.c.starts_at, moved.c.occurred_at < day_table.c.ends_at
    )
    return (
        select(
            day_table.c.day_index,
            moved.c.currency,
            *_totals(moved.c.amount_cents, moved.c.kind, moved.c.session_id),
        )
        .select_from(day_table)
        .outerjoin(moved, inside)
        .group_by(day_table.c.day_index, moved.c.currency)
        .order_by(day_table.c.day_index, moved.c.currency)
    )


def _day_table(days: Sequence[LocalDay]) -> Subquery:
    """(day_index, starts_at, ends_at) per day. SQLite has no VALUES list with column names,
    hence a UNION ALL of one-row SELECTs (at most 500 of them in SQLite)."""
    return union_all(
        *(
            select(
                literal(index).label("day_index"),
                literal(local.starts_at, UTCDateTime()).label("starts_at"),
                literal(local.ends_at, UTCDateTime()).label("ends_at"),
            )
            for index, local in enumerate(days)
        )
    ).subquery("local_days")


def _movements(scope: Scope) -> Subquery:
    movements = select(
        LedgerEntry.occurred_at,
        LedgerEntry.kind,
        LedgerEntry.amount_cents,
        LedgerEntry.currency,
        LedgerEntry.session_id,
    )
    if scope.zone_id is not None:
        movements = movements.join(ParkingSession, ParkingSession.id == LedgerEntry.session_id)
    return movements.where(*_movements_in(scope)).subquery("movements")


def revenue_by_zone(scope: Scope, *, by_tariff: bool = False) -> Select[Any]:
    """Totals per zone (and per tariff version of each zone with `by_tariff`)."""
    keys: list[Any] = [Zone.code, Zone.name]
    if by_tariff:
        keys.append(TariffVersion.version)
    amount, kind = LedgerEntry.amount_cents, LedgerEntry.kind
    statement = select(*keys, LedgerEntry.currency, *_totals(amount, kind, LedgerEntry.session_id))
    return (
        _with_session_zone_and_tariff(statement)
        .where(*_movements_in(scope))
        .group_by(*keys, LedgerEntry.currency)
        .order_by(*keys, LedgerEntry.currency)
    )
