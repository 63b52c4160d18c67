"""Managers' teams: who manages whom, and where a team's members come from."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.admins import AdminRights
from bot.core.digest_week import DigestSchedule
from bot.core.model import Person
from bot.core.platform import Directory, MemberSources
from bot.core.ports import Clock
from bot.core.words import N_, Said

NAME_LIMIT = 80


@dataclass(frozen=True, slots=True)
class Team:
    """A team of people and its managers. `team_id` is the workspace, as everywhere; `id` is
    the team's own. Members are picked one by one, or read from user groups and channels at
    each digest, so a team follows the group as it changes."""

    id: int
    team_id: str
    name: str
    manager_ids: tuple[str, ...]
    member_ids: tuple[str, ...] = ()
    usergroup_ids: tuple[str, ...] = ()
    channel_ids: tuple[str, ...] = ()
    created_by: str = ""
    created_at: datetime | None = None
    paused_reason: str | None = None  # why its digests are stopped; None while they go out


@dataclass(frozen=True, slots=True)
class TeamDraft:
    """A team as an admin filled it in, before it is checked and stored."""

    name: str
    manager_ids: tuple[str, ...]
    member_ids: tuple[str, ...] = ()
    usergroup_ids: tuple[str, ...] = ()
    channel_ids: tuple[str, ...] = ()


class TeamProblem(Exception):
    """A team that cannot be saved; `field` says which input needs fixing."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TeamRepository(Protocol):
    async def all(self, team_id: str) -> list[Team]: ...

    async def get(self, team_id: str, team_pk: int) -> Team | None: ...

    async def managed_by(self, team_id: str, user_id: str) -> list[Team]: ...

    async def save(
        self,
        team_id: str,
        draft: TeamDraft,
        *,
        team_pk: int | None,
        created_by: str,
        manager_tz: dict[str, str | None],
        now: datetime,
    ) -> Team:
        """Insert (team_pk None) or replace a team. Raises TeamProblem("name", …) when the
        workspace has another team of that name."""
        ...

    async def delete(self, team_id: str, team_pk: int) -> None: ...


class DigestScheduleStore(Protocol):
    async def schedule(self, team_id: str) -> DigestSchedule: ...

    async def save_schedule(self, schedule: DigestSchedule) -> None: ...


class TeamService:
    """Admins define teams and when digests go out; the digest reads the teams."""

    def __init__(
        self,
        *,
        teams: TeamRepository,
        admins: AdminRights,
        directory: Directory,
        schedules: DigestScheduleStore,
        clock: Clock,
    ) -> None:
        self._teams = teams
        self._admins = admins
        self._directory = directory
        self._schedules = schedules
        self._clock = clock

    async def schedule(self, team_id: str, *, admin_id: str) -> DigestSchedule:
        await self._admins.require_admin(team_id, admin_id)
        return await self._schedules.schedule(team_id)

    async def save_schedule(self, schedule: DigestSchedule, *, admin_id: str) -> None:
        await self._admins.require_admin(schedule.team_id, admin_id)
        await self._schedules.save_schedule(schedule)

    async def all(self, team_id: str, *, admin_id: str) -> list[Team]:
        await self._admins.require_admin(team_id, admin_id)
        return await self._teams.all(team_id)

    async def get(self, team_id: str, team_pk: int, *, admin_id: str) -> Team | None:
        await self._admins.require_admin(team_id, admin_id)
        return await self._teams.get(team_id, team_pk)

    async def save(
        self, team_id: str, draft: TeamDraft, *, admin_id: str, team_pk: int | None = None
    ) -> Team:
        """Check and store a team. Raises NotAnAdmin, or TeamProblem naming the field."""
        await self._admins.require_admin(team_id, admin_id)
        draft = _tidy(draft)
        people = await self._directory.people(team_id, (*draft.manager_ids, *draft.member_ids))
        _check(draft, people)
        manager_tz = {uid: people[uid].tz for uid in draft.manager_ids}
        return await self._teams.save(
            team_id,
            draft,
            team_pk=team_pk,
            created_by=admin_id,
            manager_tz=manager_tz,
            now=self._clock.now(),
        )

    async def delete(self, team_id: str, team_pk: int, *, admin_id: str) -> None:
        await self._admins.require_admin(team_id, admin_id)
        await self._teams.delete(team_id, team_pk)


class MemberResolver:
    """Reads a team's members, asking the platform once per group or channel however many
    teams share it (one resolver per digest run)."""

    def __init__(self, sources: MemberSources) -> None:
        self._sources = sources
        self._groups: dict[tuple[str, str], asyncio.Task[list[str]]] = {}
        self._channels: dict[tuple[str, str], asyncio.Task[list[str]]] = {}

    async def members(self, team: Team, people: dict[str, Person] | None = None) -> list[str]:
        """Everyone in the team, in a stable order; without bots, deactivated accounts and
        the managers themselves. `people` is the workspace directory when known."""
        found = list(team.member_ids)
        fetches = [
            self._once(self._groups, team.team_id, g, self._sources.usergroup_members)
            for g in team.usergroup_ids
        ] + [
            self._once(self._channels, team.team_id, c, self._sources.channel_members)
            for c in team.channel_ids
        ]
        for listed in await asyncio.gather(*fetches):
            found.extend(listed)
        return active_members(found, managers=team.manager_ids, people=people)

    def _once(
        self,
        cache: dict[tuple[str, str], asyncio.Task[list[str]]],
        team_id: str,
        ref: str,
        fetch: _Fetch,
    ) -> asyncio.Task[list[str]]:
        key = (team_id, ref)
        if key not in cache:
            cache[key] = asyncio.ensure_future(fetch(team_id, ref))
        return cache[key]


class _Fetch(Protocol):
    async def __call__(self, team_id: str, ref: str, /) -> list[str]: ...


def active_members(
    user_ids: Iterable[str], *, managers: Sequence[str], people: dict[str, Person] | None
) -> list[str]:
    kept: list[str] = []
    for uid in dict.fromkeys(user_ids):
        if uid in managers:
            continue
        person = people.get(uid) if people is not None else None
        if person is not None and (person.is_bot or person.deleted):
            continue
        kept.append(uid)
    return kept


def _tidy(draft: TeamDraft) -> TeamDraft:
    return TeamDraft(
        name=" ".join(draft.name.split()),
        manager_ids=tuple(dict.fromkeys(draft.manager_ids)),
        member_ids=tuple(dict.fromkeys(draft.member_ids)),
        usergroup_ids=tuple(dict.fromkeys(draft.usergroup_ids)),
        channel_ids=tuple(dict.fromkeys(draft.channel_ids)),
    )


def _check(draft: TeamDraft, people: dict[str, Person]) -> None:
    if not draft.name:
        raise TeamProblem("name", N_("Give the team a name, like “Support EMEA”."))
    if len(draft.name) > NAME_LIMIT:
        raise TeamProblem(
            "name", Said(N_("Keep the name to {limit} characters."), limit=NAME_LIMIT)
        )
    if not draft.manager_ids:
        raise TeamProblem("managers", N_("Pick at least one manager: they get the weekly digest."))
    for uid in draft.manager_ids:
        person = people.get(uid)
        if person is None or person.is_bot or person.deleted:
            raise TeamProblem(
                "managers", N_("Managers must be active people in this workspace (not bots).")
            )
    if not (draft.member_ids or draft.usergroup_ids or draft.channel_ids):
        raise TeamProblem(
            "members",
            N_("Pick the team's people, or take them from a user group or a channel."),
        )
    for uid in draft.member_ids:
        person = people.get(uid)
        if person is not None and person.is_bot:
            raise TeamProblem(
                "members", Said(N_("{name} is a bot: pick people only."), name=person.name)
            )
