"""Sending scheduled tips: each occurrence exactly once, as sent, skipped or failed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.elements import Element
from bot.core.model import FailureReason, NotPosted, PostOutcome
from bot.core.ports import Clock
from bot.core.schedule import (
    CATCH_UP_WINDOW,
    TipSchedule,
    element_of_week,
    next_occurrence,
    next_tip,
    occurrences,
    plan_catch_up,
)
from bot.core.tips import Tip, TipLibrary

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=7)  # how far back missed occurrences are recorded as skipped
# Problems only a person can fix: the schedule pauses and its owner is told.
NEEDS_A_PERSON = frozenset(
    {FailureReason.NOT_IN_CHANNEL, FailureReason.CHANNEL_NOT_FOUND, FailureReason.ARCHIVED}
)
MISSED = "missed while Delight was not running"


@dataclass(frozen=True, slots=True)
class DueSchedule:
    schedule: TipSchedule
    last_occurrence: datetime | None  # the newest occurrence in the ledger


class TipScheduleRepository(Protocol):
    async def due_candidates(self) -> list[DueSchedule]:
        """Every schedule that is not paused, with its newest ledger occurrence."""
        ...

    async def sent_tip_ids(self, schedule_id: int, element: Element) -> list[str]:
        """Tips this schedule sent for the element, oldest first."""
        ...

    async def claim(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        element: Element,
        tip_id: str | None,
        status: str,
        reason: str | None = None,
    ) -> bool:
        """Enter the occurrence in the ledger; False when it is there already."""
        ...

    async def finish(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        status: str,
        reason: str | None = None,
        message_ts: str | None = None,
    ) -> None: ...

    async def pause(self, schedule_id: int, *, reason: str) -> None: ...


class TipPoster(Protocol):
    async def post_tip(self, schedule: TipSchedule, tip: Tip, element: Element) -> PostOutcome: ...

    async def tell_owner_paused(self, schedule: TipSchedule, reason: FailureReason) -> None: ...


@dataclass(frozen=True, slots=True)
class Delivered:
    schedule_id: int
    occurrence: datetime
    status: str
    tip_id: str | None = None


class TipService:
    def __init__(
        self,
        *,
        schedules: TipScheduleRepository,
        poster: TipPoster,
        library: TipLibrary,
        clock: Clock,
    ) -> None:
        self._schedules = schedules
        self._poster = poster
        self._library = library
        self._clock = clock

    async def run_due(self) -> list[Delivered]:
        """Send what is due now; record what was missed. Safe to run from several processes
        at once and as often as you like: the ledger lets each occurrence through once."""
        now = self._clock.now()
        results: list[Delivered] = []
        for due in await self._schedules.due_candidates():
            results += await self._run_schedule(due, now)
        return results

    async def _run_schedule(self, due: DueSchedule, now: datetime) -> list[Delivered]:
        schedule = due.schedule
        floor = now - LOOKBACK
        for candidate in (due.last_occurrence, schedule.created_at):
            if candidate is not None and candidate > floor:
                floor = candidate
        after = floor + timedelta(microseconds=1)
        missed = list(occurrences(schedule, after, now + timedelta(microseconds=1)))
        plan = plan_catch_up(missed, now, CATCH_UP_WINDOW)
        results = []
        for skipped in plan.skip:
            element = element_of_week(schedule, skipped)
            if await self._schedules.claim(
                schedule.id, skipped, element=element, tip_id=None, status="skipped", reason=MISSED
            ):
                logger.info("tip schedule %s: skipped %s (%s)", schedule.id, skipped, MISSED)
                results.append(Delivered(schedule.id, skipped, "skipped"))
        if plan.send is not None:
            results.append(await self._send(schedule, plan.send))
        return results

    async def _send(self, schedule: TipSchedule, occurrence: datetime) -> Delivered:
        element = element_of_week(schedule, occurrence)
        tip = next_tip(
            self._library.for_element(element),
            await self._schedules.sent_tip_ids(schedule.id, element),
        )
        claimed = await self._schedules.claim(
            schedule.id, occurrence, element=element, tip_id=tip.id, status="sending"
        )
        if not claimed:  # another process has it
            return Delivered(schedule.id, occurrence, "taken")
        outcome = await self._poster.post_tip(schedule, tip, element)
        if not isinstance(outcome, NotPosted):
            await self._schedules.finish(
                schedule.id, occurrence, status="sent", message_ts=outcome.ts
            )
            return Delivered(schedule.id, occurrence, "sent", tip.id)
        reason = f"{outcome.reason.value}: {outcome.detail}".rstrip(": ")
        await self._schedules.finish(schedule.id, occurrence, status="failed", reason=reason)
        logger.warning("tip schedule %s: %s failed (%s)", schedule.id, occurrence, reason)
        if outcome.reason in NEEDS_A_PERSON:
            await self._schedules.pause(schedule.id, reason=reason)
            await self._poster.tell_owner_paused(schedule, outcome.reason)
        return Delivered(schedule.id, occurrence, "failed", tip.id)


@dataclass(frozen=True, slots=True)
class UpcomingTip:
    schedule: TipSchedule
    occurrence: datetime | None  # None when paused or when an element was asked for
    element: Element
    tip: Tip


async def upcoming_tip(
    schedule: TipSchedule,
    *,
    schedules: TipScheduleRepository,
    library: TipLibrary,
    now: datetime,
    element: Element | None = None,
) -> UpcomingTip:
    """Which tip the schedule sends next: at its next occurrence, or, given an element, in
    that element's next week. The same choice `TipService` makes when the time comes."""
    occurrence = None
    if element is None:
        if schedule.paused_reason is None:
            occurrence = next_occurrence(schedule, now)
        element = element_of_week(schedule, occurrence or now)
    tip = next_tip(library.for_element(element), await schedules.sent_tip_ids(schedule.id, element))
    return UpcomingTip(schedule, occurrence, element, tip)
