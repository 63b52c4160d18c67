"""Scheduled tips and manager digests are not delivered in Teams yet: no Teams admin can set
one up (their cards come with Teams' admin), so these ports are never reached in use. Should a
row reach them anyway (made by hand, say), they answer as a platform that can't deliver, so
the schedule pauses with a reason instead of failing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.model import FailureReason, MessageRef, NotPosted, Person, PostOutcome
from bot.core.platform import ChannelProblem

if TYPE_CHECKING:
    from bot.core.digest import Digest
    from bot.core.elements import Element
    from bot.core.schedule import DeliveryMode, TipSchedule
    from bot.core.tips import Tip

NOT_ON_TEAMS = "not_on_teams_yet"


class NotOnTeamsYet:
    async def problem(
        self, team_id: str, channel_id: str, *, mode: DeliveryMode
    ) -> ChannelProblem | None:
        return ChannelProblem.UNREACHABLE

    async def language(self, team_id: str, person_id: str | None) -> str:
        return "en"

    async def post_tip(
        self, schedule: TipSchedule, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        return NotPosted(schedule.channel_id, FailureReason.OTHER, NOT_ON_TEAMS)

    async def members(self, schedule: TipSchedule) -> list[str] | NotPosted:
        return NotPosted(schedule.channel_id, FailureReason.OTHER, NOT_ON_TEAMS)

    async def direct_message_tip(
        self, schedule: TipSchedule, recipient_id: str, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        return NotPosted(recipient_id, FailureReason.OTHER, NOT_ON_TEAMS)

    async def tell_owner_paused(self, schedule: TipSchedule, reason: FailureReason) -> None:
        return None

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
