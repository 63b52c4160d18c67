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
from tests.helpers import execute, query
from tests.processes import free_port, health, start_bot, stop, wait_healthy
from tests.teams_driver import card_of, texts, wait_for

on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

WORKSPACE = f"msteams:{TENANT_ID}"
NIGHT_CHANNEL = "19:night-shift@thread.tacv2"


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


def add_due_schedule(database_url: str, channel: str) -> None:
    """A daily channel schedule whose occurrence five minutes ago is due (caught up at once)."""
    now = datetime.now(UTC)
    execute(
        database_url,
        "INSERT INTO tip_schedule (team_id, channel_id, owner_id, weekdays, at, timezone, "
        "start_date, paused, created_at, mode) VALUES (:workspace, :channel, :owner, "
        "'0,1,2,3,4,5,6', :at, 'UTC', :start, false, :created, 'channel')",
        workspace=WORKSPACE,
        channel=channel,
        owner=ALICE.aad_id,
        at=(now - timedelta(minutes=5)).strftime("%H:%M"),
        start=(now - timedelta(days=1)).date(),
        created=now - timedelta(minutes=30),
    )


def schedule_digests_this_hour(database_url: str) -> None:
    now = datetime.now(UTC)
    execute(
        database_url,
        "INSERT INTO digest_schedule (team_id, weekday, hour, charts, updated_at) "
        "VALUES (:workspace, :weekday, :hour, false, :now)",
        workspace=WORKSPACE,
        weekday=now.weekday(),
        hour=now.hour,
        now=now,
    )


def add_team(database_url: str, name: str, *, manager: Person) -> None:
    """A team of people made yesterday by Alice, Alice its one member, its manager in UTC."""
    execute(
        database_url,
        "INSERT INTO manager_team (team_id, name, created_by, created_at) "
        "VALUES (:workspace, :name, :admin, :created)",
        workspace=WORKSPACE,
        name=name,
        admin=ALICE.aad_id,
        created=datetime.now(UTC) - timedelta(days=1),
    )
    [row] = query(database_url, "SELECT id FROM manager_team WHERE name = :name", name=name)
    execute(
        database_url,
        "INSERT INTO manager_team_manager (manager_team_id, user_id, team_id, tz) "
        "VALUES (:pk, :manager, :workspace, 'UTC')",
        pk=row["id"],
        manager=manager.aad_id,
        workspace=WORKSPACE,
    )
    execute(
        database_url,
        "INSERT INTO manager_team_source (manager_team_id, kind, ref_id) "
        "VALUES (:pk, 'user', :member)",
        pk=row["id"],
        member=ALICE.aad_id,
    )


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
    add_due_schedule(database_url, TEAM_ID)
    schedule_digests_this_hour(database_url)
    add_team(database_url, "Front desk", manager=BOB)
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
    add_due_schedule(database_url, NIGHT_CHANNEL)
    add_team(database_url, "Night shift", manager=CAROL)
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
