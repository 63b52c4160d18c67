"""Delivery turns: how many kudos one process delivers at once, fewer while acks are owed.

A delivery (posts, the settlement's commit, the giver's reply) is CPU and sockets on the same
event loop that answers the platforms' requests, and Slack waits at most 3 s for an answer
(Teams 15 s). In a burst, deliveries that ran unbounded slowed every ack; so while requests
are being answered (and for a moment after, so one gap between them does not open the gates),
only a few deliveries run at once and the rest wait their turn, stored with their outbox
entries already. Once the burst is answered, more run at once and what waited drains quickly.

A waiting delivery is only its coroutine, not yet started: the listener that stored the kudos
returns at once, and the request's objects go with it, instead of living on as young objects
that every garbage collection traverses (bench/README.md has the figures behind both).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)

# Deliveries at once while requests are answered: more let p99 ack pass 100 ms under load.
WHILE_ANSWERING = 40
# Once the burst is answered: bounded still (memory, sockets), but enough to drain quickly.
AFTERWARDS = 256
# After the last request is answered, how long deliveries keep to the smaller number: the
# gap between two requests of one burst is far shorter.
QUIET_SECONDS = 0.1

Delivery = Coroutine[Any, Any, None]


class DeliveryTurns:
    """`start(delivery)` runs a delivery in a turn of its own: at once if one is free, else
    when one frees up, in order of arrival. At most `while_answering` run at once while a
    platform's request is being answered (see `answering`) or was within `quiet` seconds; at most
    `otherwise` after that. A delivery that raises is logged: its kudos is stored with its
    outbox entries, which deliver it later."""

    def __init__(
        self, *, while_answering: int, otherwise: int, quiet: float = QUIET_SECONDS
    ) -> None:
        if not 1 <= while_answering <= otherwise:
            raise ValueError("need 1 <= while_answering <= otherwise")
        self._while_answering = while_answering
        self._otherwise = otherwise
        self._quiet = quiet
        self._answering = 0
        self._answered = 0
        self._last_answered = -quiet  # loop time; long enough ago at start
        self._waiting: deque[tuple[Delivery, contextvars.Context]] = deque()
        self._running: set[asyncio.Task[None]] = set()
        self._all_done = asyncio.Event()
        self._all_done.set()

    @property
    def delivering(self) -> int:
        return len(self._running)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def answering_now(self) -> int:
        """Platform requests being answered at this moment."""
        return self._answering

    @property
    def answered(self) -> int:
        """Platform requests answered since the process started."""
        return self._answered

    def answering(self) -> DeliveryTurns:
        """The HTTP (or socket) layer wraps each platform request in this (`with
        turns.answering():`), until its answer is ready. Not a generator-based context manager:
        it wraps every request, and this costs a third of one."""
        return self

    def __enter__(self) -> None:
        self._answering += 1
        self._answered += 1

    def __exit__(self, *_: object) -> None:
        self._answering -= 1
        if not self._answering:
            loop = asyncio.get_running_loop()
            self._last_answered = loop.time()
            loop.call_later(self._quiet, self._give_turns)

    def start(self, delivery: Delivery) -> None:
        # Its own context (the request's log fields), not that of whichever delivery
        # happens to finish and give it its turn.
        self._waiting.append((delivery, contextvars.copy_context()))
        self._all_done.clear()
        self._give_turns()

    async def finished(self) -> None:
        """Return once nothing is waiting or being delivered. (Shutting down needs no call:
        bot.runtime.drain_background_work waits for every task, and a finishing delivery
        starts the next before it ends.)"""
        await self._all_done.wait()

    def _limit(self) -> int:
        if self._answering:
            return self._while_answering
        since = asyncio.get_running_loop().time() - self._last_answered
        # (A hair of slack: the timer set for the end of the quiet time may fire a little early.)
        return self._while_answering if since < self._quiet * 0.99 else self._otherwise

    def _give_turns(self) -> None:
        while self._waiting and len(self._running) < self._limit():
            delivery, context = self._waiting.popleft()
            task = asyncio.get_running_loop().create_task(delivery, context=context)
            self._running.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("a delivery failed; the outbox will retry it", exc_info=error)
        self._give_turns()
        if not self._running and not self._waiting:
            self._all_done.set()
