"""Every wait on PostgreSQL is bounded: a held lock or a hung statement fails its work (the
giver is asked to try again, nothing half-written) instead of stalling every write."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from bot.config import ConfigError, load_settings
from bot.core.model import DailyAllowance
from storage.engine import Database
from storage.kudos_repository import SqlKudosRepository
from storage.timeouts import DatabaseTimeouts
from tests.fakeslack import FakeSlack
from tests.helpers import kudos_rows, query, reply_text, store
from tests.test_storage import nomination

on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PLENTY = DailyAllowance(limit=1000, since=NOON - timedelta(days=1))
QUICK = DatabaseTimeouts(statement=1.5, lock=0.3)


@contextmanager
def held(database_url: str, sql: str) -> Iterator[psycopg.Connection[Any]]:
    """Another session holding a lock (taken by `sql`) until the block ends."""
    with psycopg.connect(database_url) as other:
        other.execute(sql)
        try:
            yield other
        finally:
            other.rollback()


@on_postgres
def test_the_pools_connections_carry_the_limits(database_url: str) -> None:
    def settings(connection: Connection) -> dict[str, Any]:
        shown = {
            name: connection.scalar(text(f"SHOW {name}"))
            for name in (
                "statement_timeout",
                "lock_timeout",
                "idle_in_transaction_session_timeout",
                "tcp_keepalives_idle",
            )
        }
        driver = connection.connection.driver_connection
        assert driver is not None
        return {**shown, **driver.info.get_parameters()}

    async def main() -> tuple[dict[str, Any], float]:
        database = Database(database_url, timeouts=QUICK)
        try:
            return await database.transaction(settings), database.engine.pool.timeout()  # type: ignore[attr-defined]
        finally:
            await database.close()

    found, checkout = asyncio.run(main())

    assert found["statement_timeout"] == "1500ms"
    assert found["lock_timeout"] == "300ms"
    assert found["idle_in_transaction_session_timeout"] == "1min"
    assert found["tcp_keepalives_idle"] == "10"  # the server notices a vanished client
    assert found["keepalives"] == "1"  # and we notice a vanished server
    assert found["tcp_user_timeout"] == "30000"
    assert found["connect_timeout"] == "10"
    assert checkout == 30


@on_postgres
def test_a_write_waiting_on_a_locked_row_fails_within_the_bound(database_url: str) -> None:
    async def seed(database: Database) -> int:
        given = await store(
            SqlKudosRepository(database), nomination("k1"), created_at=NOON, allowance=PLENTY
        )
        return given.kudos.id

    async def main() -> float:
        database = Database(database_url, timeouts=QUICK)
        try:
            kudos_id = await seed(database)
            with held(database_url, f"SELECT * FROM kudos WHERE id = {kudos_id} FOR UPDATE"):
                started = time.monotonic()
                with pytest.raises(OperationalError, match="lock timeout"):
                    await asyncio.wait_for(
                        SqlKudosRepository(database).remove(
                            team_id="T0001", kudos_id=kudos_id, removed_by="U0001", at=NOON
                        ),
                        timeout=10,
                    )
                return time.monotonic() - started
        finally:
            await database.close()

    took = asyncio.run(main())

    assert took < 2
    assert query(database_url, "SELECT removed_at FROM kudos") == [{"removed_at": None}]


@on_postgres
def test_a_giver_whose_lock_is_held_elsewhere_is_asked_to_try_again_and_others_go_on(
    env: dict[str, str], fake_slack: FakeSlack, database_url: str, request: pytest.FixtureRequest
) -> None:
    env["DATABASE_LOCK_TIMEOUT_MS"] = "300"
    slack = request.getfixturevalue("slack")
    # Another process stuck while counting this giver's kudos: its advisory lock stays held.
    key = zlib.crc32(b"T0001:U0001") - 2**31
    with held(database_url, f"SELECT pg_advisory_xact_lock({0x6B75646F}, {key})"):
        started = time.monotonic()
        assert slack.command("<@U0004|maria> stayed late to help a customer").status == 200
        assert slack.command("<@U0004|maria> fixed the till", user="U0003").status == 200
        answers = fake_slack.wait_for_calls("response_url", 2, timeout=10)
        took = time.monotonic() - started

    assert took < 5
    assert sorted("Please try again" in reply_text(answer) for answer in answers) == [False, True]
    assert [row["giver_id"] for row in kudos_rows(database_url)] == ["U0003"]
    assert query(database_url, "SELECT * FROM outbox") == []  # nothing half-written


def test_the_timeouts_come_from_the_environment() -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "secret",
        "DATABASE_STATEMENT_TIMEOUT_MS": "2500",
        "DATABASE_LOCK_TIMEOUT_MS": "400",
    }

    timeouts = load_settings(env).database_timeouts

    assert (timeouts.statement, timeouts.lock) == (2.5, 0.4)
    assert load_settings({**env, "DATABASE_LOCK_TIMEOUT_MS": ""}).database_timeouts.lock == 5
    with pytest.raises(ConfigError, match="DATABASE_LOCK_TIMEOUT_MS"):
        load_settings({**env, "DATABASE_LOCK_TIMEOUT_MS": "0"})
