"""The lookup audit: one row per plate checked, by whom, where, for when, and what it answered.

Following the CNIL's practice for plate readers, a lookup whose answer was `paid`, `free` or
`grace` keeps no readable plate, only its keyed hash (enough to answer "was this plate looked
up, by whom" without keeping who parked where); an `unpaid` one keeps the plate, the evidence of
a post-parking fee, until the privacy purge removes it (UNPAID_LOOKUP_RETENTION_DAYS).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, id_column, sql_in

LOOKUP_STATUSES = ("paid", "free", "grace", "unpaid", "invalid_plate")
CALLER_KINDS = ("user", "device")
READABLE = text("plate IS NOT NULL")


class PlateLookup(Base):
    __tablename__ = "plate_lookups"
    __table_args__ = (
        CheckConstraint(sql_in("status", LOOKUP_STATUSES), name="status"),
        CheckConstraint(sql_in("caller_kind", CALLER_KINDS), name="caller_kind"),
        # The readable plate is evidence of an unpaid answer only.
        CheckConstraint("plate IS NULL OR status = 'unpaid'", name="plate_only_if_unpaid"),
        # Who looked up what, and when: the questions of an audit of the officers' use.
        Index("ix_plate_lookups_caller_looked_up_at", "caller_id", "looked_up_at"),
        Index("ix_plate_lookups_plate_hash_looked_up_at", "plate_hash", "looked_up_at"),
        # The privacy purge walks only the rows that still hold a readable plate.
        Index(
            "ix_plate_lookups_readable_looked_up_at",
            "looked_up_at",
            postgresql_where=READABLE,
            sqlite_where=READABLE,
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    looked_up_at: Mapped[datetime]
    # An officer's (or admin's) user id, or a device's id: two tables, so no foreign key.
    caller_kind: Mapped[str] = mapped_column(String(8))
    caller_id: Mapped[uuid.UUID]
    caller_role: Mapped[str] = mapped_column(String(16))
    zone_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zones.id"))
    # The instant the caller asked about (`at`), which may differ from when they asked.
    assessed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    # HMAC-SHA256 of the normalised plate (PLATE_HASH_KEY); null for a string that is no plate.
    plate_hash: Mapped[str | None] = mapped_column(String(64))
    plate: Mapped[str | None] = mapped_column(String(16))
