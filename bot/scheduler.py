"""Background jobs. Built here, started only by the entry point."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.digest_delivery import DigestService
from bot.core.ports import Clock
from bot.core.tip_delivery import TipService
from storage.event_ledger import SqlEventLedger

logger = logging.getLogger(__name__)

# Slack retries an event three times within about an hour and a half; a day is plenty.
EVENT_MEMORY = timedelta(days=1)


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


def build_scheduler(
    *,
    ledger: SqlEventLedger,
    tips: TipService,
    clock: Clock,
    digests: DigestService | None = None,
) -> AsyncIOScheduler:
    """One tick a minute reads the stored schedules: the database is the only source of truth,
    so a changed, paused or deleted schedule can never leave a stale job behind. The first
    tick runs at start-up, which is when missed occurrences are caught up."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        deliver_due_tips,
        "interval",
        minutes=1,
        args=(tips,),
        id="deliver_due_tips",
        next_run_time=clock.now(),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=30,
    )
    if digests is not None:
        # The same one-minute tick as tips; a run can outlast a minute (1,000 managers at
        # Slack's pace), so a tick that finds the last one still running is skipped.
        scheduler.add_job(
            deliver_due_digests,
            "interval",
            minutes=1,
            args=(digests,),
            id="deliver_due_digests",
            next_run_time=clock.now(),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=30,
        )
    scheduler.add_job(
        prune_event_ledger,
        "interval",
        hours=1,
        args=(ledger, clock),
        id="prune_event_ledger",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
