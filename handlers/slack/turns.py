"""Delivery turns: how many kudos one process delivers at once, fewer while acks are owed.

A delivery (posts, the settlement's commit, the giver's reply) is CPU and sockets on the same
event loop that answers Slack's requests, and Slack waits at most 3 s for each answer. In a
burst, deliveries that ran unbounded slowed every ack; so while requests are being answered
(and for a moment after, so one gap between them does not open the gates), only a few
deliveries run at once and the rest wait their turn, stored with their outbox entries
already. Once the burst is answered, more run at once and what waited drains quickly.
Measured in bench/ (10,000 requests from 50 concurrent clients, SQLite): a fixed 64 gave p99
ack 109-124 ms and 0.75-0.81x the minimal app's delivered kudos/s on a machine where 40
while answering and 256 after gave p99 ack 88-118 ms and 0.71-0.90x (medians 90 ms, 0.84x).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

# Deliveries at once while requests are answered. On PostgreSQL a turn also waits for the
# server's commit, so more turns keep the process as busy (before this split, a fixed 96
# delivered 572 kudos/s against 543 at 64 there).
WHILE_ANSWERING = 40
WHILE_ANSWERING_ON_A_SERVER_DATABASE = 60
# Once the burst is answered: bounded still (memory, sockets), but enough to drain quickly.
AFTERWARDS = 256
# After the last request is answered, how long deliveries keep to the smaller number: the
# gap between two requests of one burst is far shorter.
QUIET_SECONDS = 0.1


class DeliveryTurns:
    """`async with turns:` delivers one kudos in a turn. At most `while_answering` at once
    while a Slack request is being answered (see `answering`) or was within QUIET_SECONDS;
    at most `otherwise` at once after that. Turns are given in order of arrival."""

    def __init__(
        self, *, while_answering: int, otherwise: int, quiet: float = QUIET_SECONDS
    ) -> None:
        if not 1 <= while_answering <= otherwise:
            raise ValueError("need 1 <= while_answering <= otherwise")
        self._while_answering = while_answering
        self._otherwise = otherwise
        self._quiet = quiet
        self._delivering = 0
        self._answering = 0
        self._last_answered = -quiet  # loop time; long enough ago at start
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def delivering(self) -> int:
        return self._delivering

    @property
    def answering_now(self) -> int:
        """Slack requests being answered at this moment."""
        return self._answering

    @contextmanager
    def answering(self) -> Iterator[None]:
        """The HTTP layer wraps each Slack request in this, until its answer is ready."""
        self._answering += 1
        try:
            yield
        finally:
            self._answering -= 1
            if not self._answering:
                loop = asyncio.get_running_loop()
                self._last_answered = loop.time()
                loop.call_later(self._quiet, self._give_turns)

    def _limit(self) -> int:
        if self._answering:
            return self._while_answering
        since = asyncio.get_running_loop().time() - self._last_answered
        # (A hair of slack: the timer set for the end of the quiet time may fire a little early.)
        return self._while_answering if since < self._quiet * 0.99 else self._otherwise

    def _give_turns(self) -> None:
        while self._waiting and self._delivering < self._limit():
            waiter = self._waiting.popleft()
            if not waiter.done():  # (a cancelled waiter gave up its place)
                self._delivering += 1
                waiter.set_result(None)

    async def __aenter__(self) -> None:
        if not self._waiting and self._delivering < self._limit():
            self._delivering += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # given a turn as it was cancelled
                self._release()
            raise

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release()

    def _release(self) -> None:
        self._delivering -= 1
        self._give_turns()
