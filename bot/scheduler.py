"""Background jobs. Built here, started only by the entry point."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.ports import Clock
from storage.event_ledger import SqlEventLedger

logger = logging.getLogger(__name__)

# Slack retries an event three times within about an hour and a half; a day is plenty.
EVENT_MEMORY = timedelta(days=1)


async def prune_event_ledger(ledger: SqlEventLedger, clock: Clock) -> None:
    removed = await ledger.forget_before(clock.now() - EVENT_MEMORY)
    if removed:
        logger.info("forgot %d handled events older than %s", removed, EVENT_MEMORY)


def build_scheduler(*, ledger: SqlEventLedger, clock: Clock) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
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
