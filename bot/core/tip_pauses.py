"""Tip schedules as the workspace lifecycle pauses them, telling each schedule's owner when
Delight leaves the place it delivers through (its channel deleted, Delight removed from the
team): only the schedules this pause stopped, so an event the platform repeats tells no one
twice."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.platform import TipPoster
from bot.core.schedule import TipSchedule

logger = logging.getLogger(__name__)


class PlacedTipSchedules(Protocol):
    async def pause_workspace(self, team_id: str, *, reason: str) -> int: ...

    async def resume_workspace(self, team_id: str, *, reason: str, now: datetime) -> int: ...

    async def pause_places_listed(
        self, team_id: str, places: Collection[str], *, reason: str
    ) -> Sequence[TipSchedule]:
        """As pause_places, naming the schedules this call paused (none already paused)."""
        ...

    async def resume_places(
        self, team_id: str, places: Collection[str], *, reason: str, now: datetime
    ) -> int: ...


class TipPauses:
    """The lifecycle's WorkspaceSchedules for tips."""

    def __init__(self, schedules: PlacedTipSchedules, poster: TipPoster) -> None:
        self._schedules = schedules
        self._poster = poster

    async def pause_workspace(self, team_id: str, *, reason: str) -> int:
        return await self._schedules.pause_workspace(team_id, reason=reason)

    async def resume_workspace(self, team_id: str, *, reason: str, now: datetime) -> int:
        return await self._schedules.resume_workspace(team_id, reason=reason, now=now)

    async def pause_places(self, team_id: str, places: Collection[str], *, reason: str) -> int:
        paused = await self._schedules.pause_places_listed(team_id, places, reason=reason)
        for schedule in paused:
            try:
                await self._poster.tell_owner_place_paused(schedule, reason)
            except Exception:  # one owner not told must not leave the others untold
                logger.exception("tip schedule %s: its owner wasn't told of the pause", schedule.id)
        return len(paused)

    async def resume_places(
        self, team_id: str, places: Collection[str], *, reason: str, now: datetime
    ) -> int:
        return await self._schedules.resume_places(team_id, places, reason=reason, now=now)
