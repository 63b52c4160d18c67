"""Scale-out on Teams: two real `python -m bot clock` processes configured for Teams only, on
PostgreSQL, against the fake Bot Connector; the leader is killed after it delivered, and the
survivor delivers what comes due next. Every tip card and every digest card lands once."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from storage.engine import Database
from storage.msteams import SqlMsTeamsDirectory
from tests.fakemsteams import ALICE, BOB, CAROL, TEAM_ID, TENANT_ID, FakeConnector, Person
from tests.helpers import query
from tests.processes import free_port, health, start_bot, stop, wait_healthy
from tests.scheduled_rows import add_due_schedule, add_team, schedule_digests_this_hour
from tests.teams_driver import card_of, texts, wait_for

on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

WORKSPACE = f"msteams:{TENANT_ID}"
NIGHT_CHANNEL = "19:night-shift@thread.tacv2"


def team_managed_by(manager: Person) -> dict[str, str]:
    """Made by Alice, with Alice its one member."""
    return {
        "workspace": WORKSPACE,
        "creator": ALICE.aad_id,
        "manager": manager.aad_id,
        "member": ALICE.aad_id,
    }


def installed(database_url: str, fake: FakeConnector) -> None:
    """What Delight stored when Alice installed it in the team: the tenant and its service
    URL, the team's channels, and the people it has seen (no 1:1 with Bob or Carol yet)."""
    fake.add_channel(TEAM_ID, NIGHT_CHANNEL, "Night shift")

    async def store() -> None:
        database = Database(database_url)
        directory = SqlMsTeamsDirectory(database)
        now = datetime.now(UTC) - timedelta(days=1)
        url = fake.service_url
        try:
            await directory.remember_tenant(
                WORKSPACE, service_url=url, at=now, installed_by=ALICE.aad_id
            )
            for channel, name in ((TEAM_ID, None), (NIGHT_CHANNEL, "Night shift")):
                await directory.remember_conversation(
                    WORKSPACE,
                    channel,
                    service_url=url,
                    kind="channel",
                    at=now,
                    team_id=TEAM_ID,
                    name=name,
                )
            for person in (ALICE, BOB, CAROL):
                await directory.remember_member(
                    WORKSPACE, person.aad_id, member_id=person.member_id, name=person.name, at=now
                )
        finally:
            await database.close()

    asyncio.run(store())


class TeamsClock:
    """One `python -m bot clock` process for a Teams-only deployment."""

    def __init__(self, cwd: Path, teams_env: dict[str, str]) -> None:
        self.port = free_port()
        env = {
            **teams_env,
            "PORT": str(self.port),
            "DELIGHT_LEADER_RETRY_SECONDS": "1",
            "DELIGHT_HEALTH_DETAILS": "true",
        }
        self.process = start_bot(cwd, env, "clock")

    def is_leader(self) -> bool:
        return bool(health(self.port)["scheduler"]["leader"])


@pytest.fixture
def clocks(tmp_path: Path, teams_env: dict[str, str]) -> Iterator[tuple[TeamsClock, TeamsClock]]:
    pair = (TeamsClock(tmp_path, teams_env), TeamsClock(tmp_path, teams_env))
    yield pair
    for clock in pair:
        if clock.process.poll() is None:
            clock.process.kill()
            clock.process.wait(10)


def posted(fake: FakeConnector, conversation_id: str) -> list[dict[str, Any]]:
    return [card_of(activity) for activity in fake.activities(conversation_id)]


def sends(fake: FakeConnector) -> dict[str, str]:
    """Each conversation posted to, with the bearer token (so the process) that posted."""
    found: dict[str, str] = {}
    for call in fake.calls:
        if call.method == "POST" and call.path.endswith("/activities"):
            conversation = unquote(call.path.split("/conversations/")[1].split("/")[0])
            assert conversation not in found, f"posted twice to {conversation}"
            found[conversation] = call.token or ""
    return found


@on_postgres
def test_two_teams_clocks_send_each_tip_and_digest_once_and_the_survivor_takes_over(
    clocks: tuple[TeamsClock, TeamsClock], database_url: str, fake_connector: FakeConnector
) -> None:
    fake = fake_connector
    installed(database_url, fake)
    add_due_schedule(database_url, workspace=WORKSPACE, channel=TEAM_ID, owner=ALICE.aad_id)
    schedule_digests_this_hour(database_url, workspace=WORKSPACE)
    add_team(database_url, "Front desk", **team_managed_by(BOB))
    for clock in clocks:
        wait_healthy(clock.port, clock.process)

    # The leader delivers the channel's tip and Bob's digest (opening his 1:1 through the
    # connector: he never talked to Delight).
    wait_for(lambda: posted(fake, TEAM_ID) and posted(fake, BOB.personal_id), timeout=20)
    [leader] = [clock for clock in clocks if clock.is_leader()]
    [follower] = [clock for clock in clocks if clock is not leader]
    assert health(follower.port)["scheduler"]["last_tick"] is None  # it ran no jobs
    leader_token = sends(fake)[TEAM_ID]
    assert sends(fake)[BOB.personal_id] == leader_token

    # More comes due; the leader dies without a goodbye (PostgreSQL frees its lock).
    add_due_schedule(database_url, workspace=WORKSPACE, channel=NIGHT_CHANNEL, owner=ALICE.aad_id)
    add_team(database_url, "Night shift", **team_managed_by(CAROL))
    os.kill(leader.process.pid, signal.SIGKILL)
    leader.process.wait(10)

    wait_for(lambda: posted(fake, NIGHT_CHANNEL) and posted(fake, CAROL.personal_id), timeout=20)
    assert follower.is_leader()
    wait_for(lambda: health(follower.port)["scheduler"]["last_tick"] is not None)
    time.sleep(1.5)  # more election rounds and ticks: nothing is sent twice

    # Each card once, in its conversation; what was due before the kill not sent again.
    [tip] = posted(fake, TEAM_ID)
    [night_tip] = posted(fake, NIGHT_CHANNEL)
    [bob_digest] = posted(fake, BOB.personal_id)
    [carol_digest] = posted(fake, CAROL.personal_id)
    assert "Recognise someone who did this" in texts(tip)
    assert "Recognise someone who did this" in texts(night_tip)
    assert "Front desk" in texts(bob_digest)
    assert "Night shift" in texts(carol_digest)
    posters = sends(fake)
    assert posters[NIGHT_CHANNEL] == posters[CAROL.personal_id] != leader_token
    assert set(posters) == {TEAM_ID, NIGHT_CHANNEL, BOB.personal_id, CAROL.personal_id}
    tips = query(database_url, "SELECT status FROM tip_delivery")
    digests = query(database_url, "SELECT status FROM digest_delivery")
    assert [row["status"] for row in tips + digests] == ["sent"] * 4
    output = stop(follower.process)
    assert follower.process.returncode == 0, output
