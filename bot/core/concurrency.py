"""Working through many items with a few in flight at once, each started in the items' order;
and a time limit on a block of a task's work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")


async def in_flight(
    items: Iterable[T], work: Callable[[T], Awaitable[None]], *, at_most: int
) -> None:
    """`work` on each item, at most `at_most` at once, started in the items' order. After a
    failure nothing more starts; the work in flight ends, then the first failure is raised."""
    waiting = iter(items)
    failures: list[Exception] = []

    async def worker() -> None:
        for item in waiting:  # shared: each item goes to whichever worker is free first
            if failures:
                return
            try:
                await work(item)
            except Exception as failure:
                failures.append(failure)
                return

    await asyncio.gather(*(worker() for _ in range(at_most)))
    if failures:
        raise failures[0]


class time_limit:
    """`asyncio.timeout(seconds)` as a plain context manager: when the time is up the task is
    cancelled, and that cancellation leaves the block as TimeoutError (one from elsewhere
    stays a cancellation). It wraps every kudos' posts, where asyncio's, entered and left
    through a coroutine each and with a state machine, cost a good part of a delivery's own
    work."""

    __slots__ = ("_cancelling", "_expired", "_seconds", "_task", "_timer")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a time limit is for work inside a task")
        loop = task.get_loop()
        self._task = task
        self._cancelling = task.cancelling()
        self._expired = False
        self._timer = loop.call_at(loop.time() + self._seconds, self._expire)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        # As asyncio.timeout: only a cancellation this limit asked for, and no other since.
        if (
            self._expired
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc

    def _expire(self) -> None:
        self._expired = True
        self._task.cancel()
