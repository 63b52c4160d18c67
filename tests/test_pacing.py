"""Pacing to Slack's rate limits: bursts, then the pace; per channel and per method."""

from __future__ import annotations

import asyncio

import pytest

from handlers.slack.pacing import HEADROOM, PER_CHANNEL, Rate, RateBudget, Schedule
from tests.helpers import ManualClock


def test_a_schedule_lets_a_burst_through_then_spaces_calls_by_its_interval() -> None:
    clock = ManualClock()
    schedule = Schedule(Rate(per_minute=60, burst=3), clock, headroom=1.0)

    waits = [schedule.reserve() for _ in range(6)]

    assert waits == pytest.approx([0, 0, 0, 1, 2, 3])
    clock.now += 10  # idle: the debt is gone, a new burst may go
    assert schedule.reserve() == 0


def test_the_budget_paces_messages_workspace_wide_and_per_channel() -> None:
    clock = ManualClock()
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    budget = RateBudget(messages_per_minute=600, clock=clock)  # 10 a second, bursts of 10
    monkey = pytest.MonkeyPatch()
    monkey.setattr(asyncio, "sleep", record)
    try:

        async def sends() -> None:
            for n in range(20):
                await budget.wait("chat.postMessage", f"D{n}")  # 20 DMs, 20 channels
            for _ in range(PER_CHANNEL.burst + 2):
                await budget.wait("chat.postMessage", "DSAME")  # one channel, several pages
            for _ in range(5):
                await budget.wait("users.list")

        asyncio.run(sends())
    finally:
        monkey.undo()

    # The workspace budget: ten at once, then one every 0.1 s (and a little headroom).
    assert slept[:10] == pytest.approx([0.1 / HEADROOM * n for n in range(1, 11)])
    # The same channel, after its burst, waits a whole second more for each message.
    assert max(slept) >= 1.0
    # users.list (Tier 2, 20 a minute): three at once, then every three seconds.
    assert slept[-2:] == pytest.approx([3.0 / HEADROOM, 6.0 / HEADROOM])


def test_methods_without_a_published_limit_are_not_slowed() -> None:
    budget = RateBudget(messages_per_minute=60)

    async def calls() -> None:
        for _ in range(50):
            await asyncio.wait_for(budget.wait("auth.test"), timeout=0.01)

    asyncio.run(calls())
