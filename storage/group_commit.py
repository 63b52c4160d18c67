"""Writes that may share a transaction ("group commit").

Each caller still waits for its own write to be committed, so nothing is acknowledged before
it is durable; but the writes that arrive while a group is written all go in the next one
(on PostgreSQL, while it awaits the server; on SQLite, during a short window). Under load
that turns N small transactions (each a commit, and on PostgreSQL a few round trips) into a
few large ones; with no load, a write is committed at once, alone (bench/README.md: a fifth
of Delight's instructions per kudos)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy import Connection

from storage.engine import Database

logger = logging.getLogger(__name__)
Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """`write(connection, items)` returns one result per item; a result that is an exception
    (a refusal of that item alone) is raised to that item's caller, while the rest commit.
    When `write` raises, the group's transaction is rolled back and each of its items is
    written again alone, so only the item that caused it fails (a transient failure, such as a
    dropped connection, usually passes on the second try). One group is written at a time
    (what arrives meanwhile makes the next one). With a `window`, a group waits that many
    seconds for company when the last one was shared; alone (no load), a write never
    waits."""

    def __init__(
        self,
        database: Database,
        write: Callable[[Connection, Sequence[Item]], Sequence[Result | Exception]],
        *,
        window: float = 0.0,
    ) -> None:
        self._db = database
        self._write = write
        self._window = window
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flushing = False
        self._last_group = 0

    async def write(self, item: Item) -> Result:
        """Return `item`'s result once it is committed."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if not self._flushing:
            self._flushing = True
            asyncio.create_task(self._flush())  # noqa: RUF006 (callers hold the futures)
        return await done

    async def _flush(self) -> None:
        try:
            if self._window and self._last_group > 1:
                # Under load (the last group was shared), gather for a moment first: a
                # transaction on the loop lets nothing else arrive while it runs.
                await asyncio.sleep(self._window)
            while self._queue:
                batch, self._queue = self._queue, []
                self._last_group = len(batch)
                try:
                    results = await self._db.transaction(self._write, [item for item, _ in batch])
                except Exception as exc:
                    if len(batch) == 1:
                        _resolve(batch[0][1], exc)
                        continue
                    logger.warning(
                        "a group of %d writes failed; writing each alone", len(batch), exc_info=True
                    )
                    for item, done in batch:
                        await self._write_alone(item, done)
                    continue
                for (_, done), result in zip(batch, results, strict=True):
                    _resolve(done, result)
        finally:
            self._flushing = False

    async def _write_alone(self, item: Item, done: asyncio.Future[Result]) -> None:
        try:
            [result] = await self._db.transaction(self._write, [item])
        except Exception as exc:
            result = exc
        _resolve(done, result)


def _resolve(done: asyncio.Future[Result], result: Result | Exception) -> None:
    if done.done():  # its caller was cancelled
        return
    if isinstance(result, Exception):
        done.set_exception(result)
    else:
        done.set_result(result)
