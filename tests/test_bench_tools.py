"""The benchmark tools read wrk right and rewrite only their own part of docs/BENCHMARKS.md."""

from pathlib import Path

import pytest

from bench import run_all
from bench.harness import parse_wrk

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/api/v1/enforcement/check
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.50ms   20.10ms 1.20s    89.99%
    Req/Sec     1.02k   100.00     1.30k    70.00%
  Latency Distribution
     50%    8.10ms
     75%   12.00ms
     90%   20.00ms
     99%    1.20s
  20400 requests in 10.00s, 5.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   2040.00
Transfer/sec:    522.00KB
"""


def test_wrk_output_gives_rate_percentiles_and_every_failed_request() -> None:
    load = parse_wrk(WRK_OUTPUT)

    assert load.requests_per_second == 2040.0
    assert load.p50_ms == pytest.approx(8.1)
    assert load.p99_ms == pytest.approx(1200.0)
    assert load.errors == 7 + 2 + 3


def test_bench_table_replaces_only_its_own_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = tmp_path / "BENCHMARKS.md"
    document.write_text("# Benchmarks\n\nIntro.\n\n## Pricing\n\nKept.\n")
    monkeypatch.setattr(run_all, "BENCHMARKS_MD", document)
    rows = ["| pricing a 7-day session | 2.46x | pricing a 1-hour one | |"]

    run_all.write(run_all.table(rows, [], "make bench", "2 cores", quick=False))
    run_all.write(run_all.table(rows[:0], ["locate: exited with code 1"], "make bench", "", False))

    text = document.read_text()
    assert text.count(run_all.BEGIN) == text.count(run_all.END) == 1
    assert "2.46x" not in text
    assert "locate: exited with code 1" in text
    assert text.startswith("# Benchmarks\n")
    assert text.endswith("## Pricing\n\nKept.\n")


def test_a_step_that_hangs_is_stopped_at_its_limit_with_what_it_ran(tmp_path: Path) -> None:
    script = tmp_path / "hangs.py"
    script.write_text(
        "import subprocess, time\n"
        "subprocess.Popen(['sleep', '600'])\n"  # a server of the step's: stopped with it
        "print('RESULT | figure | 1.00x | baseline | |', flush=True)\n"
        "time.sleep(600)\n"
    )

    rows, failure = run_all.run(run_all.Step("hangs", [str(script)], 2), 1, 1)

    assert rows == ["| figure | 1.00x | baseline | |"]
    assert failure == "stopped after its limit of 2 s"
