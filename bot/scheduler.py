"""Background jobs. Built here, started only by the entry point.

Every process that runs the scheduler (`python -m bot` and `python -m bot clock`) keeps the
jobs scheduled, but only the elected leader runs them (bot/leadership.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.digest_delivery import DigestService
from bot.core.ports import Clock
from bot.core.tip_delivery import TipService
from bot.leadership import LeaderElection, LeaderLock
from storage.event_ledger import SqlEventLedger

logger = logging.getLogger(__name__)

# Slack retries an event three times within about an hour and a half; a day is plenty.
EVENT_MEMORY = timedelta(days=1)
TIPS_JOB = "deliver_due_tips"
DIGESTS_JOB = "deliver_due_digests"
PRUNE_JOB = "prune_event_ledger"


async def prune_event_ledger(ledger: SqlEventLedger, clock: Clock) -> None:
    removed = await ledger.forget_before(clock.now() - EVENT_MEMORY)
    if removed:
        logger.info("forgot %d handled events older than %s", removed, EVENT_MEMORY)


async def deliver_due_tips(tips: TipService) -> None:
    delivered = await tips.run_due()
    for outcome in delivered:
        logger.info(
            "tip %s for schedule %s: %s", outcome.occurrence, outcome.schedule_id, outcome.status
        )


async def deliver_due_digests(digests: DigestService) -> None:
    for outcome in await digests.run_due():
        logger.info(
            "digest %s of team %s to %s: %s %s",
            outcome.week,
            outcome.team_pk,
            outcome.manager_id,
            outcome.status,
            outcome.reason,
        )


class Clockwork:
    """This process's scheduler, and whether it leads. One tick a minute reads the stored
    schedules: the database is the only source of truth, so a changed, paused or deleted
    schedule can never leave a stale job behind. A newly elected leader ticks at once, which
    is when occurrences missed during a hand-over or downtime are caught up."""

    def __init__(
        self,
        *,
        ledger: SqlEventLedger,
        tips: TipService,
        digests: DigestService,
        clock: Clock,
        lock: LeaderLock | None,
        retry_seconds: float,
    ) -> None:
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.election = LeaderElection(lock, retry_seconds=retry_seconds, on_elected=self.tick_now)
        self.last_runs: dict[str, datetime] = {}
        # One-minute ticks read the stored schedules. A digest run can outlast a minute
        # (1,000 managers at Slack's pace): a tick that finds the last one running is skipped.
        # A tip DMed to each member of a big channel takes minutes too, but later tip ticks
        # must still serve the other schedules meanwhile: they may overlap, which is safe as
        # the ledger lets each occurrence (and each member's DM) through once.
        # On the minute, not every 60 s from whenever this process started or took the lead:
        # a tip due at 09:04 leaves at 09:04:00, not up to a minute late.
        self._add(on_the_minute(), TIPS_JOB, deliver_due_tips, tips, overlapping=3)
        self._add(on_the_minute(), DIGESTS_JOB, deliver_due_digests, digests)
        self._add(IntervalTrigger(hours=1), PRUNE_JOB, prune_event_ledger, ledger, clock)

    def _add(
        self,
        trigger: BaseTrigger,
        job_id: str,
        job: Callable[..., Awaitable[None]],
        *args: Any,
        overlapping: int = 1,
    ) -> None:
        self.scheduler.add_job(
            self._when_leading(job_id, job),
            trigger,
            args=args,
            id=job_id,
            name=job_id,
            coalesce=True,
            max_instances=overlapping,
            misfire_grace_time=30,
        )

    async def start(self) -> None:
        self.scheduler.start()
        await self.election.start()

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        await self.election.stop()

    def tick_now(self) -> None:
        """The minute's ticks, now (the next ones stay on the minute)."""
        if self.scheduler.running:
            for job_id in (TIPS_JOB, DIGESTS_JOB):
                self.scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    def report(self) -> dict[str, object]:
        """For /healthz. Times are the wall clock (APScheduler's), in ISO 8601 UTC."""
        return {
            "running": bool(self.scheduler.running),
            "leader": self.election.is_leader,
            "last_tick": _iso(self.last_runs.get(TIPS_JOB)),
            "jobs": [
                {
                    "id": job.id,
                    "next_run": _iso(getattr(job, "next_run_time", None)),
                    "last_run": _iso(self.last_runs.get(job.id)),
                }
                for job in self.scheduler.get_jobs()
            ],
        }

    def _when_leading(
        self, job_id: str, job: Callable[..., Awaitable[None]]
    ) -> Callable[..., Awaitable[None]]:
        async def run(*args: Any) -> None:
            if not self.election.is_leader:
                return
            self.last_runs[job_id] = datetime.now(UTC)
            await job(*args)

        return run


def on_the_minute() -> CronTrigger:
    return CronTrigger(second=0, timezone=UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
