"""The outbox drainer: a background task that delivers what the outbox still owes.

Every process runs one, whatever its role: entries are claimed in the database (PostgreSQL:
`FOR UPDATE SKIP LOCKED`, then a lease; SQLite has one process), and only once their lease
has passed, so a drainer never takes over a delivery another process still has under way.
Draining in `web` processes too means a kudos stored by a process that died is delivered
even where no `clock` process runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bot.core.outbox import OutboxStore, Redelivery

logger = logging.getLogger(__name__)


FORGET_EVERY = 3600.0  # seconds between clean-ups of old given-up entries


class OutboxDrainer:
    def __init__(self, redelivery: Redelivery, outbox: OutboxStore, *, every: float) -> None:
        self._redelivery = redelivery
        self._outbox = outbox
        self._every = every
        self._task: asyncio.Task[None] | None = None
        self._forgot_at: float | None = None  # time.monotonic() of the last clean-up

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-drainer")

    async def stop(self) -> None:
        """Stop after the pass under way, if any (its deliveries are settled, not cut off)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def deliver_due(self) -> bool:
        """One pass now (tests, and anyone who can't wait); True when more may be due."""
        return await self._redelivery.deliver_due()

    async def _run(self) -> None:
        while True:
            try:
                # Shielded: a stop waits for the pass to settle what it posted.
                while await asyncio.shield(self._redelivery.deliver_due()):
                    pass  # a full batch: more may be due, so go on at once
                await self._forget_old_failures()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database or Slack away: try again next time
                logger.exception("outbox pass failed")
            await asyncio.sleep(self._every)

    async def forget_old_failures(self) -> int:
        """Delete the given-up entries older than the policy keeps them; how many."""
        return await self._redelivery.forget_old_failures()

    async def _forget_old_failures(self) -> None:
        """Hourly, in every process (deleting twice deletes nothing more)."""
        now = time.monotonic()
        if self._forgot_at is not None and now - self._forgot_at < FORGET_EVERY:
            return
        self._forgot_at = now
        if forgotten := await self.forget_old_failures():
            logger.info("forgot %d outbox entries given up long ago", forgotten)

    async def report(self) -> dict[str, object]:
        """For /healthz: entries waiting to be delivered, and entries given up."""
        try:
            waiting, given_up = await self._outbox.backlog()
        except Exception:  # reported as unknown; the database check says why
            return {"running": self._task is not None, "waiting": None, "given_up": None}
        return {"running": self._task is not None, "waiting": waiting, "given_up": given_up}
