"""Admins managing their workspace's tip schedules: create, change, pause, resume, delete,
preview and send now; each change checked and audited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import errors
from bot.core.admins import AdminRights
from bot.core.elements import Element
from bot.core.platform import Channels, Directory
from bot.core.ports import AuditLog, Clock
from bot.core.schedule import DeliveryMode, TipSchedule, element_of_week, next_occurrence
from bot.core.tip_delivery import (
    Delivered,
    LedgerEntry,
    TipScheduleRepository,
    TipService,
    TipSource,
    UpcomingTip,
    upcoming_tip,
)
from bot.core.tips import Tip
from bot.core.words import N_
from bot.core.workspaces import plausible_id

MAX_SCHEDULES = 20  # per workspace: enough for every team, and the list still fits one modal
RECENT = 5  # occurrences shown per schedule
MAX_START_AHEAD = timedelta(days=366)
DEFAULT_TIMEZONE = "UTC"
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
# IANA names: letters, digits and _+- in slash-separated parts; never a path like "../x".
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9][A-Za-z0-9_+\-]*)*")
_SEND_KEY = re.compile(r"[0-9]{1,18}")


class ScheduleStore(TipScheduleRepository, Protocol):
    async def get(self, team_id: str, schedule_id: int) -> TipSchedule | None: ...

    async def for_team(
        self, team_id: str, *, include_paused: bool = False
    ) -> list[TipSchedule]: ...

    async def add(
        self,
        *,
        team_id: str,
        channel_id: str,
        owner_id: str,
        weekdays: frozenset[int],
        at: time,
        timezone: str,
        start: date,
        created_at: datetime,
        mode: DeliveryMode = DeliveryMode.CHANNEL,
    ) -> TipSchedule: ...

    async def change(self, schedule: TipSchedule) -> None:
        """Store where, when and how (and counts_from) of an existing schedule."""
        ...

    async def set_paused(
        self, team_id: str, schedule_id: int, *, reason: str | None, counts_from: datetime
    ) -> None:
        """Pause with a reason, or (reason None) resume counting from `counts_from`."""
        ...

    async def delete(self, team_id: str, schedule_id: int) -> None: ...

    async def recent(self, schedule_ids: list[int], *, limit: int) -> dict[int, list[LedgerEntry]]:
        """Each schedule's newest ledger entries, newest first."""
        ...

    async def ledger_size(self, schedule_id: int) -> int: ...


@dataclass(frozen=True, slots=True)
class ScheduleForm:
    """The schedule form as an admin submitted it, not yet checked."""

    channel_id: str | None
    mode: str
    weekdays: tuple[str, ...]
    at: str
    timezone: str
    start: str


@dataclass(frozen=True, slots=True)
class ScheduleReport:
    """A schedule as the admins' list and `/delight tips status` show it."""

    schedule: TipSchedule
    next_at: datetime | None  # None while paused
    element: Element  # the element of the next occurrence's week (this week's when paused)
    recent: tuple[LedgerEntry, ...]  # newest first
    titles: dict[str, str] = field(default_factory=dict)  # tip id → title, for `recent`
    send_key: str = "0"  # what "send now" carries, so a repeated click is recognised


class TipScheduleAdmin:
    def __init__(
        self,
        *,
        schedules: ScheduleStore,
        delivery: TipService,
        tips: TipSource,
        channels: Channels,
        directory: Directory,
        admins: AdminRights,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._schedules = schedules
        self._delivery = delivery
        self._tips = tips
        self._channels = channels
        self._directory = directory
        self._admins = admins
        self._audit = audit
        self._clock = clock

    async def reports(
        self, team_id: str, admin_id: str, *, recent: int = RECENT, language: str = "en"
    ) -> list[ScheduleReport]:
        """`language`: the reader's, for the titles of the tips sent."""
        await self._admins.require_admin(team_id, admin_id)
        schedules = await self._schedules.for_team(team_id, include_paused=True)
        history = await self._schedules.recent([s.id for s in schedules], limit=recent)
        now = self._clock.now()
        titles: dict[str, str] = {}
        for tip_id in {e.tip_id for entries in history.values() for e in entries if e.tip_id}:
            if tip := await self._tips.find(team_id, tip_id):
                titles[tip_id] = self._tips.in_language(tip, language).title
        reports = []
        for schedule in schedules:
            entries = tuple(history.get(schedule.id, []))
            next_at = None if schedule.paused_reason else next_occurrence(schedule, now)
            reports.append(
                ScheduleReport(
                    schedule=schedule,
                    next_at=next_at,
                    element=element_of_week(schedule, next_at or now),
                    recent=entries,
                    titles=titles,
                    send_key=str(await self._schedules.ledger_size(schedule.id)),
                )
            )
        return reports

    async def schedule(self, team_id: str, admin_id: str, schedule_id: int) -> TipSchedule:
        await self._admins.require_admin(team_id, admin_id)
        return await self._get(team_id, schedule_id)

    async def tip(self, team_id: str, tip_id: str) -> Tip | None:
        return await self._tips.find(team_id, tip_id)

    async def default_timezone(self, team_id: str, admin_id: str) -> str:
        """The admin's own timezone on the chat platform, the form's starting point."""
        person = (await self._directory.people(team_id, (admin_id,))).get(admin_id)
        zone = person.tz if person else None
        return zone if zone and _known_zone(zone) else DEFAULT_TIMEZONE

    async def create(self, team_id: str, admin_id: str, form: ScheduleForm) -> TipSchedule:
        """Check and store a new schedule. Raises ScheduleInvalid naming each field to fix,
        TooManySchedules, or NotAnAdmin."""
        await self._admins.require_admin(team_id, admin_id)
        draft = await self._checked(team_id, form)
        existing = await self._schedules.for_team(team_id, include_paused=True)
        if len(existing) >= MAX_SCHEDULES:
            raise errors.TooManySchedules(limit=MAX_SCHEDULES)
        now = self._clock.now()
        created = await self._schedules.add(
            team_id=team_id,
            channel_id=draft["channel_id"],
            owner_id=admin_id,
            weekdays=draft["weekdays"],
            at=draft["at"],
            timezone=draft["timezone"],
            start=draft["start"],
            created_at=now,
            mode=draft["mode"],
        )
        await self._record(team_id, admin_id, "tip_schedule.created", created, _described(created))
        return created

    async def change(
        self, team_id: str, admin_id: str, schedule_id: int, form: ScheduleForm
    ) -> TipSchedule:
        """Check and store new settings for a schedule; they apply from the next tick (the
        scheduler reads stored schedules every minute) and nothing before now counts as
        missed."""
        await self._admins.require_admin(team_id, admin_id)
        before = await self._get(team_id, schedule_id)
        draft = await self._checked(team_id, form)
        after = TipSchedule(
            id=before.id,
            team_id=team_id,
            weekdays=draft["weekdays"],
            at=draft["at"],
            timezone=draft["timezone"],
            start=draft["start"],
            channel_id=draft["channel_id"],
            owner_id=before.owner_id,
            created_at=before.created_at,
            paused_reason=before.paused_reason,
            mode=draft["mode"],
            counts_from=self._clock.now(),
        )
        old, new = _described(before), _described(after)
        changes = {
            name: {"from": old[name], "to": new[name]} for name in new if old[name] != new[name]
        }
        if not changes:
            return before
        await self._schedules.change(after)
        await self._record(team_id, admin_id, "tip_schedule.changed", after, changes)
        return after

    async def pause(self, team_id: str, admin_id: str, schedule_id: int) -> None:
        await self._admins.require_admin(team_id, admin_id)
        schedule = await self._get(team_id, schedule_id)
        if schedule.paused_reason is not None:
            return
        await self._schedules.set_paused(
            team_id, schedule_id, reason=N_("paused by an admin"), counts_from=self._clock.now()
        )
        await self._record(team_id, admin_id, "tip_schedule.paused", schedule, {})

    async def resume(self, team_id: str, admin_id: str, schedule_id: int) -> None:
        """Resume, once the channel works again (raises ScheduleInvalid for "channel" if it
        still doesn't). Occurrences while it was paused are not caught up."""
        await self._admins.require_admin(team_id, admin_id)
        schedule = await self._get(team_id, schedule_id)
        if schedule.paused_reason is None:
            return
        problem = await self._channels.problem(team_id, schedule.channel_id, mode=schedule.mode)
        if problem is not None:
            raise errors.ScheduleInvalid(problems={}, channel_problem=problem)
        await self._schedules.set_paused(
            team_id, schedule_id, reason=None, counts_from=self._clock.now()
        )
        await self._record(
            team_id,
            admin_id,
            "tip_schedule.resumed",
            schedule,
            {"was_paused_because": schedule.paused_reason},
        )

    async def delete(self, team_id: str, admin_id: str, schedule_id: int) -> None:
        await self._admins.require_admin(team_id, admin_id)
        schedule = await self._get(team_id, schedule_id)
        await self._schedules.delete(team_id, schedule_id)
        await self._record(
            team_id, admin_id, "tip_schedule.deleted", schedule, _described(schedule)
        )

    async def preview(
        self, team_id: str, admin_id: str, schedule_id: int, *, language: str = "en"
    ) -> UpcomingTip:
        """What the schedule posts next, the tip in `language` (the admin's); nothing is
        recorded, so the rotation stays put."""
        await self._admins.require_admin(team_id, admin_id)
        schedule = await self._get(team_id, schedule_id)
        return await upcoming_tip(
            schedule,
            schedules=self._schedules,
            tips=self._tips,
            now=self._clock.now(),
            language=language,
        )

    async def send_now(
        self, team_id: str, admin_id: str, schedule_id: int, *, send_key: str
    ) -> Delivered:
        """Send the next tip now. `send_key` is what the button carried: the same key twice
        (a double click, a retried request) sends once."""
        await self._admins.require_admin(team_id, admin_id)
        if not _SEND_KEY.fullmatch(send_key):
            raise errors.ScheduleNotFound()
        schedule = await self._get(team_id, schedule_id)
        delivered = await self._delivery.send_now(schedule, request_key=f"now:{send_key}")
        if delivered.status != "taken":
            await self._record(
                team_id,
                admin_id,
                "tip_schedule.sent_now",
                schedule,
                {"status": delivered.status, "tip": delivered.tip_id, "reason": delivered.reason},
            )
        return delivered

    async def _get(self, team_id: str, schedule_id: int) -> TipSchedule:
        schedule = await self._schedules.get(team_id, schedule_id)
        if schedule is None:
            raise errors.ScheduleNotFound()
        return schedule

    async def _checked(self, team_id: str, form: ScheduleForm) -> dict[str, Any]:
        problems, draft = _validated(form, today=self._clock.now().date())
        problem = None
        if "channel" not in problems and "mode" not in problems:
            problem = await self._channels.problem(team_id, draft["channel_id"], mode=draft["mode"])
        if problems or problem is not None:
            raise errors.ScheduleInvalid(problems=problems, channel_problem=problem)
        return draft

    async def _record(
        self,
        team_id: str,
        admin_id: str,
        action: str,
        schedule: TipSchedule,
        detail: dict[str, Any],
    ) -> None:
        await self._audit.record(
            team_id=team_id,
            actor_id=admin_id,
            action=action,
            detail={"schedule": schedule.id, **detail},
            at=self._clock.now(),
        )


def _validated(form: ScheduleForm, *, today: date) -> tuple[dict[str, str], dict[str, Any]]:
    """Field → what to fix, and the values that passed."""
    problems: dict[str, str] = {}
    draft: dict[str, Any] = {}
    if form.channel_id and plausible_id(form.channel_id):
        draft["channel_id"] = form.channel_id
    else:
        problems["channel"] = N_("Pick a channel from the list.")
    try:
        draft["mode"] = DeliveryMode(form.mode)
    except ValueError:
        problems["mode"] = N_("Choose whether to post in the channel or DM its members.")
    days = set(form.weekdays)
    if days and days <= {str(day) for day in range(7)}:
        draft["weekdays"] = frozenset(int(day) for day in days)
    else:
        problems["weekdays"] = N_("Pick at least one day of the week.")
    if match := _TIME.fullmatch(form.at.strip()):
        draft["at"] = time(int(match.group(1)), int(match.group(2)))
    else:
        problems["at"] = N_("Use a time of day like 09:00 (24-hour clock).")
    zone = form.timezone.strip()
    if _known_zone(zone):
        draft["timezone"] = zone
    else:
        problems["timezone"] = N_(
            "Pick a timezone from the list (type a city, like Amsterdam or New York)."
        )
    try:
        start = date.fromisoformat(form.start.strip())
    except ValueError:
        problems["start"] = N_("Pick a start date.")
    else:
        if start > today + MAX_START_AHEAD:
            problems["start"] = N_("Pick a start date within a year from today.")
        draft["start"] = start
    return problems, draft


def _known_zone(name: str) -> bool:
    if not _ZONE_NAME.fullmatch(name) or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _described(schedule: TipSchedule) -> dict[str, Any]:
    """A schedule's settings as the audit log keeps them."""
    return {
        "channel": schedule.channel_id,
        "mode": schedule.mode.value,
        "weekdays": sorted(schedule.weekdays),
        "at": schedule.at.strftime("%H:%M"),
        "timezone": schedule.timezone,
        "start": schedule.start.isoformat(),
    }
