"""Workspaces that installed Delight, and what happens when one removes it.

In multi-workspace mode each workspace's admin installs Delight (OAuth) and the platform
hands over that workspace's bot token; with token rotation the token expires and a refresh
token buys the next one. When a workspace uninstalls Delight or revokes its token, its
credentials are deleted and its scheduled work stops; installing again starts it again.

A platform may also take Delight out of one place of a workspace (Teams: one team, with its
channels; a deleted channel): the schedules that deliver through that place stop, and only
those. A schedule depends on a place by the ids it stores (the channel it posts in, the group
its members come from); the adapter, which knows which ids make up a place, names them, so
the core needs no link of its own and schedules made before work the same.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.platform import ChannelProblem
from bot.core.ports import Clock
from bot.core.words import N_

logger = logging.getLogger(__name__)

# Why a schedule was paused when its workspace removed Delight: installing again resumes
# exactly the schedules paused for this reason, not those an admin or a failure paused.
REMOVED_FROM_WORKSPACE = N_("Delight was removed from the workspace")
# Why a schedule was paused when Delight left the place it delivers through; each resumes
# exactly the schedules it paused, in that place.
REMOVED_FROM_PLACE = N_("Delight was removed from the team it delivers in")
PLACE_GONE = {
    ChannelProblem.NOT_FOUND: N_("its channel was deleted"),
    ChannelProblem.ARCHIVED: N_("its channel was archived"),
    ChannelProblem.NOT_A_MEMBER: N_("Delight was removed from its private channel"),
}


def problem_of(reason: str) -> ChannelProblem:
    """The problem a PLACE_GONE pause reason stands for (NOT_FOUND for any other reason)."""
    return next((p for p, said in PLACE_GONE.items() if said == reason), ChannelProblem.NOT_FOUND)


# Why a schedule that posts in a channel was paused when the channel's team was archived (read
# only: nothing can be posted there, while its members can still be read and reached 1:1).
TEAM_ARCHIVED = N_("its team was archived")


@dataclass(frozen=True, slots=True)
class Installation:
    """One workspace's installation: its bot's identity and credentials (tokens in clear
    here; storage decides how they rest)."""

    team_id: str
    bot_token: str
    bot_user_id: str
    installed_at: datetime
    bot_id: str | None = None
    bot_scopes: str = ""  # comma-separated, as the platform gives them
    bot_refresh_token: str | None = None  # only with token rotation
    bot_token_expires_at: datetime | None = None  # only with token rotation
    enterprise_id: str | None = None
    is_enterprise_install: bool = False
    team_name: str | None = None
    enterprise_name: str | None = None
    enterprise_url: str | None = None
    app_id: str | None = None
    installer_id: str | None = None  # the person who installed it

    @property
    def rotates(self) -> bool:
        return self.bot_refresh_token is not None and self.bot_token_expires_at is not None


class Installations(Protocol):
    """Where installations are kept (one per workspace)."""

    async def save(self, installation: Installation) -> None:
        """Insert or replace the workspace's installation."""
        ...

    async def find(self, team_id: str) -> Installation | None: ...

    async def delete(self, team_id: str) -> bool:
        """Forget the workspace's credentials; False when there were none."""
        ...

    async def claim_refresh(self, team_id: str, *, now: datetime, until: datetime) -> bool:
        """Take the right to refresh the workspace's token until `until`, unless another
        process holds it: a refresh token works once, so two refreshing at once would leave
        one with a revoked token. Saving the installation gives the right back."""
        ...

    async def release_refresh(self, team_id: str) -> None: ...


class WorkspaceSchedules(Protocol):
    """A workspace's scheduled work of one kind (tips, digests), paused and resumed as a
    whole."""

    async def pause_workspace(self, team_id: str, *, reason: str) -> int:
        """Pause every running schedule of the workspace; how many were paused."""
        ...

    async def resume_workspace(self, team_id: str, *, reason: str, now: datetime) -> int:
        """Resume the schedules paused for `reason`, as if paused until `now` (nothing in
        between counts as missed); how many were resumed."""
        ...

    async def pause_places(
        self, team_id: str, places: Collection[str], *, reason: str, posting_only: bool = False
    ) -> int:
        """Pause every running schedule of the workspace that delivers through one of these
        places (the channel it posts in, a group its members come from), or with
        `posting_only` only those that post in one of them; how many."""
        ...

    async def resume_places(
        self, team_id: str, places: Collection[str], *, reason: str, now: datetime
    ) -> int:
        """Resume the schedules of these places paused for `reason`; how many."""
        ...


class WorkspaceLifecycle:
    """What installing and removing Delight does to a workspace's data."""

    def __init__(
        self,
        *,
        installations: Installations | None,  # None in single-workspace mode
        schedules: Sequence[WorkspaceSchedules],
        clock: Clock,
    ) -> None:
        self._installations = installations
        self._schedules = schedules
        self._clock = clock

    async def removed(self, team_id: str) -> None:
        """The workspace uninstalled Delight or revoked its bot token: delete its
        credentials and stop its scheduled work (nothing could be delivered any more)."""
        deleted = False
        if self._installations is not None:
            deleted = await self._installations.delete(team_id)
        paused = 0
        for schedules in self._schedules:
            paused += await schedules.pause_workspace(team_id, reason=REMOVED_FROM_WORKSPACE)
        logger.info(
            "Delight was removed from %s: credentials %s, %d schedule(s) paused",
            team_id,
            "deleted" if deleted else "none stored",
            paused,
        )

    async def installed(self, team_id: str) -> None:
        """A workspace installed Delight (again): resume what its removal paused."""
        resumed, now = 0, self._clock.now()
        for schedules in self._schedules:
            resumed += await schedules.resume_workspace(
                team_id, reason=REMOVED_FROM_WORKSPACE, now=now
            )
        logger.info("Delight was installed in %s; %d schedule(s) resumed", team_id, resumed)

    async def removed_from(self, team_id: str, places: Collection[str]) -> int:
        """Delight was taken out of one place of the workspace (all these ids: a Teams team
        and its channels): what delivers through it stops. How many schedules paused."""
        return await self._pause(team_id, places, REMOVED_FROM_PLACE)

    async def installed_in(self, team_id: str, places: Collection[str]) -> int:
        """Delight is back in that place: what its removal paused resumes (nothing else)."""
        return await self._resume(team_id, places, REMOVED_FROM_PLACE)

    async def place_gone(self, team_id: str, place: str, problem: ChannelProblem) -> int:
        """A channel was deleted (NOT_FOUND), or Delight removed from a private one
        (NOT_A_MEMBER): what posts there or reads its members stops. Or archived (ARCHIVED):
        read only, so only what posts there stops."""
        posting_only = problem is ChannelProblem.ARCHIVED
        return await self._pause(team_id, (place,), PLACE_GONE[problem], posting_only=posting_only)

    async def place_restored(self, team_id: str, place: str, problem: ChannelProblem) -> int:
        return await self._resume(team_id, (place,), PLACE_GONE[problem])

    async def team_archived(self, team_id: str, places: Collection[str]) -> int:
        """A team (these ids: it and its channels) was archived: what posts in it pauses;
        what reads its members or reaches them 1:1 goes on."""
        return await self._pause(team_id, places, TEAM_ARCHIVED, posting_only=True)

    async def team_unarchived(self, team_id: str, places: Collection[str]) -> int:
        return await self._resume(team_id, places, TEAM_ARCHIVED)

    async def _pause(
        self, team_id: str, places: Collection[str], reason: str, *, posting_only: bool = False
    ) -> int:
        paused = 0
        for schedules in self._schedules:
            paused += await schedules.pause_places(
                team_id, places, reason=reason, posting_only=posting_only
            )
        logger.info("%d schedule(s) of %s paused: %s", paused, team_id, reason)
        return paused

    async def _resume(self, team_id: str, places: Collection[str], reason: str) -> int:
        resumed, now = 0, self._clock.now()
        for schedules in self._schedules:
            resumed += await schedules.resume_places(team_id, places, reason=reason, now=now)
        logger.info("%d schedule(s) of %s resumed (%s)", resumed, team_id, reason)
        return resumed
