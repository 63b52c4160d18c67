"""When Delight leaves a place that a team of people's members are read from, that team's
digests pause and the admin who made it is told: once, in the pause that stopped it, and not
for a team picked person by person (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.core.installations import REMOVED_FROM_PLACE, TEAM_ARCHIVED
from bot.core.place_pauses import PausedTeam, digest_pauses
from storage.digest_ledger import SqlDigestLedger
from storage.engine import Database
from tests.helpers import execute, query

WORKSPACE = "msteams:7e000000-0000-4000-8000-0000000000aa"
ROSTER = "19:store-12@thread.tacv2"
CREATED = datetime(2026, 11, 30, 9, tzinfo=UTC)


class RecordingPoster:
    """The DigestPoster's one call a pause makes; `failing` names a creator it can't reach."""

    def __init__(self, failing: str = "") -> None:
        self.told: list[tuple[str, str, str, str]] = []
        self._failing = failing

    async def tell_creator_place_paused(
        self, team_id: str, creator_id: str, team_name: str, reason: str
    ) -> None:
        if creator_id == self._failing:
            raise RuntimeError("Teams is down")
        self.told.append((team_id, creator_id, team_name, reason))


def team_of_people(
    database_url: str, pk: int, name: str, created_by: str, *, source: tuple[str, str]
) -> None:
    execute(
        database_url,
        "INSERT INTO manager_team (id, team_id, name, created_by, created_at) "
        "VALUES (:pk, :workspace, :name, :by, :at)",
        pk=pk,
        workspace=WORKSPACE,
        name=name,
        by=created_by,
        at=CREATED,
    )
    kind, ref = source
    execute(
        database_url,
        "INSERT INTO manager_team_source (manager_team_id, kind, ref_id) VALUES (:pk, :kind, :ref)",
        pk=pk,
        kind=kind,
        ref=ref,
    )


def pause(database_url: str, poster: Any, places: list[str]) -> int:
    async def work() -> int:
        database = Database(database_url)
        try:
            pauses = digest_pauses(SqlDigestLedger(database), poster)
            return await pauses.pause_places(WORKSPACE, places, reason=REMOVED_FROM_PLACE)
        finally:
            await database.close()

    return asyncio.run(work())


def paused(database_url: str) -> dict[str, str | None]:
    rows = query(database_url, "SELECT name, paused_reason FROM manager_team ORDER BY name")
    return {row["name"]: row["paused_reason"] for row in rows}


def test_the_creators_of_the_teams_read_from_the_place_are_told_once(database_url: str) -> None:
    team_of_people(database_url, 1, "Floor", "alice", source=("channel", ROSTER))
    team_of_people(database_url, 2, "Back office", "dave", source=("channel", ROSTER))
    team_of_people(database_url, 3, "Picked", "alice", source=("user", "bob"))
    team_of_people(database_url, 4, "Elsewhere", "alice", source=("channel", "19:other"))
    poster = RecordingPoster()

    assert pause(database_url, poster, [ROSTER]) == 2
    assert poster.told == [
        (WORKSPACE, "dave", "Back office", REMOVED_FROM_PLACE),
        (WORKSPACE, "alice", "Floor", REMOVED_FROM_PLACE),
    ]
    assert paused(database_url) == {
        "Back office": REMOVED_FROM_PLACE,
        "Elsewhere": None,
        "Floor": REMOVED_FROM_PLACE,
        "Picked": None,
    }
    # The platform says it again: nothing more is paused, nobody is told twice.
    assert pause(database_url, poster, [ROSTER]) == 0
    assert len(poster.told) == 2


def test_a_creator_who_cant_be_told_leaves_the_others_told_and_the_pause_stands(
    database_url: str,
) -> None:
    team_of_people(database_url, 1, "Floor", "alice", source=("channel", ROSTER))
    team_of_people(database_url, 2, "Nights", "", source=("channel", ROSTER))  # maker unknown
    team_of_people(database_url, 3, "Returns", "zoe", source=("channel", ROSTER))
    poster = RecordingPoster(failing="alice")

    assert pause(database_url, poster, [ROSTER]) == 3
    assert [creator for _, creator, _, _ in poster.told] == ["zoe"]
    assert set(paused(database_url).values()) == {REMOVED_FROM_PLACE}


def test_the_ledger_names_only_the_teams_this_pause_stopped(database_url: str) -> None:
    team_of_people(database_url, 1, "Floor", "alice", source=("channel", ROSTER))
    execute(database_url, "UPDATE manager_team SET paused_reason = 'by hand' WHERE id = 1")
    team_of_people(database_url, 2, "Returns", "zoe", source=("channel", ROSTER))

    async def work() -> list[PausedTeam]:
        database = Database(database_url)
        try:
            ledger = SqlDigestLedger(database)
            return await ledger.pause_places_listed(WORKSPACE, [ROSTER], reason=REMOVED_FROM_PLACE)
        finally:
            await database.close()

    assert asyncio.run(work()) == [PausedTeam(name="Returns", created_by="zoe")]
    assert paused(database_url) == {"Floor": "by hand", "Returns": REMOVED_FROM_PLACE}


def test_a_place_that_only_stops_posting_pauses_no_digest(database_url: str) -> None:
    """An archived Teams team is read only: its roster is still read and managers are told
    1:1, so no digest stops with it."""
    team_of_people(database_url, 1, "Floor", "alice", source=("channel", ROSTER))

    async def work() -> list[PausedTeam]:
        database = Database(database_url)
        try:
            ledger = SqlDigestLedger(database)
            return await ledger.pause_places_listed(
                WORKSPACE, [ROSTER], reason=TEAM_ARCHIVED, posting_only=True
            )
        finally:
            await database.close()

    assert asyncio.run(work()) == []
    assert paused(database_url) == {"Floor": None}
