"""Enforcement checks: their cost does not grow with the sessions stored, a check under load is
close to the bare indexed query, and one 500-plate bulk check beats 500 single ones.

1. For each size of `--sessions` (default 10,000 then 1,000,000, seeded in bulk into one
   database that grows): the in-process cost of `check_plates` for one plate (timeit, best of 5
   over 200 plates, half paid, half unpaid with the day's last payment), as a ratio to the first
   size, with the query plan of its sessions query (the index it uses).
2. On the largest database, served as in production (gunicorn.conf.py, gevent workers), wrk on
   `GET /enforcement/check` with a scan car's key, a different plate per request, as a ratio to
   the bare framework's `/hello` and the bare indexed query `/indexed` of bench/baseline_app.py.
3. One `POST /enforcement/check` of 500 plates against 500 `GET`s, one after the other.

    python bench/bench_enforcement.py [--database sqlite|postgresql] [--sessions 10000,1000000]
                                      [--seconds 10] [--connections 50]
PostgreSQL uses DATABASE_URL, else postgresql+psycopg://postgres@127.0.0.1:5432/bench (its
`public` schema is dropped and rebuilt).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.guard import Principal  # noqa: E402
from app.db import db  # noqa: E402
from bench.enforcement_seed import World, create_world, plate, seed_sessions  # noqa: E402
from bench.harness import (  # noqa: E402
    ROOT,
    Load,
    bench_database_url,
    gunicorn,
    require_wrk,
    result,
    wrk,
)
from enforcement import services  # noqa: E402
from tests.support.database import reset_and_migrate  # noqa: E402

SECRET = "bench-secret-key-long-enough-for-hs256-signing"
PROBES = 200  # plates checked in process: P0000000..P0000199
BULK = 500
REPEATS = 5
WARM_UP_SECONDS = 3
SCRIPT = ROOT / "bench" / "check_plate.lua"
BULK_SCRIPT = ROOT / "bench" / "bulk_check.lua"
SCAN_CARS = 8  # bulk checks in flight at once, each a car's batch of BULK plates


def check_cost(principal: Principal) -> float:
    """Seconds per single check (audit row committed), best of REPEATS over PROBES plates."""

    def work() -> None:
        for k in range(PROBES):
            services.check_plates(principal, "BENCH", [plate(k)], None)
            db.session.commit()

    return min(timeit.repeat(work, number=1, repeat=REPEATS)) / PROBES


def sessions_plan(principal: Principal) -> list[str]:
    """The database's plan of the sessions query of a real check, with its real parameters."""
    captured: list[tuple[str, object]] = []

    def capture(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM parking_sessions" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    services.check_plates(principal, "BENCH", [plate(0)], None)
    event.remove(db.engine, "before_cursor_execute", capture)
    db.session.rollback()
    statement, parameters = captured[0]
    postgres = db.engine.dialect.name == "postgresql"
    explain = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if postgres else "EXPLAIN QUERY PLAN "
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return [str(row[0] if postgres else row[-1]) for row in rows]


def index_line(plan: list[str]) -> str:
    """The line of a plan that names the sessions' index (the proof the check does not scan)."""
    line = next((line for line in plan if "parking_sessions" in line), plan[0])
    return line.strip().removeprefix("->").strip()[:90]


# (sessions, seconds to seed them, seconds per check, plan of the sessions query)
Measure = tuple[int, float, float, list[str]]


def grow(app: Flask, world: World, sizes: list[int]) -> list[Measure]:
    """Seed up to each size in turn; measure a check and read its plan at each."""
    measured, plates = [], 0
    principal = Principal(id=world.device_id, role="device", kind="device")
    for size in sizes:
        target = max(size // 10, PROBES)
        started = time.perf_counter()
        seed_sessions(db.engine, world, range(plates, target), datetime.now(UTC))
        seeding = time.perf_counter() - started
        plates = target
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        with app.app_context():
            measured.append((size, seeding, check_cost(principal), sessions_plan(principal)))
    return measured


def under_load(
    url: str, world: World, plates: int, args: argparse.Namespace
) -> dict[str, Load | float]:
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "ENFORCEMENT_RATE_LIMIT": "100000000 per minute",  # measure the check, not the limit
    }
    rotation = {"PLATES": str(plates)}
    indexed_env = rotation | {"PATH_PREFIX": f"/indexed?zone_id={world.zone_id}&plate="}
    check_env = rotation | {
        "AUTH": f"ApiKey {world.device_key}",
        "PATH_PREFIX": "/api/v1/enforcement/check?zone=BENCH&plate=",
    }
    with gunicorn("bench.baseline_app:app", env) as base:
        hello = warm_then_measure(f"{base}/hello", None, args)
        indexed = warm_then_measure(base, indexed_env, args)
    bulk_env = {"AUTH": f"ApiKey {world.device_key}", "ZONE": "BENCH", "BULK": str(BULK)}
    with gunicorn("wsgi:app", env) as base:
        check = warm_then_measure(base, check_env, args)
        bulk_load = warm_then_measure(
            f"{base}/api/v1/enforcement/check", bulk_env, args, BULK_SCRIPT, SCAN_CARS
        )
        bulk, singles = bulk_against_singles(base, world.device_key)
    return {"hello": hello, "indexed": indexed, "check": check, "bulk_load": bulk_load,
            "bulk": bulk, "singles": singles}  # fmt: skip


def warm_then_measure(
    url: str,
    env: dict[str, str] | None,
    args: argparse.Namespace,
    script: Path = SCRIPT,
    connections: int | None = None,
) -> Load:
    """wrk on `url` (with `script` when `env` is given: by default the plate rotation), after a
    warm-up run that lets every worker build its caches (compiled statements, tariffs)."""
    script = script if env is not None else None
    connections = connections or args.connections
    wrk(url, seconds=WARM_UP_SECONDS, connections=connections, script=script, env=env)
    return wrk(url, seconds=args.seconds, connections=connections, script=script, env=env)


def bulk_against_singles(base: str, key: str) -> tuple[float, float]:
    """Seconds of one 500-plate POST and of 500 GETs in a row (best of 3 each)."""
    http = requests.Session()
    http.headers["Authorization"] = f"ApiKey {key}"
    plates = [plate(k) for k in range(BULK)]
    url = f"{base}/api/v1/enforcement/check"

    def bulk() -> None:
        http.post(url, json={"zone": "BENCH", "plates": plates}, timeout=60).raise_for_status()

    def singles() -> None:
        for one in plates:
            http.get(url, params={"zone": "BENCH", "plate": one}, timeout=60).raise_for_status()

    return min(timeit.repeat(bulk, number=1, repeat=3)), min(
        timeit.repeat(singles, number=1, repeat=3)
    )


def report(
    database: str, measured: list[Measure], loads: dict[str, Any], args: argparse.Namespace
) -> None:
    print(f"database: {database}, {os.cpu_count()} cores")
    first = measured[0][2]
    print("\nsessions    seeded in   check (in process)   / first size")
    for size, seeding, cost, _plan in measured:
        print(f"{size:>9,}   {seeding:>8.1f}s   {cost * 1e6:>12.0f} us   {cost / first:>10.2f}x")
    for size, _seeding, _cost, plan in measured:
        print(f"\nplan of the sessions query at {size:,} sessions:")
        print("\n".join(f"  {line}" for line in plan))
    hello, indexed, check = loads["hello"], loads["indexed"], loads["check"]
    print(
        f"\nunder load, {measured[-1][0]:,} sessions, {args.connections} connections, "
        f"{args.seconds} s each:"
    )
    for name, load in (("hello-world", hello), ("indexed query", indexed), ("check", check)):
        print(
            f"  {name:<14} {load.requests_per_second:>8.0f} req/s  p50 {load.p50_ms:>6.1f} ms"
            f"  p99 {load.p99_ms:>6.1f} ms  errors {load.errors}"
        )
    print(f"  check / hello-world:   {check.ratio_to(hello):.3f}x the requests/s")
    print(f"  check / indexed query: {check.ratio_to(indexed):.3f}x the requests/s")
    bulk_load = loads["bulk_load"]
    plates_per_second = bulk_load.requests_per_second * BULK
    print(
        f"  bulk {BULK} x {SCAN_CARS}    {bulk_load.requests_per_second:>8.0f} req/s  p50 "
        f"{bulk_load.p50_ms:>6.1f} ms  p99 {bulk_load.p99_ms:>6.1f} ms  errors {bulk_load.errors}"
        f"  ({plates_per_second:.0f} plates/s)"
    )
    bulk, singles = loads["bulk"], loads["singles"]
    print(
        f"\n500 plates: one bulk check {bulk * 1000:.0f} ms, 500 single checks "
        f"{singles * 1000:.0f} ms: the bulk takes {bulk / singles:.3f}x the time "
        f"({singles / bulk:.0f}x faster)"
    )
    largest = f"{measured[-1][0]:,}"
    result(
        f"check, {largest} vs {measured[0][0]:,} sessions ({database})",
        f"{measured[-1][2] / first:.2f}x",
        "the same check at the first size",
        f"{measured[-1][2] * 1e6:.0f} us in process; plan: {index_line(measured[-1][3])}",
    )
    latency = f"p50 {check.p50_ms:.0f} ms, p99 {check.p99_ms:.0f} ms"
    result(
        f"check under load ({database}, {largest} sessions)",
        f"{check.ratio_to(hello):.3f}x",
        f"hello-world {hello.requests_per_second:.0f} req/s",
        f"{check.requests_per_second:.0f} req/s, {latency}, errors {check.errors}",
    )
    result(
        f"check under load ({database}, {largest} sessions)",
        f"{check.ratio_to(indexed):.3f}x",
        f"bare indexed query {indexed.requests_per_second:.0f} req/s",
        f"indexed p50 {indexed.p50_ms:.0f} ms, p99 {indexed.p99_ms:.0f} ms",
    )
    result(
        f"bulk checks of {BULK} plates, {SCAN_CARS} at once ({database}), plates/s",
        f"{plates_per_second / indexed.requests_per_second:.2f}x",
        f"bare indexed query {indexed.requests_per_second:.0f} req/s (one plate each)",
        f"{bulk_load.requests_per_second:.1f} req/s, p50 {bulk_load.p50_ms:.0f} ms, "
        f"p99 {bulk_load.p99_ms:.0f} ms, errors {bulk_load.errors}",
    )
    result(
        f"bulk check of 500 plates ({database})",
        f"{bulk / singles:.3f}x",
        "500 single checks in a row",
        f"{bulk * 1000:.0f} ms against {singles * 1000:.0f} ms",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sessions", default="10000,1000000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    require_wrk()
    sizes = sorted(int(size) for size in args.sessions.split(","))
    with tempfile.TemporaryDirectory() as scratch:
        url = bench_database_url(args.database, scratch)
        reset_and_migrate(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        with app.app_context():
            world = create_world()
            measured = grow(app, world, sizes)
            db.engine.dispose()
        loads = under_load(url, world, max(sizes[-1] // 10, PROBES), args)
    report(args.database, measured, loads, args)


if __name__ == "__main__":
    main()
