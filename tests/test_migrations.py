"""Migrations over a database that holds data, on SQLite and on PostgreSQL.

Each test starts from an empty database, brings it to the revision before the one it tests,
stores rows the way the app of that revision did, and moves the schema under them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError

from storage.digest_ledger import SqlDigestLedger
from storage.engine import Database, alembic_config, make_sync_engine
from storage.msteams import SqlMsTeamsDirectory
from storage.msteams_teams import SqlMsTeamsTeams
from storage.tables import UTCDateTime
from tests.conftest import _postgres_admin_url

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# The tables of revision 0009, every one of which gets rows.
TABLES_0009 = (
    "audit_log",
    "digest_delivery",
    "digest_schedule",
    "installation",
    "kudos",
    "kudos_element",
    "kudos_endorsement",
    "kudos_recipient",
    "manager_team",
    "manager_team_manager",
    "manager_team_source",
    "oauth_state",
    "outbox",
    "processed_event",
    "tip_custom",
    "tip_delivery",
    "tip_direct_message",
    "tip_disabled",
    "tip_schedule",
    "user_preference",
    "workspace_settings",
)

# 0010's renames: (table, name in 0009, name in 0010)
RENAMED_IN_0010 = (
    ("kudos", "announcement_ts", "announcement_message_id"),
    ("kudos_recipient", "dm_ts", "dm_message_id"),
    ("tip_delivery", "message_ts", "message_id"),
    ("digest_delivery", "message_ts", "message_id"),
    ("workspace_settings", "endorsement_emoji", "endorsement_reaction"),
)

# Microsoft Teams' ids: a tenant GUID in the workspace id, long people and conversation ids.
TEAMS_WORKSPACE = "msteams:" + str(uuid.UUID("72f988bf-86f1-41af-91ab-2d7cd011db47"))
TEAMS_CONVERSATION = "a:1" + "x" * 197  # 200 characters
TEAMS_USER = "29:" + "y" * 120
TEAMS_CHANNEL = "19:" + "z" * 32 + "@thread.tacv2"
TEAMS_MESSAGE = "1" + "7" * 12  # Teams' message ids are epoch milliseconds


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (`database_url`'s are at the newest revision)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'delight.db'}"
        return
    admin_url = _postgres_admin_url()
    name = f"delight_migration_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def at_0009(empty_database_url: str) -> Iterator[tuple[str, Engine]]:
    """A database at revision 0009 holding a row in every table, and an engine on it."""
    command.upgrade(alembic_config(empty_database_url), "0009")
    engine = make_sync_engine(empty_database_url)
    with engine.begin() as connection:
        seed_0009(connection)
    try:
        yield empty_database_url, engine
    finally:
        engine.dispose()


def insert(connection: Connection, table: str, **values: Any) -> None:
    """A raw INSERT, its times and dates bound the way the app binds them."""
    types = {datetime: UTCDateTime(), date: sa.Date()}
    statement = sa.text(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + c for c in values)})"
    ).bindparams(
        *(sa.bindparam(c, type_=types[type(v)]) for c, v in values.items() if type(v) in types)
    )
    connection.execute(statement, values)


def seed_0009(connection: Connection) -> None:
    """What a Slack workspace's Delight had stored under revision 0009 (its column names)."""
    team = "T0001"
    insert(
        connection,
        "kudos",
        id=1,
        team_id=team,
        giver_id="U0001",
        story="covered the phones “all day” 🎉",
        source="command",
        request_key="cmd:1",
        recipient_count=2,
        origin_channel_id="C0001",
        source_url="https://example.slack.com/archives/C0001/p1763640000000100",
        announcement_channel_id="C0002",
        announcement_ts="1763640000.000100",
        private=False,
        created_at=NOON,
    )
    insert(  # private, so never announced: no entry in ix_kudos_announcement
        connection,
        "kudos",
        id=2,
        team_id=team,
        giver_id="U0002",
        story="stayed late",
        source="modal",
        request_key="modal:2",
        recipient_count=1,
        private=True,
        created_at=NOON + timedelta(minutes=5),
        removed_at=NOON + timedelta(minutes=6),
        removed_by="U0009",
    )
    insert(connection, "kudos_element", kudos_id=1, element="voluntary")
    insert(connection, "kudos_element", kudos_id=1, element="customer")
    for position, (person, dm_ts) in enumerate(
        [("U0002", "1763640001.000200"), ("U0003", "1763640001.000300")]
    ):
        insert(
            connection,
            "kudos_recipient",
            kudos_id=1,
            recipient_id=person,
            position=position,
            team_id=team,
            created_at=NOON,
            removed=False,
            dm_channel_id="D" + person[1:],
            dm_ts=dm_ts,
        )
    insert(
        connection,
        "kudos_recipient",
        kudos_id=2,
        recipient_id="U0001",
        position=0,
        team_id=team,
        created_at=NOON + timedelta(minutes=5),
        removed=True,
    )
    insert(
        connection,
        "kudos_endorsement",
        kudos_id=1,
        user_id="U0004",
        team_id=team,
        via="reaction",
        created_at=NOON + timedelta(minutes=1),
    )
    insert(
        connection,
        "outbox",
        kudos_id=2,
        kind="dm",
        target="U0001",
        team_id=team,
        attempts=2,
        next_attempt_at=NOON + timedelta(minutes=10),
        last_error="ratelimited",
        created_at=NOON + timedelta(minutes=5),
    )
    insert(
        connection,
        "workspace_settings",
        team_id=team,
        recognition_channel_id="C0002",
        daily_limit=5,
        require_element=True,
        leaderboard_enabled=False,
        endorsement_emoji="raised_hands",
        admin_ids="U0001,U0009",
        updated_at=NOON,
    )
    insert(connection, "processed_event", team_id=team, event_id="Ev0001", received_at=NOON)
    insert(
        connection,
        "user_preference",
        team_id=team,
        user_id="U0003",
        public_announcements=False,
        updated_at=NOON,
    )
    insert(
        connection,
        "audit_log",
        id=1,
        team_id=team,
        actor_id="U0009",
        action="kudos.remove",
        detail='{"kudos_id": 2}',
        created_at=NOON + timedelta(minutes=6),
    )
    insert(
        connection,
        "installation",
        team_id=team,
        enterprise_id="E0001",
        is_enterprise_install=False,
        team_name="Acme",
        app_id="A0001",
        bot_id="B0001",
        bot_user_id="U0BOT",
        bot_scopes="chat:write,commands",
        bot_token="xoxb-not-a-real-token",
        installer_id="U0001",
        installed_at=NOON - timedelta(days=30),
    )
    insert(connection, "oauth_state", state="s" * 43, expires_at=NOON + timedelta(minutes=10))
    insert(
        connection,
        "tip_schedule",
        id=1,
        team_id=team,
        channel_id="C0003",
        owner_id="U0009",
        weekdays="0,1,2,3,4",
        at="09:00",
        timezone="Europe/Paris",
        start_date=date(2026, 11, 2),
        paused=False,
        created_at=NOON - timedelta(days=20),
        mode="members",
        counts_from=NOON - timedelta(days=20),
    )
    insert(
        connection,
        "tip_delivery",
        id=1,
        schedule_id=1,
        occurrence=NOON - timedelta(hours=4),
        element="voluntary",
        tip_id="voluntary-3",
        status="sent",
        message_ts="1763625600.000500",
        updated_at=NOON - timedelta(hours=4),
    )
    insert(
        connection,
        "tip_direct_message",
        id=1,
        delivery_id=1,
        team_id=team,
        recipient_id="U0003",
        status="sent",
        updated_at=NOON - timedelta(hours=4),
    )
    insert(
        connection,
        "tip_custom",
        id=1,
        team_id=team,
        element="customer",
        title="Say their name",
        body="Use the customer's name.",
        enabled=True,
        author_id="U0009",
        created_at=NOON - timedelta(days=3),
    )
    insert(connection, "tip_disabled", team_id=team, tip_id="customer-2", disabled_at=NOON)
    insert(
        connection,
        "manager_team",
        id=1,
        team_id=team,
        name="Support",
        created_by="U0009",
        created_at=NOON - timedelta(days=10),
    )
    insert(
        connection,
        "manager_team_manager",
        manager_team_id=1,
        user_id="U0005",
        team_id=team,
        tz="America/New_York",
    )
    insert(connection, "manager_team_source", manager_team_id=1, kind="channel", ref_id="C0004")
    insert(
        connection,
        "digest_schedule",
        team_id=team,
        weekday=0,
        hour=9,
        charts=True,
        updated_at=NOON - timedelta(days=10),
    )
    insert(
        connection,
        "digest_delivery",
        id=1,
        manager_team_id=1,
        manager_id="U0005",
        week="2026-W46",
        status="sent",
        attempts=1,
        channel_id="D0005",
        message_ts="1763305200.000600",
        updated_at=NOON - timedelta(days=4),
    )


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every 0009 table, as the database returns it."""
    with engine.connect() as connection:
        return {
            table: in_order(
                dict(row._mapping) for row in connection.execute(sa.text(f"SELECT * FROM {table}"))
            )
            for table in TABLES_0009
        }


def in_order(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in an order that depends on their values alone (not on their columns' order)."""
    return sorted(rows, key=lambda row: repr(sorted(row.items())))


def renamed(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """`rows` (of a 0009 database) under 0010's column names."""
    names = {(table, old): new for table, old, new in RENAMED_IN_0010}
    return {
        table: in_order({names.get((table, c), c): v for c, v in row.items()} for row in table_rows)
        for table, table_rows in rows.items()
    }


def columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns(table)}


def by_announcement(
    engine: Engine, message_column: str, *, team: str, message: str, channel: str
) -> tuple[list[int], str]:
    """The query shape that finds a kudos from a reaction on its announcement, and its plan."""
    sql = (
        f"SELECT id FROM kudos WHERE team_id = :team AND {message_column} = :message"
        " AND announcement_channel_id = :channel"
    )
    params = {"team": team, "message": message, "channel": channel}
    with engine.begin() as connection:
        found = list(connection.execute(sa.text(sql), params).scalars())
        if engine.dialect.name == "postgresql":
            # A few rows: the planner would scan the table. Asked not to, it takes the index.
            connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = connection.execute(sa.text(f"EXPLAIN {sql}"), params).scalars().all()
        else:
            plan = [
                row[-1] for row in connection.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"), params)
            ]
    return found, "\n".join(plan)


def announcement_index_definition(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_kudos_announcement'"
        else:
            sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_kudos_announcement'"
        return str(connection.execute(sa.text(sql)).scalar_one())


def test_0010_keeps_every_row_under_the_new_column_names(at_0009: tuple[str, Engine]) -> None:
    url, engine = at_0009
    before = snapshot(engine)
    assert all(before[table] for table in TABLES_0009)  # a row in every table

    command.upgrade(alembic_config(url), "0010")

    assert snapshot(engine) == renamed(before)
    for table, old, new in RENAMED_IN_0010:
        assert new in columns(engine, table)
        assert old not in columns(engine, table)
    with engine.connect() as connection:
        assert connection.execute(
            sa.text(
                "SELECT k.announcement_message_id, r.recipient_id, r.dm_message_id"
                " FROM kudos k JOIN kudos_recipient r ON r.kudos_id = k.id"
                " WHERE k.id = 1 ORDER BY r.position"
            )
        ).all() == [
            ("1763640000.000100", "U0002", "1763640001.000200"),
            ("1763640000.000100", "U0003", "1763640001.000300"),
        ]
        assert (
            connection.execute(
                sa.text("SELECT endorsement_reaction FROM workspace_settings")
            ).scalar_one()
            == "raised_hands"
        )
        assert connection.execute(sa.text("SELECT message_id FROM tip_delivery")).scalar_one() == (
            "1763625600.000500"
        )
        assert (
            connection.execute(sa.text("SELECT message_id FROM digest_delivery")).scalar_one()
            == "1763305200.000600"
        )


def test_0010_finds_a_migrated_kudos_through_the_announcement_index(
    at_0009: tuple[str, Engine],
) -> None:
    url, engine = at_0009
    command.upgrade(alembic_config(url), "0010")

    found, plan = by_announcement(
        engine,
        "announcement_message_id",
        team="T0001",
        message="1763640000.000100",
        channel="C0002",
    )
    assert found == [1]
    assert "ix_kudos_announcement" in plan
    definition = announcement_index_definition(engine)
    assert "announcement_message_id IS NOT NULL" in definition
    assert "announcement_ts" not in definition


def test_0010_widens_ids_for_microsoft_teams(at_0009: tuple[str, Engine]) -> None:
    """PostgreSQL enforces a varchar's length: Teams' ids fit only after 0010 (SQLite keeps any
    length, and runs the same statements)."""
    url, engine = at_0009
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="too long"), engine.begin() as connection:
            teams_kudos(connection, "announcement_ts")

    command.upgrade(alembic_config(url), "0010")

    with engine.begin() as connection:
        teams_kudos(connection, "announcement_message_id")
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text(
                "SELECT k.team_id, k.giver_id, k.origin_channel_id, k.announcement_channel_id,"
                " r.recipient_id, r.dm_channel_id, o.target, s.recognition_channel_id"
                " FROM kudos k JOIN kudos_recipient r ON r.kudos_id = k.id"
                " JOIN outbox o ON o.kudos_id = k.id"
                " JOIN workspace_settings s ON s.team_id = k.team_id WHERE k.id = 3"
            )
        ).one()
    assert tuple(stored) == (
        TEAMS_WORKSPACE,
        TEAMS_USER,
        TEAMS_CONVERSATION,
        TEAMS_CHANNEL,
        TEAMS_USER,
        TEAMS_CONVERSATION,
        TEAMS_CONVERSATION,
        TEAMS_CHANNEL,
    )
    found, _ = by_announcement(
        engine,
        "announcement_message_id",
        team=TEAMS_WORKSPACE,
        message=TEAMS_MESSAGE,
        channel=TEAMS_CHANNEL,
    )
    assert found == [3]


def teams_kudos(connection: Connection, message_column: str) -> None:
    """A kudos given in Microsoft Teams, with the columns 0010 widened at their new sizes."""
    insert(
        connection,
        "workspace_settings",
        team_id=TEAMS_WORKSPACE,
        recognition_channel_id=TEAMS_CHANNEL,
        updated_at=NOON,
    )
    insert(
        connection,
        "kudos",
        id=3,
        team_id=TEAMS_WORKSPACE,
        giver_id=TEAMS_USER,
        story="answered the customer in their language",
        source="command",
        request_key="teams:" + "r" * 60,
        recipient_count=1,
        origin_channel_id=TEAMS_CONVERSATION,
        announcement_channel_id=TEAMS_CHANNEL,
        created_at=NOON,
        **{message_column: TEAMS_MESSAGE},
    )
    insert(
        connection,
        "kudos_recipient",
        kudos_id=3,
        recipient_id=TEAMS_USER,
        position=0,
        team_id=TEAMS_WORKSPACE,
        created_at=NOON,
        dm_channel_id=TEAMS_CONVERSATION,
    )
    insert(
        connection,
        "outbox",
        kudos_id=3,
        kind="dm",
        target=TEAMS_CONVERSATION,
        team_id=TEAMS_WORKSPACE,
        attempts=0,
        created_at=NOON,
    )


def test_0010_downgrades_to_the_old_names_with_the_data_and_upgrades_again(
    at_0009: tuple[str, Engine],
) -> None:
    url, engine = at_0009
    config = alembic_config(url)
    before = snapshot(engine)
    command.upgrade(config, "0010")

    command.downgrade(config, "0009")

    assert snapshot(engine) == before
    for table, old, new in RENAMED_IN_0010:
        assert old in columns(engine, table)
        assert new not in columns(engine, table)
    found, plan = by_announcement(
        engine, "announcement_ts", team="T0001", message="1763640000.000100", channel="C0002"
    )
    assert found == [1]
    assert "ix_kudos_announcement" in plan
    assert "announcement_ts IS NOT NULL" in announcement_index_definition(engine)
    if engine.dialect.name == "postgresql":  # narrowed back: a Teams workspace no longer fits
        with pytest.raises(DBAPIError, match="too long"), engine.begin() as connection:
            insert(
                connection, "tip_disabled", team_id=TEAMS_WORKSPACE, tip_id="x", disabled_at=NOON
            )

    command.upgrade(config, "0010")

    assert snapshot(engine) == renamed(before)
    found, _ = by_announcement(
        engine,
        "announcement_message_id",
        team="T0001",
        message="1763640000.000100",
        channel="C0002",
    )
    assert found == [1]


MSTEAMS_TABLES = ("msteams_conversations", "msteams_members", "msteams_tenants")


@pytest.fixture
def at_0011(at_0009: tuple[str, Engine]) -> tuple[str, Engine]:
    """A database at revision 0011 holding a Slack workspace's rows, a kudos given in Microsoft
    Teams and a workspace's language."""
    url, engine = at_0009
    command.upgrade(alembic_config(url), "0011")
    with engine.begin() as connection:
        teams_kudos(connection, "announcement_message_id")
        connection.execute(sa.text("UPDATE workspace_settings SET language = 'nl'"))
    return url, engine


def remember_in_teams(url: str) -> tuple[Any, ...]:
    """Through the repository, as the app does: a tenant, a 1:1 chat, a member."""

    async def work() -> tuple[Any, ...]:
        database = Database(url)
        directory = SqlMsTeamsDirectory(database)
        try:
            service = "https://smba.trafficmanager.net/amer/"
            await directory.remember_tenant(TEAMS_WORKSPACE, service_url=service, at=NOON)
            await directory.remember_conversation(
                TEAMS_WORKSPACE,
                TEAMS_CONVERSATION,
                service_url=service,
                kind="personal",
                at=NOON,
                user_id=TEAMS_USER,
            )
            await directory.remember_member(
                TEAMS_WORKSPACE, TEAMS_USER, member_id="29:" + "m" * 80, name="Ana Ruiz", at=NOON
            )
            conversation = await directory.personal_conversation(TEAMS_WORKSPACE, TEAMS_USER)
            return (
                await directory.service_url(TEAMS_WORKSPACE),
                None if conversation is None else conversation.conversation_id,
                [m.user_id for m in await directory.members_named(TEAMS_WORKSPACE, "ana")],
            )
        finally:
            await database.close()

    return asyncio.run(work())


def test_0012_adds_teams_tables_keeping_every_row_and_downgrades_to_0011(
    at_0011: tuple[str, Engine],
) -> None:
    url, engine = at_0011
    config = alembic_config(url)
    before = snapshot(engine)
    assert {row["team_id"] for row in before["kudos"]} == {"T0001", TEAMS_WORKSPACE}
    assert {row["language"] for row in before["workspace_settings"]} == {"nl"}

    command.upgrade(config, "0012")

    assert snapshot(engine) == before
    command.upgrade(config, "head")  # the repository is the newest revision's
    assert remember_in_teams(url) == (
        "https://smba.trafficmanager.net/amer/",
        TEAMS_CONVERSATION,
        [TEAMS_USER],
    )
    indexes = {
        index["name"] for table in MSTEAMS_TABLES for index in sa.inspect(engine).get_indexes(table)
    }
    assert indexes == {
        "ix_msteams_conversations_user",
        "ix_msteams_members_member",
        "ix_msteams_members_name",
        "ix_msteams_members_first_name",
    }

    command.downgrade(config, "0011")

    assert snapshot(engine) == before
    assert not any(sa.inspect(engine).has_table(table) for table in MSTEAMS_TABLES)

    command.upgrade(config, "0012")

    assert snapshot(engine) == before
    with engine.connect() as connection:
        for table in MSTEAMS_TABLES:
            assert connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0


# --- 0013: the language of an admin's own tip --------------------------------------------------


def custom_tips(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM tip_custom ORDER BY id"))
        return [dict(row._mapping) for row in rows]


def test_0013_gives_every_custom_tip_a_language_english_before_and_keeps_the_rest(
    at_0009: tuple[str, Engine],
) -> None:
    url, engine = at_0009
    config = alembic_config(url)
    command.upgrade(config, "0012")
    before = snapshot(engine)

    command.upgrade(config, "0013")

    [tip] = custom_tips(engine)
    assert tip.pop("language") is None  # read as English: every tip before was
    assert tip == before["tip_custom"][0]
    with engine.begin() as connection:
        insert(
            connection,
            "tip_custom",
            id=2,
            team_id="T0001",
            element="genuine",
            title="Zeg hun naam",
            body="Gebruik de naam van de klant.",
            enabled=True,
            author_id="U0009",
            created_at=NOON,
            language="nl",
        )
    assert [row["language"] for row in custom_tips(engine)] == [None, "nl"]

    command.downgrade(config, "0012")

    assert "language" not in columns(engine, "tip_custom")
    assert [row["title"] for row in custom_tips(engine)] == ["Say their name", "Zeg hun naam"]
    command.upgrade(config, "0013")
    assert "language" in columns(engine, "tip_custom")


# --- 0016: a team of people, and a Teams conversation, paused on their own --------------------


def a_teams_channel(connection: Connection, *, name: str | None = None) -> None:
    """TEAMS_CHANNEL, a team's General channel (its id is the team's), as Delight remembers it."""
    insert(
        connection,
        "msteams_conversations",
        workspace_id=TEAMS_WORKSPACE,
        conversation_id=TEAMS_CHANNEL,
        service_url="https://smba.trafficmanager.net/amer/",
        kind="channel",
        msteams_team_id=TEAMS_CHANNEL,
        name=name,
        updated_at=NOON - timedelta(days=1),
    )


def pause_what_depends_on(url: str, place: str) -> tuple[int, list[str]]:
    """Through the repositories, as the app at 0016 does: the digests read from `place`
    paused, and the Teams channel `place` marked deleted."""

    async def work() -> tuple[int, list[str]]:
        database = Database(url)
        try:
            paused = len(
                await SqlDigestLedger(database).pause_places_listed(
                    "T0001", ["C0004"], reason="Delight was removed from the team it delivers in"
                )
            )
            gone = await SqlMsTeamsDirectory(database).mark_removed(
                TEAMS_WORKSPACE, at=NOON, removed=True, conversation_id=place
            )
            return paused, gone
        finally:
            await database.close()

    return asyncio.run(work())


def test_0016_lets_teams_of_people_and_teams_conversations_pause_keeping_every_row(
    at_0011: tuple[str, Engine],
) -> None:
    url, engine = at_0011
    config = alembic_config(url)
    command.upgrade(config, "0015")
    with engine.begin() as connection:
        a_teams_channel(connection, name="Kudos")
    before = snapshot(engine)
    conversations = rows_of(engine, "msteams_conversations")

    command.upgrade(config, "0016")

    assert [row.pop("paused_reason") for row in rows_of(engine, "manager_team")] == [None]
    assert [{**row, "removed_at": None} for row in conversations] == rows_of(
        engine, "msteams_conversations"
    )
    assert snapshot(engine) == {**before, "manager_team": snapshot(engine)["manager_team"]}
    # A team of people made before is found by the place its members come from.
    assert pause_what_depends_on(url, TEAMS_CHANNEL) == (1, [TEAMS_CHANNEL])
    [team] = rows_of(engine, "manager_team")
    assert team["paused_reason"] == "Delight was removed from the team it delivers in"

    command.downgrade(config, "0015")

    assert "paused_reason" not in columns(engine, "manager_team")
    assert "removed_at" not in columns(engine, "msteams_conversations")
    assert snapshot(engine) == before
    assert [row["name"] for row in rows_of(engine, "msteams_conversations")] == ["Kudos"]


# --- 0017: a Teams team can be archived ---------------------------------------------------------


def archive_and_list(url: str) -> tuple[list[str], list[str]]:
    """Through the repository, as the app at 0017 does: the channels offered, then again with
    the team archived."""

    async def work() -> tuple[list[str], list[str]]:
        database = Database(url)
        teams = SqlMsTeamsTeams(database)
        try:
            before = [c.conversation_id for c in await teams.channels(TEAMS_WORKSPACE)]
            await teams.archived(TEAMS_WORKSPACE, TEAMS_CHANNEL, archived=True, at=NOON)
            return before, [c.conversation_id for c in await teams.channels(TEAMS_WORKSPACE)]
        finally:
            await database.close()

    return asyncio.run(work())


def test_0017_lets_a_teams_team_be_archived_keeping_every_row(
    at_0011: tuple[str, Engine],
) -> None:
    url, engine = at_0011
    config = alembic_config(url)
    command.upgrade(config, "0016")
    with engine.begin() as connection:
        insert(
            connection,
            "msteams_teams",
            workspace_id=TEAMS_WORKSPACE,
            msteams_team_id=TEAMS_CHANNEL,
            name="Store 12",
            service_url="https://smba.trafficmanager.net/amer/",
            installed_by=TEAMS_USER,
            installed_at=NOON - timedelta(days=2),
            updated_at=NOON - timedelta(days=2),
        )
        a_teams_channel(connection)
    before = snapshot(engine)
    teams = rows_of(engine, "msteams_teams")

    command.upgrade(config, "0017")

    assert [{**row, "archived_at": None} for row in teams] == rows_of(engine, "msteams_teams")
    assert snapshot(engine) == before
    assert archive_and_list(url) == ([TEAMS_CHANNEL], [])

    command.downgrade(config, "0016")

    assert "archived_at" not in columns(engine, "msteams_teams")
    assert [row["name"] for row in rows_of(engine, "msteams_teams")] == ["Store 12"]
    assert snapshot(engine) == before


def rows_of(engine: Engine, table: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return in_order(
            dict(row._mapping) for row in connection.execute(sa.text(f"SELECT * FROM {table}"))
        )
