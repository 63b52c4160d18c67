"""Working through many items with a few in flight at once, each started in the items' order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
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
