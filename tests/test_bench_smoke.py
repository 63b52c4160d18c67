"""The benchmarks still run: a few requests through every app, end to end (their figures are
read by people, not asserted; bench/ack_and_delivery.py, bench/teams_delivery.py,
bench/instructions.py, bench/teams_fanout.py, bench/log_pages.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakemsteams import RateLimits

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


def test_the_instruction_count_runs_both_teams_apps_in_process() -> None:
    """bench/instructions.py's Teams path (bench/teams_in_process.py), without valgrind."""
    report = run_bench(
        "bench.instructions", "--platform", "teams", "--cpu", "--kudos", "20", "--history", "0"
    )
    assert "on Teams" in report
    assert "minimal " in report
    assert "delight " in report
    assert "NOTE" not in report  # every announcement and recipient's card was sent


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


def test_the_teams_fanout_benchmark_sends_every_tip_and_digest() -> None:
    report = run_bench(
        "bench.teams_fanout", *("--members", "60", "--managers", "60", "--kudos", "1000")
    )
    assert report.count("60 messages sent") == 3, report
    assert report.count("sent (DMed 60 of 60 members)") == 2, report
    assert "60 manager digests on a Monday, each 1:1 opened: 60 sent" in report
    assert "429s met:" in report
    assert "requests/s of the tenant's 50/s" in report


def test_the_fake_connector_refuses_what_passes_teams_rate_limits() -> None:
    """bench.teams_fanout's judge: a tenant's 51st request within a second, a conversation's
    8th message within a second, are answered 429 with the seconds to wait."""
    limits = RateLimits()
    assert [limits.admit("send", "a:one", "t", 0.0) for _ in range(7)] == [0.0] * 7
    assert limits.admit("send", "a:one", "t", 0.5) == pytest.approx(0.5)
    for n in range(43):
        assert limits.admit("create", None, "t", 0.9) == 0.0, n
    assert limits.admit("paged", "19:team", "t", 0.95) == pytest.approx(0.05)
    assert limits.admit("create", None, "elsewhere", 0.95) == 0.0
    assert limits.throttled == {"send": 1, "paged": 1}
    assert len(limits.accepted) == 51


def test_the_log_pages_of_counted_kudos_are_named() -> None:
    """bench/log_pages.py: Delight's write-ahead log, every checkpoint off, read frame by frame."""
    report = run_bench("bench.log_pages", "--platform", "teams", "--kudos", "20", "--history", "0")
    assert "20 kudos on Teams" in report
    assert "log pages a kudos: " in report
    assert "kudos (leaf)" in report  # named after their b-tree
