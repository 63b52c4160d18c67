"""Every port, for every configured platform at once: each call goes to the platform whose
workspace it is about (its id says: bot/core/workspaces.py), so the core's services serve
Slack workspaces and Teams tenants side by side without knowing which is which."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.core.model import (
    DeliveryReport,
    FailureReason,
    Kudos,
    MessageRef,
    NotPosted,
    Person,
    PostOutcome,
    Retraction,
)
from bot.core.platform import ChannelProblem, PlatformPorts
from bot.core.workspaces import Platform, platform_of

if TYPE_CHECKING:
    from bot.core.digest import Digest
    from bot.core.elements import Element
    from bot.core.schedule import DeliveryMode, TipSchedule
    from bot.core.tips import Tip


class PlatformNotConfigured(LookupError):
    """A workspace of a platform this deployment doesn't serve (its rows outlived its app)."""


class RoutedPorts:
    """One object that is every port, routing by workspace id."""

    def __init__(self, platforms: Mapping[Platform, PlatformPorts]) -> None:
        if not platforms:
            raise ValueError("no chat platform is configured")
        self._platforms = dict(platforms)

    def ports(self) -> PlatformPorts:
        """What the composition root hands the core: this router as every port (or the one
        platform's own ports, when there is only one: no routing to pay for)."""
        if len(self._platforms) == 1:
            return next(iter(self._platforms.values()))
        return PlatformPorts(
            directory=self,
            notifier=self,
            announcements=self,
            retractor=self,
            channels=self,
            tip_poster=self,
            people=self,
            member_sources=self,
            digest_poster=self,
        )

    def _for(self, team_id: str) -> PlatformPorts:
        platform = platform_of(team_id)
        try:
            return self._platforms[platform]
        except KeyError:
            raise PlatformNotConfigured(f"{platform} is not configured") from None

    # Directory, People, MemberSources
    async def people(self, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
        return await self._for(team_id).directory.people(team_id, user_ids)

    async def person(self, team_id: str, user_id: str) -> Person | None:
        return await self._for(team_id).directory.person(team_id, user_id)

    async def ids_for_name(self, team_id: str, name: str) -> list[str]:
        return await self._for(team_id).directory.ids_for_name(team_id, name)

    async def everyone(self, team_id: str) -> dict[str, Person]:
        return await self._for(team_id).people.everyone(team_id)

    async def usergroup_members(self, team_id: str, usergroup_id: str) -> list[str]:
        return await self._for(team_id).member_sources.usergroup_members(team_id, usergroup_id)

    async def channel_members(self, team_id: str, channel_id: str) -> list[str]:
        return await self._for(team_id).member_sources.channel_members(team_id, channel_id)

    # Notifier, AnnouncementUpdater, Retractor
    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
        return await self._for(kudos.team_id).notifier.announce(kudos, channel_id=channel_id)

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
        notifier = self._for(kudos.team_id).notifier
        return await notifier.notify_recipient(kudos, recipient_id=recipient_id)

    async def update_giver(self, report: DeliveryReport) -> PostOutcome:
        return await self._for(report.kudos.team_id).notifier.update_giver(report)

    async def show_endorsements(self, kudos: Kudos, *, count: int) -> None:
        await self._for(kudos.team_id).announcements.show_endorsements(kudos, count=count)

    async def retract(
        self, kudos: Kudos, *, direct_messages: dict[str, MessageRef], how: Retraction
    ) -> None:
        retractor = self._for(kudos.team_id).retractor
        await retractor.retract(kudos, direct_messages=direct_messages, how=how)

    # Channels, TipPoster
    async def problem(
        self, team_id: str, channel_id: str, *, mode: DeliveryMode
    ) -> ChannelProblem | None:
        return await self._for(team_id).channels.problem(team_id, channel_id, mode=mode)

    async def language(self, team_id: str, person_id: str | None) -> str:
        # TipPoster's and DigestPoster's alike: both read the platform's people the same way.
        return await self._for(team_id).tip_poster.language(team_id, person_id)

    async def post_tip(
        self, schedule: TipSchedule, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        poster = self._for(schedule.team_id).tip_poster
        return await poster.post_tip(schedule, tip, element, language=language)

    async def members(self, schedule: TipSchedule) -> list[str] | NotPosted:
        return await self._for(schedule.team_id).tip_poster.members(schedule)

    async def direct_message_tip(
        self, schedule: TipSchedule, recipient_id: str, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        poster = self._for(schedule.team_id).tip_poster
        return await poster.direct_message_tip(
            schedule, recipient_id, tip, element, language=language
        )

    async def tell_owner_paused(self, schedule: TipSchedule, reason: FailureReason) -> None:
        await self._for(schedule.team_id).tip_poster.tell_owner_paused(schedule, reason)

    async def tell_owner_place_paused(self, schedule: TipSchedule, reason: str) -> None:
        await self._for(schedule.team_id).tip_poster.tell_owner_place_paused(schedule, reason)

    # DigestPoster
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
        poster = self._for(team_id).digest_poster
        return await poster.send(
            team_id, manager_id, digest, chart, dm_channel=dm_channel, language=language
        )

    async def tell_creator(
        self,
        team_id: str,
        creator_id: str,
        manager_id: str,
        digest: Digest,
        reason: FailureReason,
    ) -> None:
        poster = self._for(team_id).digest_poster
        await poster.tell_creator(team_id, creator_id, manager_id, digest, reason)

    async def tell_creator_place_paused(
        self, team_id: str, creator_id: str, team_name: str, reason: str
    ) -> None:
        poster = self._for(team_id).digest_poster
        await poster.tell_creator_place_paused(team_id, creator_id, team_name, reason)
