"""What the load benchmarks share: servers on loopback, wrk, and results as ratios.

Every figure a benchmark prints is a ratio to a baseline measured in the same run on the same
machine (this machine is shared and noisy: a bare requests/s means little on its own). Servers
listen on 127.0.0.1 only and are stopped when the benchmark ends.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextmanager
def gunicorn(
    app: str, env: dict[str, str], workers: int | None = None, worker_class: str | None = None
) -> Iterator[str]:
    """Serve `app` (e.g. "wsgi:app") with the production gunicorn.conf.py; yields its base URL.

    `worker_class` overrides the configuration's (gunicorn's command line wins over its file),
    for contrasts such as sync workers against gevent ones."""
    port = free_port()
    server_env = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING"}
    if workers:
        server_env["WEB_CONCURRENCY"] = str(workers)
    metrics_dir = tempfile.mkdtemp(prefix="bench-metrics-")
    server_env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    command = [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    if worker_class:
        command += ["--worker-class", worker_class]
    process = subprocess.Popen(
        [*command, app],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=40)
        shutil.rmtree(metrics_dir, ignore_errors=True)


@contextmanager
def localstripe() -> Iterator[str]:
    """The local Stripe server on a free loopback port; yields its base URL."""
    process = subprocess.Popen(
        [PYTHON, str(ROOT / "scripts" / "localstripe_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        yield f"http://127.0.0.1:{int(line.split()[-1])}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def slow_proxy(target: str, delay_ms: int) -> Iterator[str]:
    """`target` answering `delay_ms` later: a card processor's real latency."""
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "slow_proxy.py"), target, str(port), str(delay_ms)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def ratio_to(self, baseline: Load) -> float:
        return self.requests_per_second / baseline.requests_per_second


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(
    url: str,
    *,
    seconds: int = 10,
    connections: int = 50,
    threads: int = 2,
    script: Path | None = None,
    env: dict[str, str] | None = None,
) -> Load:
    """Drive `url` with wrk and read requests/s, p50, p99 and non-2xx/3xx answers."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Load:
    """Requests/s, p50, p99 and failed requests from what `wrk --latency` prints."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    # Anchored: "Thread Stats" lines end in percentages such as "89.99%" too.
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(rate, p50, p99, errors)


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: `apt-get install wrk` (Debian's package)")


POSTGRES_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def postgres_database(url: str = POSTGRES_BENCH) -> str:
    """`url`, creating its database first if the server lacks it (a fresh machine has none)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url


def bench_database_url(database: str, scratch: str) -> str:
    """Where a benchmark builds its database: SQLite in `scratch`, or PostgreSQL (DATABASE_URL
    when it names one, else the `bench` database of 127.0.0.1, created if missing)."""
    if database == "sqlite":
        return f"sqlite:///{scratch}/bench.sqlite3"
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else postgres_database(POSTGRES_BENCH)


def result(figure: str, value: str, baseline: str, note: str = "") -> None:
    """One line of the summary table that `bench/run_all.py` writes to docs/BENCHMARKS.md:
    a figure, its value as a ratio, the baseline it is a ratio to (same run), and context."""
    print(f"RESULT | {figure} | {value} | {baseline} | {note} |", flush=True)
