"""The way in of the privacy purge (enforcement/privacy.py) to sessions' plates.

Only ended and cancelled sessions are touched, never a pending or active one: a held session's
plate is part of the overlap guard, and its driver is still using it. Amounts, times and zone
stay as they are (finance reports need them), and so does `updated_at`: a pseudonym replacing a
plate is not a change of the right that scan cars syncing the rights feed should hear about.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Select, bindparam, or_, select, update

from app.db import db
from app.sessions.models import READABLE_PLATE, ParkingSession

FINISHED_STATUSES = ("ended", "cancelled")


def readable_plates_ended_before(cutoff: datetime) -> Select[tuple[uuid.UUID, str]]:
    """(id, plate) of the finished sessions over before `cutoff` whose plate is still readable,
    oldest first (the partial index ix_parking_sessions_readable_plate_held_until)."""
    return (
        select(ParkingSession.id, ParkingSession.plate)
        .where(
            READABLE_PLATE,
            ParkingSession.held_until < cutoff,
            ParkingSession.status.in_(FINISHED_STATUSES),
        )
        .order_by(ParkingSession.held_until)
    )


def replace_plates(pseudonyms: Mapping[uuid.UUID, str]) -> None:
    """Set each finished session's plate (normalised and as typed) to its pseudonym."""
    table = ParkingSession.__table__
    # Spelled out: an IN list cannot be bound in an executemany.
    finished = [table.c.status == status for status in FINISHED_STATUSES]
    statement = (
        update(table)
        .where(table.c.id == bindparam("session_id"), or_(*finished))
        .values(
            plate=bindparam("pseudonym"),
            plate_raw=bindparam("pseudonym"),
            updated_at=table.c.updated_at,  # not a change of the right (see above)
        )
    )
    rows = [{"session_id": key, "pseudonym": value} for key, value in pseudonyms.items()]
    if rows:
        db.session.execute(statement, rows)
