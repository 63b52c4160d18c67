"""Leader election for the scheduler: of all the processes that run it, one leads at a time.

Followers try for the lock every few seconds; the leader checks as often that it still holds
it and steps down the moment it doesn't. Leadership saves work and keeps the jobs in one
place; it is not what stops a tip going out twice (the delivery ledger is), so a short
overlap while a lost leader notices is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


class LeaderLock(Protocol):
    """Blocking calls; LeaderElection runs them on a thread of their own."""

    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


class LeaderElection:
    """`lock` None means a single process by design (SQLite): it always leads."""

    def __init__(
        self,
        lock: LeaderLock | None,
        *,
        retry_seconds: float,
        on_elected: Callable[[], None] = lambda: None,
    ) -> None:
        self._lock = lock
        self._retry_seconds = retry_seconds
        self._on_elected = on_elected
        self.is_leader = False
        self._task: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Try once now (so a lone process leads from its first moment), then keep trying."""
        if self._lock is None:
            self._elected()
            return
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leader-lock")
        await self._attempt()
        self._task = asyncio.create_task(self._keep_trying(), name="leader-election")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._lock is not None and self._thread is not None:
            await self._call(self._lock.release)
            self._thread.shutdown(wait=False)
        self.is_leader = False

    async def _keep_trying(self) -> None:
        while True:
            await asyncio.sleep(self._retry_seconds)
            await self._attempt()

    async def _attempt(self) -> None:
        assert self._lock is not None
        try:
            if self.is_leader:
                if not await self._call(self._lock.still_held):
                    self._step_down("lost its database connection")
            elif await self._call(self._lock.try_acquire):
                self._elected()
        except TimeoutError:
            # A connection that hangs this long is as good as lost; the server frees the
            # lock when its keepalive gives up on it.
            self._step_down("the database did not answer in time")
        except Exception:
            logger.exception("leader election failed; trying again")
            self._step_down("leader election hit an error")

    async def _call(self, work: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(
            loop.run_in_executor(self._thread, work), timeout=self._retry_seconds + 15
        )

    def _elected(self) -> None:
        self.is_leader = True
        logger.info("this process now runs the scheduled jobs (leader)")
        self._on_elected()

    def _step_down(self, why: str) -> None:
        if not self.is_leader:
            return
        self.is_leader = False
        logger.warning("no longer the scheduler leader: %s; stopping scheduled jobs", why)
