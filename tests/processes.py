"""Starting, probing and stopping `python -m bot` as a real process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.driver import SIGNING_SECRET
from tests.fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(database_url: str, fake_slack: FakeSlack, *, token: str, port: int) -> dict[str, str]:
    """What a bot process needs to serve on `port` against the fake Slack."""
    return {
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "DELIGHT_LEADER_RETRY_SECONDS": "1",
        "DELIGHT_HEALTH_DETAILS": "true",  # the scheduler's leadership, for the tests to see
    }


def start_bot(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """`python -m bot *args` in `cwd`, with `env` and none of this machine's Slack settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DELIGHT_"))}
    clean.pop("DATABASE_URL", None)
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
        return dict(json.loads(response.read()))


def wait_healthy(port: int, process: subprocess.Popen[str], timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"bot exited early:\n{process.stdout.read() if process.stdout else ''}"
            )
        try:
            return health(port)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("bot never became healthy")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output
