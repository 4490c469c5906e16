"""Parking sessions and the notifications the app reads about them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, created_at_column, id_column, sql_in, utcnow
from app.plates import PSEUDONYM_PREFIX
from zones.models import TariffVersion, Zone

STATUSES = ("pending_payment", "active", "ended", "cancelled")
# Sessions in these statuses hold their plate, zone and time against overlaps.
HOLDING_STATUSES = ("pending_payment", "active")
# The database constraint (PostgreSQL: exclusion constraint; SQLite: triggers) that makes two
# overlapping sessions of one plate in one zone impossible; see migrations/versions/0002.
OVERLAP_CONSTRAINT = "ex_parking_sessions_no_overlap"
# Sessions whose plate is still readable (not yet pseudonymised by the privacy purge).
READABLE_PLATE = text(f"plate NOT LIKE '{PSEUDONYM_PREFIX}%'")


class ParkingSession(Base):
    __tablename__ = "parking_sessions"
    __table_args__ = (
        CheckConstraint(sql_in("status", STATUSES), name="status"),
        CheckConstraint("held_until >= starts_at", name="held_after_start"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint("authorised_cents >= 0", name="authorised_not_negative"),
        Index("ix_parking_sessions_plate_zone_starts_at", "plate", "zone_id", "starts_at"),
        Index("ix_parking_sessions_status_held_until", "status", "held_until"),
        Index("ix_parking_sessions_settlement_due", "settlement_due"),
        Index("ix_parking_sessions_user_created_at", "user_id", "created_at", "id"),
        # An enforcement check reads only the sessions of a plate that still hold time at or
        # after the start of its day (held_until >= every end): a few rows, however long the
        # plate's history.
        Index("ix_parking_sessions_plate_zone_held_until", "plate", "zone_id", "held_until"),
        # The rights feed of a zone, changed since a time, paged by (updated_at, id).
        Index("ix_parking_sessions_zone_updated_at", "zone_id", "updated_at", "id"),
        # The privacy purge walks only the sessions whose plate is still readable.
        Index(
            "ix_parking_sessions_readable_plate_held_until",
            "held_until",
            postgresql_where=READABLE_PLATE,
            sqlite_where=READABLE_PLATE,
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("vehicles.id", ondelete="SET NULL")
    )
    plate: Mapped[str] = mapped_column(String(16))
    plate_raw: Mapped[str] = mapped_column(String(32))
    zone_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zones.id"))
    tariff_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tariff_versions.id"))
    profile: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending_payment")
    open_ended: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[datetime]
    # Null while an open-ended session runs.
    ends_at: Mapped[datetime | None]
    max_ends_at: Mapped[datetime]
    # The end of the time this session holds against others: its end, its max end while
    # open-ended, or an extension's end while that extension is being paid.
    held_until: Mapped[datetime]
    # Enforcement counts a session from the moment its payment succeeded (or it was free).
    covered_from: Mapped[datetime | None]
    # When the session was ended before the end it had (stopped by the driver, or its card hold
    # lapsed): scan cars that synced its right learn that it was cut short (revoked).
    stopped_at: Mapped[datetime | None]
    authorised_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    # The caller's Idempotency-Key (hashed with its scope): a retry resumes this session.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Money still to move with Stripe after the session changed (a capture, a refund): the
    # settle job finishes it if the request could not.
    settlement_due: Mapped[bool] = mapped_column(default=False)
    # A worker that settles this session holds it until then (several machines run `settle`).
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    # Loaded on access; lists load them for a whole page at once (selectinload).
    zone: Mapped[Zone] = relationship()
    tariff: Mapped[TariffVersion] = relationship()


class Notification(Base):
    """A message for the driver's app (`GET /me/notifications`), e.g. "ends in 10 minutes"."""

    __tablename__ = "notifications"
    __table_args__ = (
        # Once per session and end: an extended session is reminded again of its new end.
        UniqueConstraint("session_id", "kind", "session_ends_at"),
        Index("ix_notifications_user_created_at", "user_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parking_sessions.id"))
    kind: Mapped[str] = mapped_column(String(32))
    session_ends_at: Mapped[datetime]
    message: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = created_at_column()
