"""What a person sees of Delight on their own: App Home, `/delight me` and leaderboards."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.core import errors
from bot.core.admins import AdminRights
from bot.core.elements import Element
from bot.core.kudos import start_of_local_day
from bot.core.model import Page, PersonStats, Ranked, WorkspaceSettings
from bot.core.platform import Directory
from bot.core.ports import Clock, SettingsRepository
from bot.core.schedule import TipSchedule, element_of_week

PAGE_SIZE = 10


class KudosQueries(Protocol):
    async def received(
        self, *, team_id: str, user_id: str, before: int | None = None, limit: int = PAGE_SIZE
    ) -> Page: ...

    async def given(
        self, *, team_id: str, user_id: str, before: int | None = None, limit: int = PAGE_SIZE
    ) -> Page: ...

    async def stats(self, *, team_id: str, user_id: str) -> PersonStats: ...

    async def used_since(self, *, team_id: str, giver_id: str, since: datetime) -> int: ...

    async def leaderboard(self, *, team_id: str, since: datetime, limit: int) -> list[Ranked]:
        """The `limit` people who received the most public recognition since then (the
        database ranks them and returns only those)."""
        ...


class Preferences(Protocol):
    async def public_announcements(self, *, team_id: str, user_id: str) -> bool: ...

    async def set_public_announcements(
        self, *, team_id: str, user_id: str, public: bool, at: datetime
    ) -> None: ...


class Schedules(Protocol):
    async def for_team(
        self, team_id: str, *, include_paused: bool = False
    ) -> list[TipSchedule]: ...


@dataclass(frozen=True, slots=True)
class HomeCursor:
    """Which pages App Home shows (from its buttons, so never trusted beyond the person's own
    data: every query is scoped to them)."""

    received_before: int | None = None
    given_before: int | None = None
    show_elements: bool = False


@dataclass(frozen=True, slots=True)
class Home:
    user_id: str
    cursor: HomeCursor
    received: Page
    given: Page
    stats: PersonStats
    remaining_today: int
    settings: WorkspaceSettings
    element_of_week: Element | None  # of the workspace's tip series; None: no tips scheduled
    public_announcements: bool
    is_admin: bool
    # For admins: the tip schedules that are paused, each with its reason.
    paused_schedules: tuple[TipSchedule, ...] = ()


@dataclass(frozen=True, slots=True)
class MyStats:
    stats: PersonStats
    remaining_today: int
    daily_limit: int


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    ALL = "all"


PERIOD_DAYS = {Period.WEEK: 7, Period.MONTH: 30, Period.QUARTER: 91}
LEADERBOARD_SIZE = 10
# A leaderboard counts every kudos of its period (all of them for `all`): worked out at most
# once a minute per workspace and period, however often it is asked for (those asking while it
# is worked out wait for that one). A new kudos shows within the minute; nothing is invalidated.
LEADERBOARD_FRESH_FOR = timedelta(seconds=60)
LEADERBOARDS_KEPT = 4096  # workspaces × periods; the oldest make way


class HomeService:
    def __init__(
        self,
        *,
        queries: KudosQueries,
        preferences: Preferences,
        settings: SettingsRepository,
        admins: AdminRights,
        directory: Directory,
        schedules: Schedules,
        clock: Clock,
    ) -> None:
        self._queries = queries
        self._preferences = preferences
        self._settings = settings
        self._admins = admins
        self._directory = directory
        self._schedules = schedules
        self._clock = clock
        self._leaderboards: dict[
            tuple[str, Period], tuple[datetime, asyncio.Future[list[Ranked]]]
        ] = {}

    async def home(self, team_id: str, user_id: str, cursor: HomeCursor = HomeCursor()) -> Home:
        settings = await self._settings.get(team_id)
        who = {"team_id": team_id, "user_id": user_id}
        received, given, stats = await asyncio.gather(
            self._queries.received(team_id=team_id, user_id=user_id, before=cursor.received_before),
            self._queries.given(team_id=team_id, user_id=user_id, before=cursor.given_before),
            self._queries.stats(**who),
        )
        remaining, public, is_admin, schedules = await asyncio.gather(
            self._remaining_today(team_id, user_id, settings),
            self._preferences.public_announcements(**who),
            self._admins.is_admin(team_id, user_id),
            self._schedules.for_team(team_id, include_paused=True),
        )
        running = [s for s in schedules if s.paused_reason is None]
        return Home(
            user_id=user_id,
            cursor=cursor,
            received=received,
            given=given,
            stats=stats,
            remaining_today=remaining,
            settings=settings,
            element_of_week=(element_of_week(running[0], self._clock.now()) if running else None),
            public_announcements=public,
            is_admin=is_admin,
            paused_schedules=(
                tuple(s for s in schedules if s.paused_reason is not None) if is_admin else ()
            ),
        )

    async def my_stats(self, team_id: str, user_id: str) -> MyStats:
        settings = await self._settings.get(team_id)
        stats, remaining = await asyncio.gather(
            self._queries.stats(team_id=team_id, user_id=user_id),
            self._remaining_today(team_id, user_id, settings),
        )
        return MyStats(stats=stats, remaining_today=remaining, daily_limit=settings.daily_limit)

    async def leaderboard(self, team_id: str, period: Period) -> list[Ranked]:
        """Recognition received in the period; only where an admin turned leaderboards on."""
        if not (await self._settings.get(team_id)).leaderboard_enabled:
            raise errors.LeaderboardOff()
        now = self._clock.now()
        key = (team_id, period)
        cached = self._leaderboards.get(key)
        if cached is not None and now - cached[0] < LEADERBOARD_FRESH_FOR:
            return await asyncio.shield(cached[1])
        days = PERIOD_DAYS.get(period)
        since = now - timedelta(days=days) if days else datetime.min.replace(tzinfo=now.tzinfo)
        working = asyncio.ensure_future(
            self._queries.leaderboard(team_id=team_id, since=since, limit=LEADERBOARD_SIZE)
        )
        working.add_done_callback(lambda done: self._forget_failed(key, done))
        self._leaderboards.pop(key, None)  # kept in the order they were worked out
        if len(self._leaderboards) >= LEADERBOARDS_KEPT:
            del self._leaderboards[next(iter(self._leaderboards))]
        self._leaderboards[key] = (now, working)
        # (A caller that is cancelled leaves the work to the others.)
        return await asyncio.shield(working)

    def _forget_failed(self, key: tuple[str, Period], done: asyncio.Future[list[Ranked]]) -> None:
        """A failed read is asked again by the next one, not kept for the minute."""
        if not done.cancelled() and done.exception() is None:
            return
        if (kept := self._leaderboards.get(key)) is not None and kept[1] is done:
            del self._leaderboards[key]

    async def set_public_announcements(self, team_id: str, user_id: str, *, public: bool) -> None:
        await self._preferences.set_public_announcements(
            team_id=team_id, user_id=user_id, public=public, at=self._clock.now()
        )

    async def _remaining_today(
        self, team_id: str, user_id: str, settings: WorkspaceSettings
    ) -> int:
        person = (await self._directory.people(team_id, (user_id,))).get(user_id)
        since = start_of_local_day(self._clock.now(), person.tz if person else None)
        used = await self._queries.used_since(team_id=team_id, giver_id=user_id, since=since)
        return max(settings.daily_limit - used, 0)
