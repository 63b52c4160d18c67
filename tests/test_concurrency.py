"""A few in flight at once (bot/core/concurrency.py): each item started in order, never more at
once than allowed, and a failure stops what has not started. A time limit on a block of a task
behaves as asyncio.timeout."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.concurrency import in_flight, time_limit


def test_items_start_in_order_with_at_most_the_limit_in_flight() -> None:
    started: list[int] = []
    running: list[int] = []
    most = 0

    async def work(item: int) -> None:
        nonlocal most
        started.append(item)
        running.append(item)
        most = max(most, len(running))
        await asyncio.sleep(0.001 * (item % 3))  # some finish sooner than others
        running.remove(item)

    asyncio.run(in_flight(range(20), work, at_most=4))

    assert started == list(range(20))
    assert most == 4


def test_a_failure_stops_new_work_lets_the_rest_end_and_is_raised() -> None:
    ended: list[int] = []

    async def work(item: int) -> None:
        await asyncio.sleep(0.001 * item)
        if item == 2:
            raise RuntimeError("the database went away")
        ended.append(item)

    with pytest.raises(RuntimeError, match="went away"):
        asyncio.run(in_flight(range(10), work, at_most=3))

    assert ended == [0, 1, 3, 4]  # 3 and 4 were in flight when 2 failed; nothing after


def test_a_time_limit_cancels_what_runs_past_it_as_a_timeout() -> None:
    reached: list[str] = []

    async def limited() -> None:
        with time_limit(0.01):
            await asyncio.sleep(60)
            reached.append("the end")

    async def scenario() -> int:
        with pytest.raises(TimeoutError):
            await limited()
        task = asyncio.current_task()
        assert task is not None
        return task.cancelling()

    assert asyncio.run(scenario()) == 0  # the task is not left cancelling
    assert reached == []


def test_work_done_within_the_time_limit_is_left_alone() -> None:
    async def scenario() -> str:
        with time_limit(60):
            await asyncio.sleep(0)
            result = "done"
        await asyncio.sleep(0.02)  # its timer, cancelled, never fires
        return result

    assert asyncio.run(scenario()) == "done"


def test_failures_inside_a_time_limit_pass_through_it() -> None:
    async def scenario() -> None:
        with time_limit(60):
            raise ValueError("Slack said no")

    with pytest.raises(ValueError, match="Slack said no"):
        asyncio.run(scenario())


def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    async def limited(started: asyncio.Event) -> None:
        with time_limit(60):
            started.set()
            await asyncio.sleep(60)

    async def scenario() -> None:
        started = asyncio.Event()
        task = asyncio.create_task(limited(started))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())


def test_a_time_limit_outside_a_task_is_refused() -> None:
    with pytest.raises(RuntimeError), time_limit(1):
        pass
