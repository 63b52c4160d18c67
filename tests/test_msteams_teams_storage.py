"""The Teams teams Delight is installed in (storage/msteams_teams.py, migration 0015), on SQLite
and PostgreSQL: installers, removals counted to the last team, channels offered by team."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from storage.engine import Database, alembic_config
from storage.msteams import SqlMsTeamsDirectory
from storage.msteams_teams import SqlMsTeamsTeams
from tests.test_migrations import (  # noqa: F401  (fixtures)
    at_0009,
    columns,
    empty_database_url,
    snapshot,
)

T = TypeVar("T")
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TENANT = "msteams:28efbb18-2065-5f35-a9f0-6521047a0497"
OTHER_TENANT = "msteams:72f988bf-86f1-41af-91ab-2d7cd011db47"
SERVICE = "https://smba.trafficmanager.net/amer/"
STORE, WAREHOUSE = "19:store@thread.tacv2", "19:warehouse@thread.tacv2"
ALICE, BOB = "619b48b9-7842-5523-9653-01b62d817ddb", "e5772891-4fc9-5238-a677-df86954e3ba6"


def with_stores(
    url: str, work: Callable[[SqlMsTeamsTeams, SqlMsTeamsDirectory], Awaitable[T]]
) -> T:
    async def run() -> T:
        database = Database(url)
        try:
            return await work(SqlMsTeamsTeams(database), SqlMsTeamsDirectory(database))
        finally:
            await database.close()

    return asyncio.run(run())


async def channel(book: SqlMsTeamsDirectory, tenant: str, team: str, cid: str, name: Any) -> None:
    await book.remember_conversation(
        tenant, cid, service_url=SERVICE, kind="channel", at=NOON, team_id=team, name=name
    )


def test_installers_are_admins_while_their_team_has_delight(database_url: str) -> None:
    async def work(teams: SqlMsTeamsTeams, _book: SqlMsTeamsDirectory) -> list[Any]:
        await teams.installed(TENANT, STORE, service_url=SERVICE, at=NOON, installed_by=ALICE)
        await teams.installed(
            TENANT, WAREHOUSE, service_url=SERVICE, at=NOON, installed_by=BOB, name="Warehouse"
        )
        before = [await teams.is_installer(TENANT, p) for p in (ALICE, BOB)]
        elsewhere = await teams.is_installer(OTHER_TENANT, ALICE)
        left = await teams.removed(TENANT, WAREHOUSE, at=NOON + timedelta(minutes=1))
        again = await teams.removed(TENANT, WAREHOUSE, at=NOON + timedelta(minutes=2))
        after = [await teams.is_installer(TENANT, p) for p in (ALICE, BOB)]
        last = await teams.removed(TENANT, STORE, at=NOON + timedelta(minutes=3))
        # Installed again, by someone the event doesn't name: the installer is kept.
        await teams.installed(TENANT, STORE, service_url=SERVICE, at=NOON + timedelta(minutes=4))
        # A late, older event changes nothing.
        await teams.installed(
            TENANT, STORE, service_url=SERVICE, at=NOON, installed_by=BOB, name="Old name"
        )
        await teams.renamed(TENANT, STORE, "Store 12", at=NOON + timedelta(minutes=5))
        installed = [(t.team_id, t.name, t.installed_by) for t in await teams.teams(TENANT)]
        return [before, elsewhere, left, again, after, last, installed]

    assert with_stores(database_url, work) == [
        [True, True],
        False,
        1,
        1,
        [True, False],
        0,
        [(STORE, "Store 12", ALICE)],
    ]


def test_channels_are_offered_by_team_general_first_and_only_where_delight_is(
    database_url: str,
) -> None:
    async def work(teams: SqlMsTeamsTeams, book: SqlMsTeamsDirectory) -> list[Any]:
        for team, name in ((STORE, "Store 12"), (WAREHOUSE, "Warehouse")):
            await teams.installed(TENANT, team, service_url=SERVICE, at=NOON, name=name)
        await channel(book, TENANT, STORE, "19:wins@thread.tacv2", "Wins")
        await channel(book, TENANT, STORE, STORE, "Store 12")  # General, named by its team
        await channel(book, TENANT, STORE, "19:kudos@thread.tacv2", "Kudos")
        await channel(book, TENANT, WAREHOUSE, "19:dock@thread.tacv2", "Dock")
        await channel(book, OTHER_TENANT, STORE, "19:theirs@thread.tacv2", "Theirs")
        offered = [(c.team_name, c.name) for c in await teams.channels(TENANT)]
        await teams.removed(TENANT, WAREHOUSE, at=NOON)
        left = [(c.team_name, c.name) for c in await teams.channels(TENANT)]
        return [offered, left]

    assert with_stores(database_url, work) == [
        [
            ("Store 12", None),
            ("Store 12", "Kudos"),
            ("Store 12", "Wins"),
            ("Warehouse", "Dock"),
        ],
        [("Store 12", None), ("Store 12", "Kudos"), ("Store 12", "Wins")],
    ]


def test_0015_takes_the_teams_delight_spoke_in_as_installed_by_the_tenant_s_installer(
    at_0009: tuple[str, Engine],  # noqa: F811  (the fixture imported above)
) -> None:
    url, engine = at_0009
    config = alembic_config(url)
    command.upgrade(config, "0014")

    async def spoke(_teams: Any, book: SqlMsTeamsDirectory) -> None:
        await book.remember_tenant(TENANT, service_url=SERVICE, at=NOON, installed_by=ALICE)
        await channel(book, TENANT, STORE, STORE, "Store 12")
        await channel(book, TENANT, STORE, "19:kudos@thread.tacv2", "Kudos")
        await channel(book, TENANT, WAREHOUSE, WAREHOUSE, None)
        await book.remember_conversation(
            TENANT, "a:1personal", service_url=SERVICE, kind="personal", at=NOON, user_id=BOB
        )
        await book.remember_tenant(OTHER_TENANT, service_url=SERVICE, at=NOON)  # no team

    with_stores(url, spoke)
    before = snapshot(engine)

    command.upgrade(config, "0015")
    after = snapshot(engine)
    command.upgrade(config, "head")  # the repository is the newest revision's

    async def read(teams: SqlMsTeamsTeams, _book: Any) -> list[Any]:
        found = [(t.team_id, t.installed_by, t.removed_at) for t in await teams.teams(TENANT)]
        return [found, await teams.is_installer(TENANT, ALICE), await teams.teams(OTHER_TENANT)]

    assert with_stores(url, read) == [
        [(STORE, ALICE, None), (WAREHOUSE, ALICE, None)],
        True,
        [],
    ]
    assert {k: v for k, v in after.items() if k != "msteams_teams"} == {
        k: [{**row, "default_timezone": None} for row in v] if k == "workspace_settings" else v
        for k, v in before.items()
    }

    command.downgrade(config, "0014")

    assert snapshot(engine) == before
    assert not sa.inspect(engine).has_table("msteams_teams")
    assert "default_timezone" not in columns(engine, "workspace_settings")
    command.upgrade(config, "0015")
    assert "default_timezone" in columns(engine, "workspace_settings")
