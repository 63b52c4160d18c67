"""One history for all of a conversation's limits (handlers/msteams/connector.py, `_History`):
what it answers is what a window per limit, each with its own record, would answer."""

from __future__ import annotations

import asyncio
import random
from collections import deque

import pytest

from handlers.msteams.connector import CONVERSATION_LIMITS, MARGIN, Pace, _History

TWO_A_SECOND_THREE_IN_TEN = ((2, 1.0), (3, 10.0))


class OneWindow:
    """A single sliding-window limit with a record of its own, pruned as it goes: the model
    the shared history must agree with. Each is told the slots really handed out."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds * MARGIN
        self.planned: deque[float] = deque(maxlen=limit)
        self.in_flight = 0
        self.answered: deque[float] = deque()

    def earliest(self, at: float) -> float:
        """The first slot from `at` after those handed out that keeps this limit."""
        start = max(at, self.planned[-1]) if self.planned else at
        if len(self.planned) == self.limit:
            start = max(start, self.planned[0] + self.seconds)
        return start

    def free_at(self, now: float) -> float:
        while self.answered and self.answered[0] <= now - self.seconds:
            self.answered.popleft()
        counted = len(self.answered) + self.in_flight  # each in flight arrives now at the latest
        if counted < self.limit:
            return now
        if self.in_flight >= self.limit:
            return now + self.seconds
        return max(now, self.answered[counted - self.limit] + self.seconds)


@pytest.mark.parametrize(
    ("limits", "step", "steps"),
    [
        (TWO_A_SECOND_THREE_IN_TEN, 0.3, 3000),
        (((7, 1.0), (8, 2.0), (60, 30.0)), 0.1, 3000),
        (CONVERSATION_LIMITS, 0.1, 20_000),  # long enough for the hour's 1,800 to bind
        (((50, 1.0),), 0.01, 3000),  # a tenant's
    ],
)
def test_one_history_answers_as_a_window_per_limit_would(
    limits: tuple[tuple[int, float], ...], step: float, steps: int
) -> None:
    chance = random.Random(f"{limits}")
    history = _History(limits)
    windows = [OneWindow(limit, seconds) for limit, seconds in limits]
    slots_bound: set[int] = set()  # limits that set a slot later than the one before
    answers_bound: set[int] = set()  # limits that an answer (not only those in flight) held up
    now = 0.0
    last_slot = 0.0
    for n in range(steps):
        if n % 100 == 0:  # bursts and lulls, so that each limit in turn is the one that binds
            pause = step * chance.choice([0.01, 0.1, 1.0, 10.0])
        now += chance.expovariate(1 / pause)
        action = chance.random()
        in_flight = windows[0].in_flight
        if action < 0.4:
            each = [w.earliest(now) for w in windows]
            slot = history.slot(now)
            assert slot == pytest.approx(max(each))
            slots_bound |= {
                w.limit for w, at in zip(windows, each, strict=True) if at > max(now, last_slot)
            }
            for window in windows:
                window.planned.append(slot)
            last_slot = slot
        elif action < 0.7 or not in_flight:
            each = [w.free_at(now) for w in windows]
            assert history.free_at(now) == pytest.approx(max(each))
            answers_bound |= {
                w.limit
                for w, at in zip(windows, each, strict=True)
                if at > now and in_flight < w.limit
            }
            history.leave()
            for window in windows:
                window.in_flight += 1
        else:
            history.answer(now)
            for window in windows:
                window.in_flight -= 1
                window.answered.append(now)
    assert slots_bound == answers_bound == {limit for limit, _ in limits}


def test_each_limit_binds_its_own_slots() -> None:
    history = _History(TWO_A_SECOND_THREE_IN_TEN)

    slots = [history.slot(0.0) for _ in range(7)]

    second, ten = 1.0 * MARGIN, 10.0 * MARGIN
    # Two at once, the third a second after the first, the fourth ten seconds after the first
    # (three in ten), the fifth beside it (two a second still), the sixth a second after the
    # fourth (which is also ten after the third), the seventh ten after the fourth.
    assert slots == pytest.approx([0.0, 0.0, second, ten, ten, ten + second, 2 * ten])


def test_slots_go_in_the_order_they_were_asked_for() -> None:
    history = _History(CONVERSATION_LIMITS)

    assert history.slot(5.0) == 5.0
    assert history.slot(1.0) == 5.0  # asked later, from an earlier clock: never ahead
    assert history.slot(6.0) == 6.0


def test_requests_in_flight_count_as_arriving_now() -> None:
    history = _History(TWO_A_SECOND_THREE_IN_TEN)
    history.leave()
    history.leave()

    assert history.free_at(5.0) == pytest.approx(5.0 + 1.0 * MARGIN)  # two in flight
    history.answer(5.5)
    # One still in flight and one answered at 5.5: a second after that answer.
    assert history.free_at(5.6) == pytest.approx(5.5 + 1.0 * MARGIN)
    history.leave()
    # Three counted (one answered, two in flight): ten seconds after that answer.
    assert history.free_at(5.6) == pytest.approx(5.5 + 10.0 * MARGIN)
    history.answer(5.7)
    history.answer(5.8)
    assert history.free_at(6.0) == pytest.approx(5.5 + 10.0 * MARGIN)
    assert history.free_at(16.0) == 16.0


def test_answers_older_than_their_window_no_longer_count() -> None:
    history = _History(CONVERSATION_LIMITS)
    for _ in range(1800):
        history.leave()
        history.answer(0.0)

    assert history.free_at(10.0) == pytest.approx(3600.0 * MARGIN)  # the hour's 1,800 bind
    assert history.free_at(3600.0 * MARGIN + 1) == 3600.0 * MARGIN + 1  # all old: none binds
    history.leave()
    history.answer(4000.0)
    assert history.free_at(4000.5) == 4000.5  # one new answer: too few for any limit


def test_a_history_is_idle_once_nothing_counts_within_its_longest_window() -> None:
    history = _History(CONVERSATION_LIMITS)
    hour = 3600.0 * MARGIN
    history.slot(0.0)
    history.leave()

    assert not history.idle_at(2 * hour)  # in flight: it may still arrive
    history.answer(10.0)
    assert not history.idle_at(10.0 + hour - 1)
    assert history.idle_at(10.0 + hour + 1)


def test_the_pace_forgets_only_conversations_with_nothing_left_to_count() -> None:
    now = [0.0]
    pace = Pace(per_tenant=(10**9, 1.0), clock=lambda: now[0])

    async def scenario() -> None:
        async with pace.sending("a:old", "tenant"):
            pass
        async with pace.sending("a:in-flight", "tenant"):
            now[0] = 2 * 3600.0  # its answer comes after the hour, and it is still counted
            pace._forget_idle()
        now[0] = 3 * 3600.0 + 1.0
        async with pace.sending("a:recent", "tenant"):
            pass
        pace._forget_idle()

    asyncio.run(scenario())
    assert set(pace._conversations) == {"a:in-flight", "a:recent"}
