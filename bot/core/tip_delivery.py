"""Sending scheduled tips: each occurrence exactly once, as sent, skipped or failed."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.concurrency import in_flight
from bot.core.elements import ELEMENT_INFO, Element
from bot.core.model import FailureReason, NotPosted, PostOutcome
from bot.core.platform import TipPoster
from bot.core.ports import Clock
from bot.core.schedule import (
    CATCH_UP_WINDOW,
    DeliveryMode,
    TipSchedule,
    element_of_week,
    next_occurrence,
    next_tip,
    occurrences,
    plan_catch_up,
)
from bot.core.tips import REFERENCE_LANGUAGE, Tip
from bot.core.words import N_, Said

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=7)  # how far back missed occurrences are recorded as skipped
# A delivery still "sending" this long after its last sign of life was cut off (a crash, a
# deploy): a DM fan-out is resumed, anything else is recorded as failed.
LEASE = timedelta(minutes=10)
MAX_MEMBERS_TO_DM = 1000  # beyond this, a DM per member takes too long: post in the channel
# A round's DMs in flight at once: enough that Delight's own work for one DM overlaps the
# others' waits and the platform's rate limit is what sets the pace (its adapter paces each
# DM), few enough that a round holds only a handful of database connections.
DMS_IN_FLIGHT = 8
# Problems only a person can fix: the schedule pauses and its owner is told.
NEEDS_A_PERSON = frozenset(
    {
        FailureReason.NOT_IN_CHANNEL,
        FailureReason.CHANNEL_NOT_FOUND,
        FailureReason.ARCHIVED,
        FailureReason.TOO_MANY_MEMBERS,
    }
)
# Reasons kept in the ledger, in English; marked so whoever shows them translates them. A
# reason with values is a `Said`, which the storage keeps whole (bot.core.words.stored).
MISSED = N_("missed while Delight was not running")
INTERRUPTED = N_(
    "interrupted: Delight stopped while posting it, so it may not have gone out "
    "(not retried, so that nobody gets it twice)"
)
NOBODY_TO_DM = N_("the channel has nobody to DM")


@dataclass(frozen=True, slots=True)
class DueSchedule:
    schedule: TipSchedule
    last_occurrence: datetime | None  # the newest scheduled (not manual) occurrence


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One occurrence in the delivery ledger."""

    schedule_id: int
    occurrence: datetime
    element: Element
    tip_id: str | None
    status: str  # sending, sent, skipped, failed
    reason: str | None = None
    manual: bool = False  # an admin's "send now"


@dataclass(frozen=True, slots=True)
class Interrupted:
    schedule: TipSchedule
    entry: LedgerEntry


class TipScheduleRepository(Protocol):
    async def due_candidates(self) -> list[DueSchedule]:
        """Every schedule that is not paused, with its newest scheduled ledger occurrence."""
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
        at: datetime,
        reason: str | None = None,
        request_key: str | None = None,
    ) -> bool:
        """Enter the occurrence in the ledger; False when it (or its request key) is there
        already."""
        ...

    async def finish(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        status: str,
        at: datetime,
        reason: str | None = None,
        message_id: str | None = None,
    ) -> None: ...

    async def pause(self, schedule_id: int, *, reason: str) -> None: ...

    async def interrupted(self, *, idle_since: datetime) -> list[Interrupted]:
        """Occurrences still "sending" with no sign of life since `idle_since`."""
        ...

    async def claim_recipient(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        team_id: str,
        recipient_id: str,
        at: datetime,
    ) -> bool:
        """Enter one member's DM of an occurrence in the ledger (and show the occurrence is
        alive); False when it is there already."""
        ...

    async def finish_recipient(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        recipient_id: str,
        status: str,
        at: datetime,
        reason: str | None = None,
    ) -> None: ...

    async def recipient_tally(self, schedule_id: int, occurrence: datetime) -> dict[str, int]:
        """How many of the occurrence's DMs ended in each status."""
        ...


class TipSource(Protocol):
    async def enabled(self, team_id: str, element: Element) -> tuple[Tip, ...]: ...

    async def find(self, team_id: str, tip_id: str) -> Tip | None: ...

    def in_language(self, tip: Tip, language: str) -> Tip:
        """The tip as a reader of `language` gets it (English where it exists in no other)."""
        ...


@dataclass(frozen=True, slots=True)
class Delivered:
    schedule_id: int
    occurrence: datetime
    status: str  # sent, skipped, failed; "taken": another process or click has it
    tip_id: str | None = None
    reason: str | None = None


def _why(outcome: PostOutcome) -> str | None:
    """Why it was not posted: the failure's code (kept as it is, for logs and searches) and
    the platform's detail; a detail Delight itself said stays a `Said`, translated when
    shown."""
    if not isinstance(outcome, NotPosted):
        return None
    if isinstance(outcome.detail, Said):
        return Said(N_("{code}: {detail}"), code=outcome.reason.value, detail=outcome.detail)
    return f"{outcome.reason.value}: {outcome.detail}".rstrip(": ")


def more_members_than_can_be_dmed() -> Said:
    """Why a channel's members are not DMed, when the counting stopped past the most."""
    return Said(N_("more than {most} members"), most=MAX_MEMBERS_TO_DM)


def no_tips_reason(element: Element) -> str:
    return Said(N_("every {element} tip is turned off"), element=Said(ELEMENT_INFO[element].name))


class TipService:
    def __init__(
        self,
        *,
        schedules: TipScheduleRepository,
        poster: TipPoster,
        tips: TipSource,
        clock: Clock,
    ) -> None:
        self._schedules = schedules
        self._poster = poster
        self._tips = tips
        self._clock = clock

    async def run_due(self) -> list[Delivered]:
        """Send what is due now; record what was missed; settle what was cut off. Safe to run
        from several processes at once and as often as you like: the ledger lets each
        occurrence (and each member's DM) through once."""
        now = self._clock.now()
        results = await self._settle_interrupted(now)
        # Schedules go side by side: one slow DM fan-out doesn't hold up the others.
        batches = await asyncio.gather(
            *(self._run_schedule(due, now) for due in await self._schedules.due_candidates())
        )
        return results + [delivered for batch in batches for delivered in batch]

    async def send_now(self, schedule: TipSchedule, *, request_key: str) -> Delivered:
        """An admin's "send now": the next tip, through the ledger as a manual occurrence, so
        the rotation moves on and a repeated request (a double click) sends nothing more."""
        return await self._send(schedule, self._clock.now(), request_key=request_key)

    async def _run_schedule(self, due: DueSchedule, now: datetime) -> list[Delivered]:
        schedule = due.schedule
        floor = now - LOOKBACK
        for candidate in (due.last_occurrence, schedule.created_at, schedule.counts_from):
            if candidate is not None and candidate > floor:
                floor = candidate
        after = floor + timedelta(microseconds=1)
        missed = list(occurrences(schedule, after, now + timedelta(microseconds=1)))
        plan = plan_catch_up(missed, now, CATCH_UP_WINDOW)
        results = []
        for skipped in plan.skip:
            element = element_of_week(schedule, skipped)
            if await self._schedules.claim(
                schedule.id,
                skipped,
                element=element,
                tip_id=None,
                status="skipped",
                reason=MISSED,
                at=now,
            ):
                logger.info("tip schedule %s: skipped %s (%s)", schedule.id, skipped, MISSED)
                results.append(Delivered(schedule.id, skipped, "skipped", reason=MISSED))
        if plan.send is not None:
            results.append(await self._send(schedule, plan.send))
        return results

    async def _send(
        self, schedule: TipSchedule, occurrence: datetime, *, request_key: str | None = None
    ) -> Delivered:
        element = element_of_week(schedule, occurrence)
        tips = await self._tips.enabled(schedule.team_id, element)
        if not tips:  # admins can't turn off an element's last tip, but a race could
            reason = no_tips_reason(element)
            claimed = await self._schedules.claim(
                schedule.id,
                occurrence,
                element=element,
                tip_id=None,
                status="skipped",
                reason=reason,
                request_key=request_key,
                at=self._clock.now(),
            )
            return Delivered(
                schedule.id, occurrence, "skipped" if claimed else "taken", None, reason
            )
        tip = next_tip(tips, await self._schedules.sent_tip_ids(schedule.id, element))
        claimed = await self._schedules.claim(
            schedule.id,
            occurrence,
            element=element,
            tip_id=tip.id,
            status="sending",
            request_key=request_key,
            at=self._clock.now(),
        )
        if not claimed:  # another process (or click) has it
            return Delivered(schedule.id, occurrence, "taken")
        if schedule.mode is DeliveryMode.MEMBERS:
            return await self._fan_out(schedule, occurrence, tip)
        language = await self._poster.language(schedule.team_id, None)  # the channel's
        outcome = await self._poster.post_tip(
            schedule, self._tips.in_language(tip, language), element, language=language
        )
        return await self._conclude(schedule, occurrence, tip, outcome)

    async def _conclude(
        self, schedule: TipSchedule, occurrence: datetime, tip: Tip, outcome: PostOutcome
    ) -> Delivered:
        if not isinstance(outcome, NotPosted):
            await self._schedules.finish(
                schedule.id,
                occurrence,
                status="sent",
                message_id=outcome.message_id,
                at=self._clock.now(),
            )
            return Delivered(schedule.id, occurrence, "sent", tip.id)
        reason = _why(outcome) or ""
        await self._fail(schedule, occurrence, reason)
        if outcome.reason in NEEDS_A_PERSON:
            await self._schedules.pause(schedule.id, reason=reason)
            await self._poster.tell_owner_paused(schedule, outcome.reason)
        return Delivered(schedule.id, occurrence, "failed", tip.id, reason)

    async def _fail(self, schedule: TipSchedule, occurrence: datetime, reason: str) -> None:
        await self._schedules.finish(
            schedule.id, occurrence, status="failed", reason=reason, at=self._clock.now()
        )
        logger.warning("tip schedule %s: %s failed (%s)", schedule.id, occurrence, reason)

    async def _fan_out(self, schedule: TipSchedule, occurrence: datetime, tip: Tip) -> Delivered:
        """DM the tip to each member once. Safe to resume, or to run twice at once: each
        member's DM is claimed in the ledger before it is sent."""
        members = await self._poster.members(schedule)
        if isinstance(members, NotPosted):
            return await self._conclude(schedule, occurrence, tip, members)
        if len(members) > MAX_MEMBERS_TO_DM:
            too_many = NotPosted(
                schedule.channel_id,
                FailureReason.TOO_MANY_MEMBERS,
                Said(
                    N_("{count} members, at most {most} can be DMed"),
                    count=len(members),
                    most=MAX_MEMBERS_TO_DM,
                ),
            )
            return await self._conclude(schedule, occurrence, tip, too_many)
        if not members:
            reason = NOBODY_TO_DM
            await self._schedules.finish(
                schedule.id, occurrence, status="skipped", reason=reason, at=self._clock.now()
            )
            return Delivered(schedule.id, occurrence, "skipped", tip.id, reason)
        await in_flight(
            members,
            lambda recipient_id: self._direct_message(schedule, occurrence, tip, recipient_id),
            at_most=DMS_IN_FLIGHT,
        )
        tally = await self._schedules.recipient_tally(schedule.id, occurrence)
        sent, failed_count = tally.get("sent", 0), tally.get("failed", 0)
        reason = (
            Said(
                N_("DMed {sent} of {count} members; {failed} could not be reached"),
                sent=sent,
                count=len(members),
                failed=failed_count,
            )
            if failed_count
            else Said(N_("DMed {sent} of {count} members"), sent=sent, count=len(members))
        )
        if not sent:
            await self._fail(schedule, occurrence, reason)
            return Delivered(schedule.id, occurrence, "failed", tip.id, reason)
        await self._schedules.finish(
            schedule.id, occurrence, status="sent", reason=reason, at=self._clock.now()
        )
        return Delivered(schedule.id, occurrence, "sent", tip.id, reason)

    async def _direct_message(
        self, schedule: TipSchedule, occurrence: datetime, tip: Tip, recipient_id: str
    ) -> None:
        """One member's DM of the occurrence, unless the ledger has it already."""
        if not await self._schedules.claim_recipient(
            schedule.id,
            occurrence,
            team_id=schedule.team_id,
            recipient_id=recipient_id,
            at=self._clock.now(),
        ):
            return
        language = await self._poster.language(schedule.team_id, recipient_id)
        outcome = await self._poster.direct_message_tip(
            schedule,
            recipient_id,
            self._tips.in_language(tip, language),
            tip.element,
            language=language,
        )
        await self._schedules.finish_recipient(
            schedule.id,
            occurrence,
            recipient_id=recipient_id,
            status="failed" if isinstance(outcome, NotPosted) else "sent",
            reason=_why(outcome),
            at=self._clock.now(),
        )

    async def _settle_interrupted(self, now: datetime) -> list[Delivered]:
        results = []
        for cut_off in await self._schedules.interrupted(idle_since=now - LEASE):
            schedule, entry = cut_off.schedule, cut_off.entry
            tip = await self._tips.find(schedule.team_id, entry.tip_id) if entry.tip_id else None
            resumable = (
                schedule.mode is DeliveryMode.MEMBERS
                and schedule.paused_reason is None
                and tip is not None
                and now - entry.occurrence <= CATCH_UP_WINDOW
            )
            if resumable and tip is not None:
                logger.info(
                    "tip schedule %s: resuming the DMs of %s", schedule.id, entry.occurrence
                )
                results.append(await self._fan_out(schedule, entry.occurrence, tip))
                continue
            await self._fail(schedule, entry.occurrence, INTERRUPTED)
            results.append(
                Delivered(schedule.id, entry.occurrence, "failed", entry.tip_id, INTERRUPTED)
            )
        return results


@dataclass(frozen=True, slots=True)
class UpcomingTip:
    schedule: TipSchedule
    occurrence: datetime | None  # None when paused or when an element was asked for
    element: Element
    tip: Tip | None  # None when every tip of the element is turned off


async def upcoming_tip(
    schedule: TipSchedule,
    *,
    schedules: TipScheduleRepository,
    tips: TipSource,
    now: datetime,
    element: Element | None = None,
    language: str = REFERENCE_LANGUAGE,
) -> UpcomingTip:
    """Which tip the schedule sends next: at its next occurrence, or, given an element, in
    that element's next week. The same choice `TipService` makes when the time comes, and
    nothing is recorded, so the rotation stays where it is."""
    occurrence = None
    if element is None:
        if schedule.paused_reason is None:
            occurrence = next_occurrence(schedule, now)
        element = element_of_week(schedule, occurrence or now)
    enabled = await tips.enabled(schedule.team_id, element)
    tip = None
    if enabled:
        chosen = next_tip(enabled, await schedules.sent_tip_ids(schedule.id, element))
        tip = tips.in_language(chosen, language)
    return UpcomingTip(schedule, occurrence, element, tip)
