"""The benchmarks still run: a few requests through every app, end to end (their figures are
read by people, not asserted; bench/ack_and_delivery.py, bench/teams_delivery.py,
bench/instructions.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bench(module: str, *arguments: str) -> str:
    """The module's report; it must exit 0."""
    finished = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout


def test_the_benchmark_runs_every_app_and_delivers_every_kudos() -> None:
    report = run_bench(
        "bench.ack_and_delivery",
        *("-n", "30", "-c", "5", "--givers", "10", "--warmup", "10", "--history", "0"),
    )
    for app in ("bare", "minimal", "delight"):
        assert f"\n{app} " in report
    assert "non-200 answers: delight 0" in report
    assert "every delight kudos fully delivered: 30/30: yes" in report


def test_the_instruction_count_runs_both_apps_in_process() -> None:
    """bench/instructions.py without valgrind (the count itself is valgrind's)."""
    report = run_bench("bench.instructions", "--cpu", "--kudos", "20", "--history", "0")
    assert "minimal " in report
    assert "delight " in report


def test_the_teams_benchmark_runs_both_apps_and_delivers_every_kudos() -> None:
    report = run_bench(
        "bench.teams_delivery",
        *("-n", "30", "-c", "5", "--givers", "10", "--people", "10", "--tenants", "2"),
        *("--warmup", "10", "--history", "0"),
    )
    for app in ("minimal", "delight"):
        assert f"\n{app} " in report
    assert "givers' 1:1 cards 30 (30 'Sent!')" in report
    assert "non-200 answers: delight 0" in report
    assert "every delight kudos fully delivered: 30/30: yes" in report
