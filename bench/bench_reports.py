"""A payments.csv export keeps a flat memory and its speed whatever the number of rows.

For each size (10,000 ledger rows, then --rows, 1,000,000 by default) the parent seeds a fresh
database built by the migrations (bulk INSERTs), then a child process streams payments.csv of
the whole period through the real HTTP route (test client, finance token) and reports its peak
resident memory (VmHWM) and its rows per second. The headline is the ratio of the two peaks
(flat memory stays near 1x) and the ratio of the two throughputs, both measured in the same run;
`--contrast` adds a run that buffers the whole body, to show what a non-streamed export costs.

    python bench/bench_reports.py                 # SQLite in a temporary directory
    python bench/bench_reports.py --rows 100000   # quicker
    python bench/bench_reports.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_reports
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script from anywhere: the project root holds the `app` package.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from bench.harness import result  # noqa: E402

SMALL = 10_000
BATCH = 20_000
PERIOD = {"from": "2027-03-01", "to": "2027-05-01"}
FIRST_INSTANT = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
SPREAD = timedelta(days=60)  # within one request's 92 days
SECRET = "bench-secret-key-that-is-long-enough-for-hs256"


def migrate(url: str) -> None:
    """An empty database at the migrations' head (PostgreSQL: its public schema is dropped)."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    engine = create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        config = Config(str(ROOT / "alembic.ini"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def seed(url: str, rows: int) -> None:
    """`rows` ledger rows: each session has a charge (+300) and then a refund (-100)."""
    from app.models import all_models  # noqa: F401  (the tables)
    from app.sessions.models import ParkingSession
    from payments.models import LedgerEntry

    engine = create_engine(url)
    sessions = (rows + 1) // 2
    step = SPREAD / sessions
    with engine.begin() as connection:
        user_id, zone_id, tariff_id = _seed_zone(connection)
        for first in range(0, sessions, BATCH):
            batch = range(first, min(first + BATCH, sessions))
            starts = {n: FIRST_INSTANT + n * step for n in batch}
            session_ids = {n: uuid.uuid4() for n in batch}
            connection.execute(
                insert(ParkingSession),
                [_session(session_ids[n], starts[n], user_id, zone_id, tariff_id) for n in batch],
            )
            movements = [
                _movement(session_ids[n], starts[n], n, kind)
                for n in batch
                for kind in ("charge", "refund")
                if 2 * n + (kind == "refund") < rows
            ]
            connection.execute(insert(LedgerEntry), movements)
    engine.dispose()


def _seed_zone(connection) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:  # type: ignore[no-untyped-def]
    from app.accounts.models import User
    from tests.support.zones import EXAMPLE_RULES, square
    from zones.models import TariffVersion, Zone

    user_id, zone_id, tariff_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    connection.execute(
        insert(User),
        [{"id": user_id, "email": "bench@example.org", "password_hash": "x", "role": "driver"}],
    )
    connection.execute(
        insert(Zone),
        [{"id": zone_id, "code": "BENCH-1", "name": "Bench", "geometry": square(2.26, 48.82),
          "timezone": "Europe/Paris", "country": "FR", "active": True,
          "created_at": now, "updated_at": now}],
    )  # fmt: skip
    connection.execute(
        insert(TariffVersion),
        [{"id": tariff_id, "zone_id": zone_id, "version": 1, "currency": "EUR",
          "effective_from": FIRST_INSTANT - timedelta(days=365), "rules": EXAMPLE_RULES,
          "created_at": now}],
    )  # fmt: skip
    return user_id, zone_id, tariff_id


def _session(session_id, starts_at, user_id, zone_id, tariff_id) -> dict:  # type: ignore[no-untyped-def]
    ends_at = starts_at + timedelta(hours=1)
    return {"id": session_id, "user_id": user_id, "plate": "AB123CD", "plate_raw": "AB-123-CD",
            "zone_id": zone_id, "tariff_version_id": tariff_id, "profile": "visitor",
            "status": "ended", "open_ended": False, "starts_at": starts_at, "ends_at": ends_at,
            "max_ends_at": ends_at, "held_until": ends_at, "authorised_cents": 0,
            "currency": "EUR", "settlement_due": False, "created_at": starts_at,
            "updated_at": ends_at}  # fmt: skip


def _movement(session_id, starts_at, n: int, kind: str) -> dict:  # type: ignore[no-untyped-def]
    at = starts_at if kind == "charge" else starts_at + timedelta(minutes=20)
    object_id = f"ch_{n:020d}" if kind == "charge" else f"re_{n:020d}"
    return {"id": uuid.uuid4(), "kind": kind, "amount_cents": 300 if kind == "charge" else -100,
            "currency": "EUR", "session_id": session_id, "stripe_object_id": object_id,
            "stripe_payment_intent_id": f"pi_{n:020d}", "stripe_charge_id": f"ch_{n:020d}",
            "occurred_at": at, "recorded_at": at}  # fmt: skip


def child(url: str, buffered: bool) -> dict[str, float]:
    """In a fresh process: export payments.csv of the period through the HTTP route."""
    from app import create_app
    from app.accounts.security import issue_access_token

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"})
    app.config["REPORTS_INLINE_ROW_LIMIT"] = None  # measure the stream, not the cap
    now, lifetime = datetime.now(UTC), timedelta(hours=1)
    token = issue_access_token(uuid.uuid4(), "finance", now, lifetime, SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    warm_up = {"from": "2027-01-01", "to": "2027-01-02"}  # imports, caches: not the export's
    client.get("/api/v1/reports/payments.csv", query_string=warm_up, headers=headers).get_data()
    before = _memory_kib("VmRSS")
    started = time.perf_counter()
    response = client.get("/api/v1/reports/payments.csv", query_string=PERIOD, headers=headers)
    if buffered:
        size, last = len(response.get_data()), response.get_data()[-64:]
    else:
        size, last = 0, b""
        for chunk in response.response:  # keep only the end: it holds the trailer
            size, last = size + len(chunk), (last + chunk[-64:])[-64:]
    seconds = time.perf_counter() - started
    rows = int(last.decode().rsplit(":", 1)[1].split()[0])  # "# end of report: N rows"
    return {"rows": rows, "seconds": seconds, "bytes": size,
            "peak_kib": _memory_kib("VmHWM"), "before_kib": before}  # fmt: skip


def _memory_kib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def measure(url: str, rows: int, buffered: bool = False) -> dict[str, float]:
    migrate(url)
    seeding = time.perf_counter()
    seed(url, rows)
    print(f"  seeded {rows:,} ledger rows in {time.perf_counter() - seeding:.0f} s", flush=True)
    args = [sys.executable, __file__, "--child", "--database-url", url]
    output = subprocess.run(args + (["--buffered"] if buffered else []), check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    result = json.loads(output.strip().splitlines()[-1])
    assert result["rows"] == rows, f"exported {result['rows']} rows of {rows}"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="the large size")
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    parser.add_argument("--contrast", action="store_true", help="also buffer the large export")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--buffered", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.database_url, args.buffered)))
        return
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{directory}/bench.sqlite3"
        report(url, min(SMALL, args.rows), args.rows, args.contrast)


def report(url: str, small: int, large: int, contrast: bool) -> None:
    print(f"payments.csv export, streamed through the HTTP route ({url.split(':')[0]})")
    runs = {"small": measure(url, small), "large": measure(url, large)}
    if contrast:
        runs["buffered"] = measure(url, large, buffered=True)
    print(f"\n{'run':<10}{'rows':>11}{'rows/s':>10}{'peak MiB':>10}{'growth MiB':>12}")
    for name, run in runs.items():
        growth = (run["peak_kib"] - run["before_kib"]) / 1024
        print(f"{name:<10}{run['rows']:>11,.0f}{run['rows'] / run['seconds']:>10,.0f}"
              f"{run['peak_kib'] / 1024:>10.1f}{growth:>12.1f}")  # fmt: skip
    small_run, large_run = runs["small"], runs["large"]
    speed = (large_run["rows"] / large_run["seconds"]) / (small_run["rows"] / small_run["seconds"])
    print(f"\npeak memory, {large:,} / {small:,} rows: "
          f"{large_run['peak_kib'] / small_run['peak_kib']:.2f}x")  # fmt: skip
    print(f"throughput, {large:,} / {small:,} rows: {speed:.2f}x")
    database = url.split(":")[0].split("+")[0]
    memory = large_run["peak_kib"] / small_run["peak_kib"]
    result(f"payments.csv export, peak memory, {large:,} rows ({database})", f"{memory:.2f}x",
           f"{small:,} rows ({small_run['peak_kib'] / 1024:.0f} MiB)",
           f"{large_run['peak_kib'] / 1024:.0f} MiB")  # fmt: skip
    result(f"payments.csv export, rows/s, {large:,} rows ({database})", f"{speed:.2f}x",
           f"{small:,} rows", f"{large_run['rows'] / large_run['seconds']:,.0f} rows/s "
           f"through the HTTP route")  # fmt: skip
    if contrast:
        ratio = runs["buffered"]["peak_kib"] / small_run["peak_kib"]
        print(f"for contrast, buffering the {large:,}-row body: peak memory {ratio:.2f}x")


if __name__ == "__main__":
    main()
