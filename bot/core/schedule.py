"""When tips go out and which tip: pure rules over a schedule, a clock and what was sent.

Local wall-clock times, not fixed UTC offsets: a tip at 09:00 Europe/Amsterdam goes out at
09:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.elements import Element
from bot.core.tips import Tip

CATCH_UP_WINDOW = timedelta(hours=1)


class DeliveryMode(StrEnum):
    CHANNEL = "channel"  # post in the channel
    MEMBERS = "members"  # DM each member of the channel


@dataclass(frozen=True, slots=True)
class TipSchedule:
    """An admin's schedule: which weekdays (0 = Monday), what local time, in which zone."""

    id: int
    team_id: str
    weekdays: frozenset[int]
    at: time
    timezone: str
    start: date
    channel_id: str = ""
    owner_id: str = ""  # the admin told when the schedule cannot be delivered
    created_at: datetime | None = None
    paused_reason: str | None = None  # why it is paused; None while it runs
    mode: DeliveryMode = DeliveryMode.CHANNEL
    # Nothing before this counts as missed (set when created, changed or resumed), so an
    # edited or resumed schedule never catches up on occurrences it never had.
    counts_from: datetime | None = None

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("a schedule needs at least one weekday, 0 (Monday) to 6 (Sunday)")
        ZoneInfo(self.timezone)  # raises for an unknown zone


def occurrences(schedule: TipSchedule, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every moment (aware UTC) in [start, end) the schedule fires, in order.

    A local time skipped by a spring-forward change (02:30 on the changeover night) fires an
    hour later on the new clock (03:30); a time that happens twice in autumn fires once, at
    the first.
    """
    zone = ZoneInfo(schedule.timezone)
    day = max(start.astimezone(zone).date(), schedule.start)
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        if day.weekday() in schedule.weekdays:
            moment = _local_to_utc(datetime.combine(day, schedule.at), zone)
            if start <= moment < end:
                yield moment
        day += timedelta(days=1)


def _local_to_utc(naive_local: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: an autumn time that happens twice is the first; a spring time that never
    # happens is read with the offset before the change (02:30 fires at 03:30 new time).
    return naive_local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def next_occurrence(schedule: TipSchedule, after: datetime) -> datetime:
    """The first moment after `after` the schedule fires (a week always has one)."""
    first_day = datetime.combine(schedule.start, time(), ZoneInfo(schedule.timezone))
    begin = max(after + timedelta(microseconds=1), first_day)
    return next(occurrences(schedule, begin, begin + timedelta(days=8)))


def element_of_week(schedule: TipSchedule, moment: datetime) -> Element:
    """Each week, Monday to Sunday in the schedule's zone, has one element, in definition
    order from the schedule's first week, then round again."""
    local_day = moment.astimezone(ZoneInfo(schedule.timezone)).date()
    first_monday = schedule.start - timedelta(days=schedule.start.weekday())
    weeks = (local_day - first_monday).days // 7
    elements = list(Element)
    return elements[weeks % len(elements)]


def next_tip(tips: Sequence[Tip], sent_ids: Iterable[str]) -> Tip:
    """The next tip of an element on one schedule: none repeats until all of the element's
    enabled tips were sent, then a new round starts in library order.

    `tips` are the element's enabled tips in library order; `sent_ids` the ids this schedule
    sent for the element, oldest first (tips disabled since are ignored).
    """
    if not tips:
        raise ValueError("no enabled tips for this element")
    enabled = {tip.id for tip in tips}
    this_round: set[str] = set()
    for tip_id in sent_ids:
        if tip_id in enabled:
            this_round.add(tip_id)
            if this_round == enabled:
                this_round = set()
    return next(tip for tip in tips if tip.id not in this_round)


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What to do with occurrences missed while the bot was down."""

    send: datetime | None  # at most one, the latest missed within the window
    skip: tuple[datetime, ...]  # older ones: recorded as skipped, never sent as a burst


def plan_catch_up(
    missed: Sequence[datetime], now: datetime, window: timedelta = CATCH_UP_WINDOW
) -> CatchUp:
    recent = [moment for moment in missed if now - moment <= window]
    send = max(recent, default=None)
    return CatchUp(send=send, skip=tuple(sorted(m for m in missed if m != send)))
