"""The benchmark still runs: a few requests through every app, end to end (its figures are
read by people, not asserted; bench/ack_and_delivery.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_every_app_and_delivers_every_kudos() -> None:
    arguments = ["-n", "30", "-c", "5", "--givers", "10", "--warmup", "10", "--history", "0"]
    finished = subprocess.run(
        [sys.executable, "-m", "bench.ack_and_delivery", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = finished.stdout
    for app in ("bare", "minimal", "delight"):
        assert f"\n{app} " in report
    assert "non-200 answers: delight 0" in report
    assert "every delight kudos fully delivered: 30/30: yes" in report
