"""The rights feed of a zone, for scan cars that sync (`GET /enforcement/rights`).

A right is a paid session or an exempting permit (disabled, exempt) of the zone. Without
`modified_since`: the rights valid now or later (a permit starting tomorrow included, or a
client that synced before it was granted would never hear of it). With it: every right changed
since, ended, cancelled, cut short and revoked ones included, so a client upserts by (kind, id).

Paging: every session, then every permit, each kind ordered by (updated_at, id); the cursor is
the (kind, updated_at, id) of the last item served. One kind after the other keeps each page one
or two index range scans (sessions: (zone_id, updated_at, id)) where a UNION would sort both
tables. A right that changes while a client pages moves to a later updated_at: it comes again
later in the walk or in the next sync, and none that stays put is skipped.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select

from app.db import db
from app.errors import field_error
from app.pagination import Page
from app.sessions.models import ParkingSession
from zones.models import EXEMPTING_PERMIT_KINDS, Permit, permit_zones
from zones.services import get_zone

KINDS = ("session", "permit")


@dataclass(frozen=True)
class Right:
    kind: str
    id: uuid.UUID
    plate: str
    valid_from: datetime
    valid_until: datetime
    revoked: bool
    updated_at: datetime


@dataclass(frozen=True)
class Position:
    """Where a page starts: after (updated_at, id) of `kind`, or at the start of `kind`."""

    kind: str = "session"
    after: tuple[datetime, uuid.UUID] | None = None


def list_rights(
    zone_code: str,
    *,
    modified_since: datetime | None,
    now: datetime,
    limit: int,
    cursor: str | None,
) -> Page:
    """One page of the zone's rights, from `cursor` (see the module's note on paging)."""
    zone_id = get_zone(zone_code).id
    position = _decode(cursor) if cursor else Position()
    rights: list[Right] = []
    if position.kind == "session":
        rights = _session_rights(zone_id, modified_since, now, position.after, limit + 1)
    if len(rights) <= limit:
        after = position.after if position.kind == "permit" else None
        rights += _permit_rights(zone_id, modified_since, now, after, limit + 1 - len(rights))
    page = rights[:limit]
    return Page(items=page, next_cursor=_encode(page[-1]) if len(rights) > limit else None)


def _session_rights(
    zone_id: uuid.UUID,
    since: datetime | None,
    now: datetime,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Right]:
    s = ParkingSession
    statement = select(s).where(s.zone_id == zone_id)
    if since is None:
        running = or_(s.ends_at > now, and_(s.ends_at.is_(None), s.max_ends_at > now))
        statement = statement.where(s.status == "active", s.held_until > now, running)
    else:
        statement = statement.where(s.status != "pending_payment", s.updated_at >= since)
    sessions = db.session.scalars(_page(statement, s.updated_at, s.id, after, limit))
    return [
        Right(
            kind="session",
            id=session.id,
            plate=session.plate,
            valid_from=session.covered_from or session.starts_at,
            valid_until=session.ends_at or session.max_ends_at,
            revoked=session.status == "cancelled" or session.stopped_at is not None,
            updated_at=session.updated_at,
        )
        for session in sessions
    ]


def _permit_rights(
    zone_id: uuid.UUID,
    since: datetime | None,
    now: datetime,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Right]:
    in_zone = select(permit_zones.c.permit_id).where(permit_zones.c.zone_id == zone_id)
    statement = select(Permit).where(
        Permit.kind.in_(EXEMPTING_PERMIT_KINDS), Permit.id.in_(in_zone)
    )
    if since is None:
        statement = statement.where(Permit.revoked_at.is_(None), Permit.valid_until > now)
    else:
        statement = statement.where(Permit.updated_at >= since)
    permits = db.session.scalars(_page(statement, Permit.updated_at, Permit.id, after, limit))
    return [
        Right(
            kind="permit",
            id=permit.id,
            plate=permit.plate,
            valid_from=permit.valid_from,
            valid_until=permit.valid_until,
            revoked=permit.revoked,
            updated_at=permit.updated_at,
        )
        for permit in permits
    ]


def _page(
    statement: Select[Any],
    updated_at: Any,
    id_: Any,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Select[Any]:
    if after is not None:
        statement = statement.where(_after(updated_at, id_, after))
    return statement.order_by(updated_at, id_).limit(limit)


def _after(updated_at: Any, id_: Any, after: tuple[datetime, uuid.UUID]) -> ColumnElement[bool]:
    return or_(updated_at > after[0], and_(updated_at == after[0], id_ > after[1]))


def _encode(right: Right) -> str:
    plain = [right.kind, right.updated_at.isoformat(), str(right.id)]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str) -> Position:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, updated_at, id_ = json.loads(base64.urlsafe_b64decode(padded))
        at = datetime.fromisoformat(updated_at)
        if kind not in KINDS or at.tzinfo is None:
            raise ValueError("not a rights cursor")
        return Position(kind=kind, after=(at, uuid.UUID(id_)))
    except (ValueError, TypeError) as exc:
        raise field_error("cursor", "Not a cursor this list gave out.") from exc
