"""Microsoft's own checkers, run under node: Adaptive Cards (npm `adaptivecards`) and the Teams
app manifest (the schemas `@microsoft/app-manifest` carries). Offline: tests/node/node_modules
is installed by `./dev test` from the pinned package-lock.json."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).parent / "node"
TIMEOUT_SECONDS = 60


def check_cards(cards: list[dict[str, Any]]) -> list[list[str]]:
    """What is wrong with each card (an empty list: nothing), in the order given."""
    if not cards:
        return []
    stdin = "".join(json.dumps(card) + "\n" for card in cards)
    lines = _run("check_cards.js", stdin).splitlines()
    assert len(lines) == len(cards), f"check_cards.js answered {len(lines)} of {len(cards)} cards"
    return [list(json.loads(line)["errors"]) for line in lines]


def check_manifest(manifest: dict[str, Any]) -> list[str]:
    """The schema's complaints about a Teams app manifest (an empty list: it validates)."""
    answer = json.loads(_run("check_manifest.js", json.dumps(manifest)))
    return list(answer["errors"])


def _run(script: str, stdin: str) -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Microsoft's card and manifest checkers need it")
    if not (NODE_DIR / "node_modules").is_dir():
        pytest.fail(
            "tests/node/node_modules is missing: run ./dev test, or `npm ci` in tests/node",
            pytrace=False,
        )
    done = subprocess.run(
        [node, script],
        cwd=NODE_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{script} failed ({done.returncode}): {done.stderr.strip()}", pytrace=False)
    return done.stdout
