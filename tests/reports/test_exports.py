"""Export jobs: asked over HTTP, written by `reports work` on any number of machines, each once."""

from __future__ import annotations

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import db, utcnow
from app.reports import exports
from app.reports.models import ReportExport
from tests.reports.conftest import read_csv
from tests.support.sessions import paris
from tests.test_errors import assert_error

EXPORTS = "/api/v1/reports/exports"
MARCH = {"from": "2027-03-01", "to": "2027-04-01"}


@pytest.fixture
def sold(clock, zone, start, client, auth) -> None:
    """Two sessions in March: one prepaid, one stopped early (a refund)."""
    start(duration_minutes=60)
    clock.move_to(paris(2027, 3, 3, 10, 0))
    session_id = start(duration_minutes=120).get_json()["session"]["id"]
    clock.move_to(paris(2027, 3, 3, 10, 40, 30))
    client.post(f"/api/v1/sessions/{session_id}/stop", headers=auth())


@pytest.fixture
def ask(client, finance):
    def post(**body: object):
        return client.post(EXPORTS, json=body, headers=finance())

    return post


def export_files(app, export: ReportExport) -> list[str]:
    """The files of this export (the directory is shared by the whole test run)."""
    directory = Path(app.config["SETTINGS"].export_dir)
    return sorted(path.name for path in directory.glob(f"{export.id}*"))


def test_an_export_is_queued_written_by_the_worker_and_downloads_whole(
    app, sold, ask, client, finance, get_report
):
    asked = ask(report="payments", **MARCH)
    worked = app.test_cli_runner().invoke(args=["reports", "work"])
    status = client.get(asked.headers["Location"], headers=finance()).get_json()
    with client.get(status["download_url"], headers=finance()) as download:
        body = download.get_data()

    assert asked.status_code == 202
    assert asked.get_json()["status"] == "queued"
    assert worked.exit_code == 0, worked.output
    assert "exports written: 1" in worked.output
    assert status["status"] == "done"
    assert status["row_count"] == len(read_csv(body).rows) == 3
    assert status["sha256"] == hashlib.sha256(body).hexdigest()
    assert body == get_report("payments.csv", **MARCH).data
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=payments_2027-03-01_2027-04-01.csv"
    )


def test_an_export_may_cover_more_than_one_request_may(sold, ask):
    asked = ask(report="revenue", group_by="zone", **{"from": "2026-01-01", "to": "2028-01-01"})

    assert asked.status_code == 202
    assert asked.get_json()["group_by"] == "zone"


def test_an_export_is_not_downloadable_before_it_is_done(sold, ask, client, finance):
    asked = ask(report="sessions", **MARCH).get_json()

    response = client.get(f"{asked['url']}/download", headers=finance())

    assert_error(response, 409, "export_not_ready")
    assert asked["download_url"] is None


@pytest.mark.parametrize(
    ("body", "code", "reason"),
    [
        ({"report": "plates", **MARCH}, 422, "validation_error"),
        ({"report": "payments", "group_by": "zone", **MARCH}, 422, "validation_error"),
        ({"report": "payments", "from": "2027-04-01", "to": "2027-03-01"}, 422, "validation_error"),
        ({"report": "payments", "zone": "NOWHERE", **MARCH}, 404, "zone_not_found"),
    ],
)
def test_an_export_asked_wrongly_is_refused(ask, body, code, reason):
    assert_error(ask(**body), code, reason)


def test_an_unknown_export_is_404(client, finance):
    response = client.get(f"{EXPORTS}/6f1c1c3e-0000-4000-8000-000000000000", headers=finance())

    assert_error(response, 404, "export_not_found")


def test_exports_are_listed_newest_first(sold, ask, client, finance, clock):
    first = ask(report="payments", **MARCH).get_json()
    clock.move_to(paris(2027, 3, 3, 11, 0))
    second = ask(report="sessions", **MARCH).get_json()

    listed = client.get(EXPORTS, headers=finance()).get_json()

    assert [item["id"] for item in listed["items"]] == [second["id"], first["id"]]


def test_two_workers_at_once_write_a_job_once(app, sold, ask):
    export_id = ask(report="payments", **MARCH).get_json()["id"]

    def worker(_: int) -> int:
        with app.app_context():
            return exports.work().done

    with ThreadPoolExecutor(max_workers=2) as pool:
        written = sorted(pool.map(worker, range(2)))

    export = db.session.scalar(select(ReportExport))
    assert str(export.id) == export_id
    assert written == [0, 1]
    assert export.attempts == 1
    assert export_files(app, export) == [export.file_name]


def test_a_job_held_by_a_live_worker_is_left_alone(sold, ask):
    ask(report="payments", **MARCH)
    exports.claim_next(utcnow())  # a worker on another machine is writing it

    assert exports.work().done == 0


def test_a_job_whose_worker_died_is_redone_once_its_lease_expires(app, sold, ask, clock):
    ask(report="payments", **MARCH)
    exports.claim_next(utcnow())  # ...and that worker dies
    clock.move_to(utcnow() + exports.LEASE + timedelta(seconds=1))

    report = exports.work()

    export = db.session.scalar(select(ReportExport))
    assert report.done == 1
    assert (export.status, export.attempts, export.row_count) == ("done", 2, 3)
    assert export_files(app, export) == [export.file_name]


def test_a_worker_that_lost_its_lease_keeps_nothing_of_its_work(app, sold, ask, clock):
    ask(report="payments", **MARCH)
    slow = exports.claim_next(utcnow())
    clock.move_to(utcnow() + exports.LEASE + timedelta(seconds=1))
    fast = exports.claim_next(utcnow())

    assert exports.run(fast)
    assert not exports.run(slow)

    export = db.session.scalar(select(ReportExport))
    assert export.file_name == f"{export.id}-{fast.token}.csv"
    assert export_files(app, export) == [export.file_name]


def test_a_worker_that_learns_midway_it_lost_its_lease_stops_and_leaves_no_file(
    app, sold, ask, clock, caplog
):
    ask(report="payments", **MARCH)
    slow = exports.claim_next(utcnow())
    clock.move_to(utcnow() + exports.LEASE + timedelta(seconds=1))
    exports.claim_next(utcnow())  # another worker takes the job over
    minutes = iter(range(0, 60, 2))

    written = exports.run(slow, lambda: utcnow() + timedelta(minutes=next(minutes)))

    export = db.session.scalar(select(ReportExport))
    assert not written
    assert "taken over by another worker" in caplog.text  # found when renewing its lease
    assert export.status == "running"  # still the other worker's
    assert export_files(app, export) == []


def test_a_job_that_kills_its_worker_every_time_fails_after_three_attempts(sold, ask, clock):
    ask(report="payments", **MARCH)
    for _attempt in range(exports.MAX_ATTEMPTS):
        exports.claim_next(utcnow())
        clock.move_to(utcnow() + exports.LEASE + timedelta(seconds=1))

    report = exports.work()

    export = db.session.scalar(select(ReportExport))
    assert (report.done, report.failed) == (0, 1)
    assert export.status == "failed"
    assert "3 attempts" in export.error


def test_an_export_repeated_with_the_same_idempotency_key_is_one_job(sold, client, finance):
    headers = {**finance(), "Idempotency-Key": "march-payments"}

    first = client.post(EXPORTS, json={"report": "payments", **MARCH}, headers=headers)
    again = client.post(EXPORTS, json={"report": "payments", **MARCH}, headers=headers)

    assert first.get_json()["id"] == again.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(db.session.scalars(select(ReportExport)).all()) == 1


def test_files_past_their_retention_are_deleted_and_their_record_stays(
    app, sold, ask, client, finance, clock
):
    old = ask(report="payments", **MARCH).headers["Location"]
    exports.work()
    clock.move_to(utcnow() + timedelta(days=29))
    recent = ask(report="sessions", **MARCH).headers["Location"]
    exports.work()
    clock.move_to(utcnow() + timedelta(days=2))  # the first is 31 days old, the second 2

    worked = app.test_cli_runner().invoke(args=["reports", "work"])
    again = exports.work()

    old_status = client.get(old, headers=finance()).get_json()
    recent_status = client.get(recent, headers=finance()).get_json()
    gone = client.get(f"{old}/download", headers=finance())
    assert "expired files deleted: 1" in worked.output
    assert again.files_deleted == 0
    assert (old_status["status"], old_status["row_count"]) == ("done", 3)
    assert old_status["download_url"] is None
    assert_error(gone, 404, "export_not_found")
    old_export = db.session.get(ReportExport, uuid.UUID(old_status["id"]))
    assert export_files(app, old_export) == []
    assert client.get(recent_status["download_url"], headers=finance()).status_code == 200
