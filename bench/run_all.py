"""`make bench`: every benchmark of bench/, on SQLite and PostgreSQL, summed up in one table.

Runs each script in turn (its own output streams through, so a long seed shows its progress),
collects the `RESULT | figure | ratio | baseline | note |` lines they print, and writes the
table, with the machine, the date and the command, between the markers of docs/BENCHMARKS.md.
Everything listens on 127.0.0.1; each step has a time limit, so the whole run is bounded.

    python bench/run_all.py                 # the full run (about 15 minutes on 2 cores)
    python bench/run_all.py --quick         # smaller sizes and shorter loads, prints only
    python bench/run_all.py --quick --write # ... and writes the table anyway
PostgreSQL: the database `bench` of 127.0.0.1:5432 (created if missing, its schema rebuilt).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import POSTGRES_BENCH, postgres_database, require_wrk  # noqa: E402

BENCHMARKS_MD = ROOT / "docs" / "BENCHMARKS.md"
BEGIN = "<!-- make bench: begin (written by bench/run_all.py) -->"
END = "<!-- make bench: end -->"


@dataclass(frozen=True)
class Step:
    name: str
    arguments: list[str]
    time_limit_seconds: int


def steps(quick: bool) -> list[Step]:
    sessions = "10000,100000" if quick else "10000,1000000"
    rows = "100000" if quick else "1000000"
    seconds = "3" if quick else "10"
    steps = [
        Step("pricing", ["bench_pricing.py"], 120),
        Step("locate", ["bench_locate.py"], 300),
    ]
    for database in ("sqlite", "postgresql"):
        steps += [
            Step(
                f"enforcement checks ({database})",
                [
                    "bench_enforcement.py",
                    "--database",
                    database,
                    "--sessions",
                    sessions,
                    "--seconds",
                    seconds,
                ],
                900,
            ),  # fmt: skip
            Step(
                f"session starts ({database})",
                ["bench_sessions.py", "--database", database, "--seconds", seconds],
                600,
            ),
        ]
    steps += [
        Step("payments.csv export (sqlite)", ["bench_reports.py", "--rows", rows], 900),
        Step(
            "payments.csv export (postgresql)",
            ["bench_reports.py", "--rows", rows, "--database-url", POSTGRES_BENCH],
            900,
        ),
    ]
    return steps


def run(step: Step, number: int, total: int) -> tuple[list[str], str | None]:
    """Run one step, echoing its output; returns its RESULT rows and, if it failed, why."""
    print(f"\n[{number}/{total}] {step.name}", flush=True)
    command = [sys.executable, str(ROOT / "bench" / step.arguments[0]), *step.arguments[1:]]
    rows: list[str] = []
    started = time.monotonic()
    with subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: its servers and wrk go with it
    ) as process:
        # A step that hangs prints nothing: a timer, not the output loop, enforces the limit.
        watchdog = threading.Timer(step.time_limit_seconds, _kill_group, (process.pid,))
        watchdog.start()
        assert process.stdout is not None
        for line in process.stdout:
            print(f"    {line}", end="", flush=True)
            if line.startswith("RESULT |"):
                rows.append(line.removeprefix("RESULT ").strip())
        code = process.wait()
        watchdog.cancel()
    print(f"    ({time.monotonic() - started:.0f} s)", flush=True)
    if time.monotonic() - started >= step.time_limit_seconds:
        return rows, f"stopped after its limit of {step.time_limit_seconds} s"
    return rows, None if code == 0 else f"exited with code {code}"


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended as the limit came
        os.killpg(pid, signal.SIGKILL)


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    postgres = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version", "postgres"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kib / 1024 / 1024:.0f} GiB, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres or 'unknown'}; "
        f"load average before the run {load}"
    )


def table(rows: list[str], failures: list[str], command: str, about: str, quick: bool) -> str:
    kind = "quick run" if quick else "full run"
    lines = [
        BEGIN,
        f"## Latest {kind} of `make bench`",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- command: `{command}`",
        f"- machine: {about}",
        "",
        "Each figure is a ratio to the baseline beside it, both measured in this run. The",
        "sections below explain each benchmark and what its figures mean.",
        "",
        "| figure | ratio | baseline (same run) | context |",
        "|---|---|---|---|",
        *rows,
    ]
    if failures:
        lines += ["", "Steps that did not finish:", *(f"- {failure}" for failure in failures)]
    return "\n".join([*lines, END])


def write(section: str) -> None:
    text = BENCHMARKS_MD.read_text()
    if BEGIN in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        title, body = text.split("\n", 1)
        text = f"{title}\n\n{section}\n{body}"
    BENCHMARKS_MD.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter loads")
    parser.add_argument("--write", action="store_true", help="write a quick run's table too")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("QUICK") == "1"
    require_wrk()
    postgres_database(POSTGRES_BENCH)
    about = machine()
    print(f"machine: {about}", flush=True)
    rows, failures = [], []
    plan = steps(quick)
    started = time.monotonic()
    for number, step in enumerate(plan, start=1):
        step_rows, failure = run(step, number, len(plan))
        rows += step_rows
        if failure:
            failures.append(f"{step.name}: {failure}")
    command = "make bench" + (" QUICK=1" if quick else "")
    section = table(rows, failures, command, about, quick)
    print(f"\n{section}\n\n(all steps: {(time.monotonic() - started) / 60:.0f} min)")
    if not quick or args.write:
        write(section)
        print(f"written to {BENCHMARKS_MD.relative_to(ROOT)}")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
