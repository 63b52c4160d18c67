"""/healthz: whether this process can work, cheaply; its details only where the operator asks.

Anyone can call /healthz, and load balancers call it often: the public answer is `{"ok": …}`
from a database check made at most once every few seconds, however many callers ask at once
(they share the check under way). With details turned on (DELIGHT_HEALTH_DETAILS) it adds the
role, the scheduler and the outbox's backlog, whose count is cached with the check.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)

CHECK_EVERY = 2.0  # seconds between two real checks


class Pingable(Protocol):
    async def ping(self) -> None: ...


class SchedulerReport(Protocol):
    def report(self) -> dict[str, object]: ...


class OutboxReport(Protocol):
    async def report(self) -> dict[str, object]: ...


@dataclass(frozen=True, slots=True)
class _Checked:
    database_ok: bool
    outbox: dict[str, object] | None  # details only


class Health:
    def __init__(
        self,
        *,
        database: Pingable,
        role: str,
        scheduler: SchedulerReport | None,
        outbox: OutboxReport,
        details: bool,
        every: float = CHECK_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._role = role
        self._scheduler = scheduler
        self._outbox = outbox
        self._details = details
        self._every = every
        self._clock = clock
        self._last: _Checked | None = None
        self._checked_at = 0.0
        self._checking: asyncio.Future[_Checked] | None = None

    async def report(self) -> dict[str, object]:
        checked = await self._checked()
        if not self._details:
            return {"ok": checked.database_ok}
        report: dict[str, object] = {
            "ok": checked.database_ok,
            "database": "ok" if checked.database_ok else "unreachable",
            "role": self._role,
        }
        if self._scheduler is not None:  # in memory: always as it is now
            report["scheduler"] = self._scheduler.report()
        if checked.outbox is not None:
            report["outbox"] = checked.outbox
        return report

    async def _checked(self) -> _Checked:
        if self._last is not None and self._clock() - self._checked_at < self._every:
            return self._last
        if self._checking is None:
            self._checking = asyncio.ensure_future(self._check())
            self._checking.add_done_callback(self._keep)
        # Shielded: a caller that hangs up does not cancel the check the others wait for.
        return await asyncio.shield(self._checking)

    async def _check(self) -> _Checked:
        try:
            await self._database.ping()
        except Exception as exc:  # the point of a health check is to report, not to raise
            logger.warning("health check: database unreachable: %r", exc)
            return _Checked(database_ok=False, outbox=None)
        outbox = await self._outbox.report() if self._details else None
        return _Checked(database_ok=True, outbox=outbox)

    def _keep(self, checking: asyncio.Future[_Checked]) -> None:
        self._checking = None
        if not checking.cancelled() and checking.exception() is None:
            self._last, self._checked_at = checking.result(), self._clock()
