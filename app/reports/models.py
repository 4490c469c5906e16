"""Export jobs: finance reports too large for one request, written to files by a worker."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, created_at_column, id_column, sql_in
from app.sessions.models import ParkingSession

REPORTS = ("payments", "sessions", "revenue")
GROUPINGS = ("day", "zone", "tariff")
EXPORT_STATUSES = ("queued", "running", "done", "failed")

# sessions.csv selects sessions by the instant they started; without this index a month's
# report would read every session ever sold. Declared here, next to the only query that needs
# it, and created by migration 0004 (autogenerate sees it through app/models.py).
Index("ix_parking_sessions_starts_at", ParkingSession.starts_at)


class ReportExport(Base):
    """One report to write to a file. A worker claims it with a lease (`lease_until`), so
    several workers on several machines never write the same job at once, and a job whose
    worker died is taken over once its lease has expired."""

    __tablename__ = "report_exports"
    __table_args__ = (
        CheckConstraint(sql_in("report", REPORTS), name="report"),
        CheckConstraint(sql_in("status", EXPORT_STATUSES), name="status"),
        CheckConstraint("group_by IS NULL OR " + sql_in("group_by", GROUPINGS), name="group_by"),
        CheckConstraint("to_date > from_date", name="period"),
        CheckConstraint("row_count IS NULL OR row_count >= 0", name="row_count_not_negative"),
        Index("ix_report_exports_status_created_at", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = id_column()
    report: Mapped[str] = mapped_column(String(16))
    from_date: Mapped[date]
    to_date: Mapped[date]
    zone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zones.id"))
    group_by: Mapped[str | None] = mapped_column(String(8))
    excel: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(8), default="queued")
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    attempts: Mapped[int] = mapped_column(default=0)
    # The worker holding the job, and until when: another worker may take it over after.
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(32))
    row_count: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    # Inside EXPORT_DIR; named after the attempt that wrote it, so a worker that lost its
    # lease can never overwrite the file of the one that finished.
    file_name: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
