"""Pacing a burst of messages (a tip DMed to each member of a channel) under Slack's limits,
so a big channel is served steadily instead of meeting a wall of 429s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pace:
    """At most `per_minute` calls a minute after a first burst of `burst`. Each caller takes
    the next free slot at once and sleeps until it, so concurrent senders queue in order
    (the "generic cell rate" algorithm)."""

    def __init__(
        self, per_minute: float, *, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = 60.0 / per_minute
        self._tolerance = self._interval * (burst - 1)
        self._clock = clock
        self._next = 0.0  # when the next call would go at the steady pace

    def reserve(self) -> float:
        """Take the next slot: how many seconds to wait for it."""
        now = self._clock()
        start = max(self._next, now)
        self._next = start + self._interval
        return max(0.0, start - self._tolerance - now)

    async def wait(self) -> None:
        if (delay := self.reserve()) > 0:
            await asyncio.sleep(delay)
