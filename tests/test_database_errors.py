"""What a database error carries into exceptions and logs: never the values written (stories,
token ciphertext), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from storage.engine import Database, make_sync_engine
from storage.leadership import PostgresLeaderLock

KUDOS = SQLModel.metadata.tables["kudos"]
SECRET_STORY = "a story only the giver and recipients may read"
logger = logging.getLogger(__name__)


def insert_twice(connection: Connection) -> None:
    row = {
        "team_id": "T0001",
        "giver_id": "U0001",
        "story": SECRET_STORY,
        "source": "command",
        "request_key": "command:same",
        "recipient_count": 1,
        "created_at": datetime(2026, 11, 20, tzinfo=UTC),
    }
    connection.execute(insert(KUDOS), row)
    connection.execute(insert(KUDOS), row)  # the same request key: refused


def test_a_refused_write_names_no_value_in_its_error_or_its_log_line(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> IntegrityError:
        database = Database(database_url)
        try:
            await database.transaction(insert_twice)
        except IntegrityError as error:
            logger.exception("storing failed")
            return error
        finally:
            await database.close()
        raise AssertionError("the second insert was accepted")

    with caplog.at_level(logging.ERROR, logger=__name__):
        error = asyncio.run(main())

    assert "INSERT INTO kudos" in str(error)  # the statement is still there to debug
    assert SECRET_STORY not in str(error)
    assert SECRET_STORY not in caplog.text
    assert "hidden" in str(error)


def test_the_admin_commands_engine_hides_values_too(database_url: str) -> None:
    engine = make_sync_engine(database_url)
    try:
        with pytest.raises(IntegrityError) as refused, engine.begin() as connection:
            insert_twice(connection)
    finally:
        engine.dispose()

    assert SECRET_STORY not in str(refused.value)


def test_the_leader_lock_engine_hides_its_parameters(postgres_url: str) -> None:
    lock = PostgresLeaderLock(postgres_url)
    try:
        assert lock._engine.hide_parameters
    finally:
        lock.release()
