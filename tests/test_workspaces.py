"""Two platforms' workspaces share one database and never meet."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.workspaces import Platform, native_id, platform_of, workspace_id
from storage.engine import Database
from storage.kudos_queries import SqlKudosQueries
from storage.kudos_repository import SqlKudosRepository
from storage.settings_repository import SqlSettingsRepository
from tests.helpers import store
from tests.test_storage import NOON, PLENTY, nomination, run

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TEAMS_WORKSPACE = f"msteams:{TENANT}"
TEAMS_USER = "29:1" + "a" * 120  # Teams' member ids run past 100 characters


def test_a_workspace_id_names_its_platform() -> None:
    assert workspace_id(Platform.SLACK, "T0001") == "T0001"
    assert workspace_id(Platform.MSTEAMS, TENANT) == TEAMS_WORKSPACE
    assert platform_of("T0001") is Platform.SLACK
    assert platform_of("E0001") is Platform.SLACK
    assert platform_of(TEAMS_WORKSPACE) is Platform.MSTEAMS
    assert native_id(TEAMS_WORKSPACE) == TENANT
    assert native_id("T0001") == "T0001"


@pytest.mark.parametrize("bad", ["", "msteams:x", "T:1"])
def test_a_slack_id_can_never_pass_for_another_platform(bad: str) -> None:
    with pytest.raises(ValueError, match="not a slack workspace id"):
        workspace_id(Platform.SLACK, bad)


def test_slack_and_teams_workspaces_share_a_database_without_meeting(database_url: str) -> None:
    async def work(database: Database) -> Any:
        repo = SqlKudosRepository(database)
        await store(repo, nomination("slack-1", team="T0001"), created_at=NOON, allowance=PLENTY)
        teams_nomination = nomination(
            "teams-1", team=TEAMS_WORKSPACE, giver=TEAMS_USER, recipient_ids=("29:other",)
        )
        await store(repo, teams_nomination, created_at=NOON, allowance=PLENTY)
        settings = SqlSettingsRepository(
            database, default_recognition_channel=None, default_daily_limit=5
        )
        await settings.save(TEAMS_WORKSPACE, daily_limit=7)
        queries = SqlKudosQueries(database)
        return (
            await queries.given(team_id="T0001", user_id=TEAMS_USER, before=None, limit=10),
            await queries.given(team_id=TEAMS_WORKSPACE, user_id=TEAMS_USER, before=None, limit=10),
            (await settings.get("T0001")).daily_limit,
            (await settings.get(TEAMS_WORKSPACE)).daily_limit,
        )

    slack_view, teams_view, slack_limit, teams_limit = run(database_url, work)

    assert slack_view.items == ()
    assert [listed.kudos.team_id for listed in teams_view.items] == [TEAMS_WORKSPACE]
    assert (slack_limit, teams_limit) == (5, 7)
