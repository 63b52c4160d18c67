"""The layers stay honest: the domain never imports Slack, SQL or the layers above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("bot/core"), ids=lambda p: p.name)
def test_the_domain_uses_the_standard_library_only(path: Path) -> None:
    allowed_own = ("bot.core",)
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "bot":
            assert name.startswith(allowed_own), f"{path.name} imports {name}"
        else:
            assert top in _stdlib(), f"{path.name} imports third-party {name}"


@pytest.mark.parametrize("path", modules("handlers"), ids=lambda p: p.name)
def test_handlers_never_touch_storage(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith(("storage", "sqlalchemy", "sqlmodel")), name
        assert not name.startswith(("bot.runtime", "bot.config")), name


@pytest.mark.parametrize("path", modules("bot"), ids=lambda p: p.name)
def test_the_application_reaches_a_chat_platform_only_through_its_adapter(path: Path) -> None:
    """Even the composition root wires Slack through handlers/slack/, never its SDK."""
    for name in imports_of(path):
        assert not name.startswith(("slack_bolt", "slack_sdk")), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("storage"), ids=lambda p: p.name)
def test_storage_knows_nothing_of_chat_platforms(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith(("slack", "handlers", "bot.runtime")), name


def test_only_the_composition_root_builds_the_app() -> None:
    builders = [
        p.relative_to(ROOT).as_posix()
        for package in ("bot", "handlers", "storage")
        for p in modules(package)
        if "build_runtime(" in p.read_text() or "create_bolt_app(" in p.read_text()
    ]
    assert sorted(builders) == [
        "bot/runtime.py",
        "handlers/slack/app.py",
        "handlers/slack/platform.py",
    ]


def _stdlib() -> frozenset[str]:
    import sys

    return frozenset(sys.stdlib_module_names) | {"__future__"}


# What only Slack says: its id shapes, message timestamps, markup and wording.
_SLACK_KNOWLEDGE = [
    (re.compile(r"\[UW\]|\[CG\]|\[TE\]"), "a Slack id pattern"),
    (re.compile(r"\b[UCGWT]0[0-9A-Z]{3,}\b"), "a Slack-shaped id"),
    (re.compile(r"\bts\b|_ts\b"), "a Slack message timestamp"),
    (re.compile(r"mrkdwn|Block Kit|/invite|chat\.postMessage|users\.info", re.I), "Slack API"),
    (re.compile(r"\bslack\b", re.I), "Slack by name"),
    (re.compile(r"\bemoji\b", re.I), "emoji names"),
    (re.compile(r"<[@#!]"), "Slack's mention markup"),
]
# The one place that names the platforms the core's ports are for.
_MAY_NAME_PLATFORMS = {"platform.py", "workspaces.py"}


@pytest.mark.parametrize("path", modules("bot/core"), ids=lambda p: p.name)
def test_the_core_knows_no_chat_platform(path: Path) -> None:
    """Adapters translate: ids are checked, messages worded and posts referenced by the
    platform's adapter (bot/core/platform.py names the ports)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        for pattern, what in _SLACK_KNOWLEDGE:
            if what == "Slack by name" and path.name in _MAY_NAME_PLATFORMS:
                continue
            assert not pattern.search(line), f"{path.name}:{number} has {what}: {line.strip()}"
