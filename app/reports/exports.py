"""Export jobs: reports too long for one request, written to EXPORT_DIR by `reports work`.

Any number of workers on any number of machines may run at once. A worker claims a job with a
conditional UPDATE (after `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL) that sets a lease
and a token of its own, renews the lease while it writes, and records the result only if it
still holds the token. A worker that dies leaves a lease that expires; the next worker redoes
the job, up to MAX_ATTEMPTS. Each attempt writes its own file (named after its token) through a
temporary file and a rename, so the file a finished job names is whole and is the one whose
row count and SHA-256 were recorded.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select, update

from app.db import db, utcnow
from app.errors import Conflict, NotFound
from app.reports.files import write_atomically
from app.reports.models import ReportExport
from app.reports.services import open_report
from app.reports.spec import ReportSpec
from zones.models import Zone

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
Clock = Callable[[], datetime]


class ExportNotFound(NotFound):
    reason = "export_not_found"
    message = "No such export."


class ExportNotReady(Conflict):
    reason = "export_not_ready"
    message = "This export is not done yet: read its status until it is `done`."


class LeaseLost(Exception):
    """Another worker took the job over (our lease expired while we were writing)."""


@dataclass(frozen=True)
class Claim:
    export_id: uuid.UUID
    token: str


@dataclass
class WorkReport:
    done: int = 0
    failed: int = 0
    files_deleted: int = 0


def request_export(requested_by: uuid.UUID, spec: ReportSpec) -> ReportExport:
    export = ReportExport(
        report=spec.report,
        from_date=spec.from_date,
        to_date=spec.to_date,
        zone_id=spec.zone_id,
        group_by=spec.group_by,
        excel=spec.excel,
        requested_by_id=requested_by,
        status="queued",
    )
    db.session.add(export)
    db.session.flush()
    return export


def get_export(export_id: uuid.UUID) -> ReportExport:
    export = db.session.get(ReportExport, export_id)
    if export is None:
        raise ExportNotFound()
    return export


def spec_of(export: ReportExport) -> ReportSpec:
    zone = db.session.get(Zone, export.zone_id) if export.zone_id else None
    return ReportSpec(
        report=export.report,
        from_date=export.from_date,
        to_date=export.to_date,
        timezone=current_app.config["SETTINGS"].city_timezone,
        zone_id=export.zone_id,
        zone_code=zone.code if zone else None,
        group_by=export.group_by,
        excel=export.excel,
    )


def export_directory() -> Path:
    return Path(current_app.config["SETTINGS"].export_dir)


def finished_file(export: ReportExport) -> Path:
    """The file of a done export (409 while it is not done, 404 once its retention is over)."""
    if export.status != "done":
        raise ExportNotReady()
    path = export_directory() / export.file_name if export.file_name else None
    if path is None or not path.is_file():
        raise ExportNotFound("The file of this export is no longer kept; ask for it again.")
    return path


def work(clock: Clock = utcnow) -> WorkReport:
    """Write claimable jobs until none is left, then delete the files past their retention."""
    report = WorkReport()
    while (claim := claim_next(clock())) is not None:
        if run(claim, clock):
            report.done += 1
        else:
            report.failed += 1
    report.files_deleted = delete_expired_files(clock())
    return report


def delete_expired_files(now: datetime) -> int:
    """Delete the files of exports finished more than EXPORT_RETENTION_DAYS ago.

    A year of payments is a large file, and finance downloads it within days: kept forever they
    would fill the disk. The job's row stays (who asked for what, its row count and SHA-256);
    its download then answers 404. Safe on several machines at once: the row is cleared by a
    conditional UPDATE, and deleting a file already gone is not an error.
    """
    retention = timedelta(days=current_app.config["SETTINGS"].export_retention_days)
    expired = db.session.execute(
        select(ReportExport.id, ReportExport.file_name).where(
            ReportExport.status == "done",
            ReportExport.file_name.is_not(None),
            ReportExport.finished_at < now - retention,
        )
    ).all()
    deleted = 0
    for export_id, file_name in expired:
        cleared = db.session.execute(
            update(ReportExport)
            .where(ReportExport.id == export_id, ReportExport.file_name == file_name)
            .values(file_name=None)
        ).rowcount
        db.session.commit()
        if cleared:
            (export_directory() / file_name).unlink(missing_ok=True)
            deleted += 1
    return deleted


def _claimable(now: datetime) -> ColumnElement[bool]:
    expired = and_(ReportExport.status == "running", ReportExport.lease_until < now)
    return or_(ReportExport.status == "queued", expired)


def claim_next(now: datetime) -> Claim | None:
    """Lease the oldest job that no live worker holds, or None when there is none."""
    while True:
        candidate = db.session.scalar(
            select(ReportExport.id)
            .where(_claimable(now))
            .order_by(ReportExport.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            db.session.commit()
            return None
        claim = _lease(candidate, now)
        if claim is not None:
            return claim
        # Another worker took it between our SELECT and UPDATE: look again.


def _lease(export_id: uuid.UUID, now: datetime) -> Claim | None:
    """The conditional UPDATE that decides which worker gets the job."""
    token = uuid.uuid4().hex
    taken = db.session.execute(
        update(ReportExport)
        .where(ReportExport.id == export_id, _claimable(now))
        .values(
            status="running",
            lease_until=now + LEASE,
            lease_token=token,
            attempts=ReportExport.attempts + 1,
            started_at=now,
        )
    ).rowcount
    db.session.commit()
    return Claim(export_id, token) if taken else None


def run(claim: Claim, clock: Clock = utcnow) -> bool:
    """Write the claimed job's file and record it; False if it failed or was taken over."""
    export = get_export(claim.export_id)
    if export.attempts > MAX_ATTEMPTS:
        return _fail(claim, f"gave up after {MAX_ATTEMPTS} attempts; ask for it again", clock)
    spec, file_name = spec_of(export), f"{export.id}-{claim.token}.csv"
    path = export_directory() / file_name
    lease = _Lease(claim, clock)
    stream = open_report(spec, on_rows=lease.keep)
    try:
        sha256 = write_atomically(stream, path)
    except LeaseLost:
        db.session.rollback()
        log.warning("export %s was taken over by another worker", claim.export_id)
        return False
    except Exception:
        log.exception("export %s failed", claim.export_id)
        return _fail(claim, "the report could not be written; the worker's log says why", clock)
    db.session.commit()  # ends the reading transaction
    if not _record_done(claim, file_name, stream.rows, sha256, clock()):
        path.unlink(missing_ok=True)
        return False
    return True


def _record_done(claim: Claim, file_name: str, rows: int, sha256: str, now: datetime) -> bool:
    done = db.session.execute(
        update(ReportExport)
        .where(ReportExport.id == claim.export_id, ReportExport.lease_token == claim.token)
        .values(
            status="done",
            file_name=file_name,
            row_count=rows,
            sha256=sha256,
            finished_at=now,
            lease_until=None,
            error=None,
        )
    ).rowcount
    db.session.commit()
    return bool(done)


def _fail(claim: Claim, message: str, clock: Clock) -> bool:
    db.session.rollback()
    db.session.execute(
        update(ReportExport)
        .where(ReportExport.id == claim.export_id, ReportExport.lease_token == claim.token)
        .values(status="failed", error=message, finished_at=clock(), lease_until=None)
    )
    db.session.commit()
    return False


class _Lease:
    """Renews a claim while its file is written, from a connection of its own: the report is
    read inside the session's transaction, which must stay open until the last row."""

    def __init__(self, claim: Claim, clock: Clock) -> None:
        self.claim, self.clock = claim, clock
        self.renewed_at = clock()

    def keep(self, _rows: int) -> None:
        now = self.clock()
        if now - self.renewed_at < LEASE / 3:
            return
        table = ReportExport.__table__
        with db.engine.begin() as connection:
            renewed = connection.execute(
                update(table)
                .where(table.c.id == self.claim.export_id, table.c.lease_token == self.claim.token)
                .values(lease_until=now + LEASE)
            ).rowcount
        if not renewed:
            raise LeaseLost()
        self.renewed_at = now
