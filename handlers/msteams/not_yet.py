"""Manager digests are not delivered in Teams yet: no Teams admin can set
one up (their cards come with Teams' admin), so these ports are never reached in use. Should a
row reach them anyway (made by hand, say), they answer as a platform that can't deliver, so
the schedule pauses with a reason instead of failing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.model import FailureReason, MessageRef, NotPosted, Person

if TYPE_CHECKING:
    from bot.core.digest import Digest

NOT_ON_TEAMS = "not_on_teams_yet"


class NotOnTeamsYet:
    async def language(self, team_id: str, person_id: str | None) -> str:
        return "en"

    async def everyone(self, team_id: str) -> dict[str, Person]:
        return {}

    async def usergroup_members(self, team_id: str, usergroup_id: str) -> list[str]:
        return []

    async def channel_members(self, team_id: str, channel_id: str) -> list[str]:
        return []

    async def send(
        self,
        team_id: str,
        manager_id: str,
        digest: Digest,
        chart: bytes | None,
        *,
        dm_channel: str | None,
        language: str,
    ) -> MessageRef | NotPosted:
        return NotPosted(manager_id, FailureReason.OTHER, NOT_ON_TEAMS)

    async def tell_creator(
        self,
        team_id: str,
        creator_id: str,
        manager_id: str,
        digest: Digest,
        reason: FailureReason,
    ) -> None:
        return None
