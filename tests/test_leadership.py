"""Leader election over a PostgreSQL advisory lock, and SQLite's lone leader."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import psycopg
import pytest

from bot.leadership import LeaderElection
from storage.leadership import SCHEDULER_LOCK_KEY, PostgresLeaderLock

on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def lock_holder_pid(database_url: str) -> int | None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            # In this database only: other test runs may share the server, and the key.
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = 0 AND objid = %s AND objsubid = 1 AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())",
            (SCHEDULER_LOCK_KEY,),
        ).fetchone()
    return None if row is None else int(row[0])


def terminate(database_url: str, pid: int) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def until(condition: Callable[[], bool], within: float = 10) -> None:
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not true within {within}s")


@on_postgres
def test_one_leads_and_a_leader_that_loses_its_connection_steps_down(database_url: str) -> None:
    elected: list[str] = []

    async def scenario() -> None:
        first = LeaderElection(
            PostgresLeaderLock(database_url),
            retry_seconds=0.2,
            on_elected=lambda: elected.append("first"),
        )
        second = LeaderElection(
            PostgresLeaderLock(database_url),
            retry_seconds=0.2,
            on_elected=lambda: elected.append("second"),
        )
        await first.start()
        await second.start()
        try:
            assert (first.is_leader, second.is_leader) == (True, False)
            await asyncio.sleep(0.5)  # several rounds: the follower keeps following
            assert (first.is_leader, second.is_leader) == (True, False)

            holder = lock_holder_pid(database_url)
            assert holder is not None
            terminate(database_url, holder)  # the leader's connection dies under it

            await until(lambda: second.is_leader)
            await until(lambda: not first.is_leader)
            await asyncio.sleep(0.5)
            assert (first.is_leader, second.is_leader) == (False, True)  # no flapping back
        finally:
            await second.stop()
            await first.stop()

    asyncio.run(scenario())

    assert elected == ["first", "second"]
    assert lock_holder_pid(database_url) is None  # stopping gives the lock up


@on_postgres
def test_a_stopped_leader_hands_over_at_once(database_url: str) -> None:
    async def scenario() -> None:
        first = LeaderElection(PostgresLeaderLock(database_url), retry_seconds=0.2)
        second = LeaderElection(PostgresLeaderLock(database_url), retry_seconds=0.2)
        await first.start()
        await second.start()
        await first.stop()
        await until(lambda: second.is_leader, within=2)
        await second.stop()

    asyncio.run(scenario())


def test_an_unreachable_database_means_following_not_crashing() -> None:
    lock = PostgresLeaderLock("postgresql://nobody@127.0.0.1:1/none")

    assert lock.try_acquire() is False
    assert lock.still_held() is False
    lock.release()


def test_without_a_lock_the_lone_process_leads_from_the_start() -> None:
    elected: list[bool] = []

    async def scenario() -> bool:
        election = LeaderElection(None, retry_seconds=5, on_elected=lambda: elected.append(True))
        await election.start()
        leading = election.is_leader
        await election.stop()
        return leading

    assert asyncio.run(scenario()) is True
    assert elected == [True]
