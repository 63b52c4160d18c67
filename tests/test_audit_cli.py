"""`python -m bot audit`: a Slack workspace's or a Teams organisation's audit log, oldest first,
from a day on, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.__main__ import main
from storage.audit_log import SqlAuditLog
from storage.engine import Database

TEAMS = "msteams:28efbb18-2065-5f35-a9f0-6521047a0497"


def audited(database_url: str, *entries: tuple[str, str, str, dict[str, Any], datetime]) -> None:
    async def work() -> None:
        database = Database(database_url)
        try:
            log = SqlAuditLog(database)
            for team_id, actor_id, action, detail, at in entries:
                await log.record(
                    team_id=team_id, actor_id=actor_id, action=action, detail=detail, at=at
                )
        finally:
            await database.close()

    asyncio.run(work())


@pytest.fixture
def log(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    audited(
        database_url,
        (
            "T0001",
            "U0001",
            "kudos.removed",
            {"kudos_id": 7, "reason": "wrong café"},
            datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
        ),
        (
            "T0001",
            "U0002",
            "settings.changed",
            {"daily_limit": {"from": 10, "to": 5}},
            datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        ),
        (
            TEAMS,
            "619b48b9-7842-5523-9653-01b62d817ddb",
            "settings.changed",
            {},
            datetime(2026, 11, 2, tzinfo=UTC),
        ),
    )
    return database_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_a_slack_workspace_s_log_oldest_first_and_no_other_workspace_s(
    log: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, _err = run(capsys, "audit", "--workspace", "t0001")
    assert code == 0
    assert lines == [
        '2026-11-01T08:00:00Z  U0002  settings.changed  {"daily_limit": {"from": 10, "to": 5}}',
        '2026-11-03T09:30:00Z  U0001  kudos.removed  {"kudos_id": 7, "reason": "wrong café"}',
    ]


def test_since_a_day_and_a_teams_organisation(log: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "audit", "--workspace", "T0001", "--since", "2026-11-02")[1] == [
        '2026-11-03T09:30:00Z  U0001  kudos.removed  {"kudos_id": 7, "reason": "wrong café"}'
    ]
    code, lines, _err = run(capsys, "audit", "--workspace", TEAMS)
    assert code == 0
    assert lines == [
        "2026-11-02T00:00:00Z  619b48b9-7842-5523-9653-01b62d817ddb  settings.changed  {}"
    ]
    code, lines, err = run(capsys, "audit", "--workspace", TEAMS, "--since", "2026-12-01")
    assert (code, lines) == (0, [])
    assert "no audit log entries" in err


def test_a_wrong_workspace_or_date_is_one_line_and_exit_code_2(
    log: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["--workspace", "#general"], ["--workspace", "T0001", "--since", "yesterday"]):
        with pytest.raises(SystemExit) as exited:
            main(["audit", *argv])
        assert exited.value.code == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert line.startswith("python -m bot audit: ")
