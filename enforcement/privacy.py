"""Readable plates past their retention are forgotten (docs/PRIVACY.md; `privacy purge`).

- lookups answered `unpaid` (the evidence of a fee) lose their plate after
  UNPAID_LOOKUP_RETENTION_DAYS; their keyed hash stays;
- finished sessions get a pseudonym for a plate after SESSION_PLATE_RETENTION_DAYS (their money,
  times and zone stay for finance);
- expired or revoked permits get one after PERMIT_PLATE_RETENTION_DAYS.

A pseudonym is derived from the plate's keyed hash, so one plate keeps one pseudonym across
sessions, permits and lookups. Rows are done in batches, each its own transaction, so a purge of
millions of rows never holds locks long; a row done leaves the batch query, so a second run, or a
run after a crash, changes nothing that is already done.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update

from app.config import Settings
from app.db import db
from app.sessions import retention as sessions
from enforcement.audit import pseudonym
from enforcement.models import PlateLookup
from zones import permits

Rows = Sequence[tuple[uuid.UUID, str]]


@dataclass(frozen=True)
class Retention:
    """One kind of row whose readable plates expire."""

    description: str  # what the summary line says was done
    pending: Select[tuple[uuid.UUID, str]]  # (id, plate) still readable past retention
    forget: Callable[[Rows], None]


def retentions(now: datetime, settings: Settings) -> list[Retention]:
    def days(count: int) -> datetime:
        return now - timedelta(days=count)

    return [
        Retention(
            f"lookups answered unpaid over {settings.unpaid_lookup_retention_days} days ago: "
            "plate removed, keyed hash kept",
            _readable_lookups(days(settings.unpaid_lookup_retention_days)),
            _remove_lookup_plates,
        ),
        Retention(
            f"sessions ended over {settings.session_plate_retention_days} days ago: "
            "plate pseudonymised",
            sessions.readable_plates_ended_before(days(settings.session_plate_retention_days)),
            lambda rows: sessions.replace_plates(_pseudonyms(rows)),
        ),
        Retention(
            f"permits ended over {settings.permit_plate_retention_days} days ago: "
            "plate pseudonymised",
            permits.readable_plates_ended_before(days(settings.permit_plate_retention_days)),
            lambda rows: permits.replace_plates(_pseudonyms(rows)),
        ),
    ]


def pending_count(retention: Retention) -> int:
    subquery = retention.pending.order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(subquery)) or 0


def purge(retention: Retention, batch_size: int, progress: Callable[[int], None]) -> int:
    """Forget the plates of `retention`, a batch per transaction; the number of rows done."""
    done = 0
    while rows := db.session.execute(retention.pending.limit(batch_size)).all():
        retention.forget(rows)
        db.session.commit()
        done += len(rows)
        progress(len(rows))
    return done


def _readable_lookups(cutoff: datetime) -> Select[tuple[uuid.UUID, str]]:
    return (
        select(PlateLookup.id, PlateLookup.plate)
        .where(PlateLookup.plate.is_not(None), PlateLookup.looked_up_at < cutoff)
        .order_by(PlateLookup.looked_up_at)
    )


def _remove_lookup_plates(rows: Rows) -> None:
    ids = [lookup_id for lookup_id, _plate in rows]
    db.session.execute(update(PlateLookup).where(PlateLookup.id.in_(ids)).values(plate=None))


def _pseudonyms(rows: Rows) -> dict[uuid.UUID, str]:
    return {row_id: pseudonym(plate) for row_id, plate in rows}
