"""Schedules as the workspace lifecycle pauses them, telling someone of each one that a pause by
place stopped: a tip schedule's owner, a team of people's creator, when Delight leaves the place
it delivers through or reads the members from (its channel deleted, Delight removed from the
Teams team). Only what this pause stopped is told, so an event the platform repeats tells no one
twice; a team of people picked person by person depends on no place."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from bot.core.platform import DigestPoster, TipPoster
from bot.core.schedule import TipSchedule

logger = logging.getLogger(__name__)

Paused = TypeVar("Paused")
Paused_co = TypeVar("Paused_co", covariant=True)
# Tell (workspace, what a pause stopped, the pause's reason) to whoever should know.
Tell = Callable[[str, Paused, str], Awaitable[None]]


class PlacedSchedules(Protocol[Paused_co]):
    async def pause_workspace(self, team_id: str, *, reason: str) -> int: ...

    async def resume_workspace(self, team_id: str, *, reason: str, now: datetime) -> int: ...

    async def pause_places_listed(
        self, team_id: str, places: Collection[str], *, reason: str, posting_only: bool = False
    ) -> Sequence[Paused_co]:
        """Pause what delivers through (or reads from) one of `places`, or with `posting_only`
        what posts in one of them; what this call paused (nothing already paused)."""
        ...

    async def resume_places(
        self, team_id: str, places: Collection[str], *, reason: str, now: datetime
    ) -> int: ...


class PlacePauses(Generic[Paused]):
    """The lifecycle's WorkspaceSchedules over `schedules`, telling of each pause by place."""

    def __init__(self, schedules: PlacedSchedules[Paused], tell: Tell[Paused]) -> None:
        self._schedules = schedules
        self._tell = tell

    async def pause_workspace(self, team_id: str, *, reason: str) -> int:
        return await self._schedules.pause_workspace(team_id, reason=reason)

    async def resume_workspace(self, team_id: str, *, reason: str, now: datetime) -> int:
        return await self._schedules.resume_workspace(team_id, reason=reason, now=now)

    async def pause_places(
        self, team_id: str, places: Collection[str], *, reason: str, posting_only: bool = False
    ) -> int:
        paused = await self._schedules.pause_places_listed(
            team_id, places, reason=reason, posting_only=posting_only
        )
        for each in paused:
            try:
                await self._tell(team_id, each, reason)
            except Exception:  # one person not told must not leave the others untold
                logger.exception("%s was paused with its place, untold", type(each).__name__)
        return len(paused)

    async def resume_places(
        self, team_id: str, places: Collection[str], *, reason: str, now: datetime
    ) -> int:
        return await self._schedules.resume_places(team_id, places, reason=reason, now=now)


def tip_pauses(
    schedules: PlacedSchedules[TipSchedule], poster: TipPoster
) -> PlacePauses[TipSchedule]:
    """Each tip schedule paused with its place: its owner told."""

    async def tell(_team_id: str, schedule: TipSchedule, reason: str) -> None:
        await poster.tell_owner_place_paused(schedule, reason)

    return PlacePauses(schedules, tell)


@dataclass(frozen=True, slots=True)
class PausedTeam:
    """A team of people whose digests a pause stopped."""

    name: str
    created_by: str  # the admin who made it; "" when unknown


def digest_pauses(
    teams: PlacedSchedules[PausedTeam], poster: DigestPoster
) -> PlacePauses[PausedTeam]:
    """Each team of people paused with a place its members are read from: its creator told."""

    async def tell(team_id: str, team: PausedTeam, reason: str) -> None:
        if team.created_by:
            await poster.tell_creator_place_paused(team_id, team.created_by, team.name, reason)

    return PlacePauses(teams, tell)
