"""A few in flight at once (bot/core/concurrency.py): each item started in order, never more at
once than allowed, and a failure stops what has not started."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.concurrency import in_flight


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
