"""Who is who in a Teams tenant: the Directory port, over the remembered roster and, for
people not met yet, the Bot Connector's roster of the conversation at hand.

A person's id is their Entra object id; a mention's `29:` id is turned into it here
(`stable_ids`). `28:` ids are bots, and an id no roster knows is no person: both come back as
bots, so the core refuses them as it refuses a bot on Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from bot.core.model import Person
from bot.core.ports import Clock, SettingsRepository
from bot.core.workspaces import native_id
from handlers.msteams.book import ConversationBook, KnownMember
from handlers.msteams.connector import Connector, ConnectorError, Member
from handlers.msteams.installs import InstallBook

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Where:
    """The conversation a request came from: whose roster names and mentions are read in."""

    service_url: str
    conversation_id: str


# Set by the activity's handler for the rest of its request.
current_conversation: ContextVar[Where | None] = ContextVar("msteams_conversation", default=None)


def is_bot_id(user_id: str) -> bool:
    return user_id.startswith("28:")


class TeamsDirectory:
    def __init__(
        self,
        book: ConversationBook,
        connector: Connector,
        clock: Clock,
        *,
        installs: InstallBook,
        settings: SettingsRepository | None = None,
    ) -> None:
        self._book = book
        self._connector = connector
        self._clock = clock
        self._installs = installs
        self._settings = settings

    async def people(self, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        for user_id in dict.fromkeys(user_ids):
            if (person := await self.person(team_id, user_id)) is not None:
                found[user_id] = person
        return found

    async def person(self, team_id: str, user_id: str) -> Person | None:
        if is_bot_id(user_id) or user_id.startswith("29:"):  # a bot, or a member nobody knows
            return Person(id=user_id, name=user_id, is_bot=True)
        member = await self._book.member(team_id, user_id)
        if member is None:
            member = await self._look_up(team_id, user_id)
        if member is None:
            return None
        zone = member.timezone
        if zone is None and self._settings is not None:
            # Until their Teams client says where they are: the organisation's default.
            zone = (await self._settings.get(team_id)).default_timezone
        # Whoever installed Delight in a team that still has it is an admin (with the
        # settings' admins and the deployment's).
        admin = await self._installs.is_installer(team_id, user_id)
        return _person(member, admin=admin, tz=zone)

    async def ids_for_name(self, team_id: str, name: str) -> list[str]:
        """Everyone a typed name may mean, among the people Delight has met in the tenant and
        the members of the conversation at hand."""
        named = await self._book.members_named(team_id, name)
        if not named and await self._read_roster(team_id):
            named = await self._book.members_named(team_id, name)
        return [member.user_id for member in named]

    async def stable_ids(self, team_id: str, member_ids: Sequence[str]) -> tuple[str, ...]:
        """Mentions' `29:` ids as Entra ids; a bot's or an unknown member's id stays as given
        (the core refuses them)."""
        stable = []
        for member_id in member_ids:
            if not member_id.startswith("29:"):
                stable.append(member_id)
                continue
            member = await self._book.member_by_member_id(team_id, member_id)
            if member is None:
                member = await self._look_up(team_id, member_id)
            stable.append(member.user_id if member is not None else member_id)
        return tuple(stable)

    async def member_id(self, team_id: str, user_id: str) -> str | None:
        """Their `29:` id, for opening a 1:1 with them."""
        member = await self._book.member(team_id, user_id)
        if member is None:
            member = await self._look_up(team_id, user_id)
        return None if member is None else member.member_id

    async def _look_up(self, team_id: str, any_id: str) -> KnownMember | None:
        """Ask the conversation at hand's roster (by 29: or Entra id), and remember them."""
        where = current_conversation.get()
        if where is None:
            return None
        try:
            member = await self._connector.member(where.service_url, where.conversation_id, any_id)
        except ConnectorError as error:
            logger.info("member lookup failed: %s", error)
            return None
        if member is None or not member.aad_id:
            return None
        await self.remember(team_id, member)
        return await self._book.member(team_id, member.aad_id.lower())

    async def _read_roster(self, team_id: str) -> bool:
        """Remember every member of the conversation at hand; True if any was read."""
        where = current_conversation.get()
        if where is None:
            return False
        continuation: str | None = None
        read = 0
        try:
            while True:
                members, continuation = await self._connector.members_page(
                    where.service_url,
                    where.conversation_id,
                    continuation=continuation,
                    tenant_id=native_id(team_id),
                )
                await self.remember_roster(team_id, members)
                read += len(members)
                if not continuation:
                    break
        except ConnectorError as error:
            logger.info("roster not read: %s", error)
        return read > 0

    async def remember_roster(self, team_id: str, members: Sequence[Member]) -> None:
        """A roster's people at once (those without an Entra id left out)."""
        await self._book.remember_roster(team_id, members, at=self._clock.now())

    async def remember(self, team_id: str, member: Member) -> None:
        if not member.aad_id:
            return
        await self._book.remember_member(
            team_id,
            member.aad_id.lower(),
            member_id=member.member_id,
            name=member.name,
            given_name=member.given_name,
            email=member.email,
            at=self._clock.now(),
        )


def _person(member: KnownMember, *, admin: bool, tz: str | None) -> Person:
    return Person(
        id=member.user_id,
        is_admin=admin,
        name=member.name,
        is_bot=member.is_bot,
        tz=tz,
        locale=member.locale,
    )
