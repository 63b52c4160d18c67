"""Every port a chat platform implements: what the core needs from Slack, Teams or the next one.

An adapter (handlers/slack/, later handlers/msteams/) provides each of these for its own
workspaces; bot/runtime.py wires them. Ids are the platform's own strings, already checked by
the adapter that received them; a posted message is a `MessageRef`, which only its adapter
reads. Storage ports (repositories, ledgers) live in bot/core/ports.py and beside the services
that use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

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

if TYPE_CHECKING:
    from bot.core.digest import Digest
    from bot.core.elements import Element
    from bot.core.schedule import DeliveryMode, TipSchedule
    from bot.core.tips import Tip


# People -------------------------------------------------------------------------------------


class Directory(Protocol):
    """Who is who in a workspace, as a person's request needs it (cached by the adapter)."""

    async def people(self, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
        """The people with these ids; ids that match nobody are left out."""
        ...

    async def person(self, team_id: str, user_id: str) -> Person | None: ...

    async def ids_for_name(self, team_id: str, name: str) -> list[str]:
        """Everyone a typed @name may mean (display or real name), for recipients typed
        without the platform's own mention. Raises NameLookupUnavailable when the directory
        can't be searched in time (too large, or the platform slow)."""
        ...


class People(Protocol):
    """The whole directory, for scheduled work (digests: timezones, who nobody noticed)."""

    async def everyone(self, team_id: str) -> dict[str, Person]: ...


class MemberSources(Protocol):
    """The platform's groups of people, read again before each digest."""

    async def usergroup_members(self, team_id: str, usergroup_id: str) -> list[str]: ...

    async def channel_members(self, team_id: str, channel_id: str) -> list[str]: ...


# Kudos messages -----------------------------------------------------------------------------


class Notifier(Protocol):
    """Tells people about a kudos."""

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome: ...

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome: ...

    async def update_giver(self, report: DeliveryReport) -> PostOutcome:
        """Tell the giver, privately, how a kudos delivered later than its confirmation went."""
        ...


class AnnouncementUpdater(Protocol):
    async def show_endorsements(self, kudos: Kudos, *, count: int) -> None:
        """Show the new count on the kudos' announcement (`kudos.announcement`)."""
        ...


class Retractor(Protocol):
    """Replaces a kudos' messages with a short note."""

    async def retract(
        self, kudos: Kudos, *, direct_messages: dict[str, MessageRef], how: Retraction
    ) -> None: ...


# Tips -----------------------------------------------------------------------------------------


class ChannelProblem(StrEnum):
    """Why a schedule cannot deliver to a channel; the adapter words each for its platform."""

    NOT_FOUND = "not_found"  # deleted, or private without Delight in it
    NOT_A_CHANNEL = "not_a_channel"  # a private conversation, not a channel
    ARCHIVED = "archived"
    NOT_A_MEMBER = "not_a_member"  # private, and Delight isn't in it
    TOO_MANY_MEMBERS = "too_many_members"
    UNREACHABLE = "unreachable"  # the platform didn't answer


class Channels(Protocol):
    async def problem(
        self, team_id: str, channel_id: str, *, mode: DeliveryMode
    ) -> ChannelProblem | None:
        """Why Delight couldn't deliver there in this mode; None when it can."""
        ...


class TipPoster(Protocol):
    async def language(self, team_id: str, person_id: str | None) -> str:
        """The language ("en", "nl", "fr") a person reads Delight in (theirs on the platform
        when Delight speaks it, else the workspace's); person None: the workspace's channels'."""
        ...

    async def post_tip(
        self, schedule: TipSchedule, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        """Post the tip (already in `language`) in the schedule's channel, worded in it."""
        ...

    async def members(self, schedule: TipSchedule) -> list[str] | NotPosted:
        """The people to message one by one: the channel's members who are people (no bots,
        no deactivated accounts), or why the channel can't be read."""
        ...

    async def direct_message_tip(
        self, schedule: TipSchedule, recipient_id: str, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        """Send the tip (already in `language`) to one person privately, worded in their
        language, paced to the platform's limits."""
        ...

    async def tell_owner_paused(self, schedule: TipSchedule, reason: FailureReason) -> None: ...

    async def tell_owner_place_paused(self, schedule: TipSchedule, reason: str) -> None:
        """Tell the schedule's owner it paused because Delight left its place: `reason` is
        installations' REMOVED_FROM_PLACE or one of its PLACE_GONE; it resumes by itself when
        Delight is back there."""
        ...


# Digests ------------------------------------------------------------------------------------


class DigestPoster(Protocol):
    async def language(self, team_id: str, person_id: str) -> str:
        """The language ("en", "nl", "fr") the person reads Delight in: their digest's and its
        chart's."""
        ...

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
        """Send the digest (and the chart when there is one) to the manager privately, in
        `language`. `dm_channel`: their private conversation's id when known, which saves
        opening it."""
        ...

    async def tell_creator(
        self,
        team_id: str,
        creator_id: str,
        manager_id: str,
        digest: Digest,
        reason: FailureReason,
    ) -> None: ...

    async def tell_creator_place_paused(
        self, team_id: str, creator_id: str, team_name: str, reason: str
    ) -> None:
        """Tell the admin who made the team of people `team_name` that its digests paused
        because Delight left a place its members are read from: `reason` is installations'
        REMOVED_FROM_PLACE or one of its PLACE_GONE; they resume by themselves when Delight is
        back there."""
        ...


# All of them --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlatformPorts:
    """One platform's implementation of every port above."""

    directory: Directory
    notifier: Notifier
    announcements: AnnouncementUpdater
    retractor: Retractor
    channels: Channels
    tip_poster: TipPoster
    people: People  # paced: scheduled work
    member_sources: MemberSources  # paced
    digest_poster: DigestPoster  # paced
