"""The scheduler's ticks land on the minute, so a tip or digest leaves within seconds of its
time, before and after a fail-over; a process that takes the lead ticks at once."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.scheduler import DIGESTS_JOB, TIPS_JOB, Clockwork
from tests.conftest import FakeClock


class Ticks:
    """Stands in for the tip and digest services: when each looked for due work."""

    def __init__(self) -> None:
        self.at: list[datetime] = []

    async def run_due(self) -> list[Any]:
        self.at.append(datetime.now(UTC))
        return []


class HeldElsewhere:
    """The leader lock, held by another process until `free` is set."""

    def __init__(self) -> None:
        self.free = False

    def try_acquire(self) -> bool:
        return self.free

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        pass


def clockwork(ticks: Ticks, lock: HeldElsewhere | None) -> Clockwork:
    return Clockwork(
        ledger=None,  # type: ignore[arg-type]  # pruned hourly: not in these tests
        tips=ticks,  # type: ignore[arg-type]
        digests=Ticks(),  # type: ignore[arg-type]
        clock=FakeClock(),
        lock=lock,  # type: ignore[arg-type]
        retry_seconds=0.1,
    )


async def until(condition: Any, within: float = 5) -> None:
    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not true within {within}s")


def assert_next_ticks_on_the_minute(work: Clockwork) -> None:
    now = datetime.now(UTC)
    for job_id in (TIPS_JOB, DIGESTS_JOB):
        job = work.scheduler.get_job(job_id)
        upcoming = [job.next_run_time]
        for _ in range(3):
            upcoming.append(job.trigger.get_next_fire_time(upcoming[-1], upcoming[-1]))
        assert all((t.second, t.microsecond) == (0, 0) for t in upcoming), upcoming
        assert now < upcoming[0] <= now + timedelta(minutes=1)
        assert all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(upcoming))


def test_a_process_that_leads_from_the_start_ticks_at_once_then_on_the_minute() -> None:
    ticks = Ticks()

    async def scenario() -> None:
        work = clockwork(ticks, lock=None)
        started = datetime.now(UTC)
        await work.start()
        try:
            await until(lambda: len(ticks.at) == 1)
            assert ticks.at[0] - started < timedelta(seconds=2)
            assert_next_ticks_on_the_minute(work)
        finally:
            await work.stop()

    asyncio.run(scenario())


def test_a_follower_that_takes_the_lead_ticks_at_once_then_on_the_minute() -> None:
    ticks, lock = Ticks(), HeldElsewhere()

    async def scenario() -> None:
        work = clockwork(ticks, lock)
        await work.start()
        try:
            await asyncio.sleep(0.3)  # a few election rounds, as a follower
            assert (work.election.is_leader, ticks.at) == (False, [])
            assert_next_ticks_on_the_minute(work)

            lock.free = True  # the leader died
            took_over = datetime.now(UTC)
            await until(lambda: len(ticks.at) == 1)

            assert work.election.is_leader
            assert ticks.at[0] - took_over < timedelta(seconds=2)
            assert_next_ticks_on_the_minute(work)
        finally:
            await work.stop()

    asyncio.run(scenario())
