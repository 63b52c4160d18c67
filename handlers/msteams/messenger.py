"""Sending cards where Teams wants them: into a conversation, under the service URL it is
served from, or into a person's 1:1 chat with Delight (opened through the connector the first
time). Every failure comes back as a NotPosted with a reason a person can act on."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.core.model import FailureReason, MessageRef, NotPosted, PostOutcome
from bot.core.ports import Clock
from bot.core.workspaces import native_id
from bot.i18n import ENGLISH, language_for
from handlers.msteams.adaptive import CardMessage
from handlers.msteams.book import ConversationBook, KnownConversation
from handlers.msteams.connector import (
    Connector,
    ConnectorError,
    ConnectorUnavailable,
    Forbidden,
    NotFound,
)
from handlers.msteams.directory import TeamsDirectory
from handlers.msteams.text import Names

logger = logging.getLogger(__name__)

NOT_INSTALLED = "not_installed"  # Teams refused a 1:1: the app isn't installed for them, or blocked
REMOVED_BY_THEM = "removed_by_them"  # they removed Delight themselves: their 1:1 isn't tried
CHANNEL_DELETED = "channel_deleted"  # Teams said the channel was deleted: nothing is tried
# Refusals whose fix is the person's (installing Delight again), as a 403 in a 1:1 is.
PERSON_REFUSED = frozenset({NOT_INSTALLED, REMOVED_BY_THEM})


def base_conversation(conversation_id: str) -> str:
    """A channel thread's conversation ("19:…;messageid=…") is served with its channel."""
    return conversation_id.split(";", 1)[0]


class Messenger:
    def __init__(
        self,
        connector: Connector,
        book: ConversationBook,
        directory: TeamsDirectory,
        *,
        bot_id: str,
        clock: Clock,
    ) -> None:
        self._connector = connector
        self._book = book
        self._directory = directory
        self._bot_id = bot_id
        self._clock = clock

    async def service_url(self, team_id: str, conversation_id: str) -> str | None:
        known = await self._book.conversation(team_id, base_conversation(conversation_id))
        if known is not None:
            return known.service_url
        return await self._book.service_url(team_id)

    async def post(
        self, team_id: str, conversation_id: str, message: CardMessage, *, personal: bool = False
    ) -> PostOutcome:
        known = await self._book.conversation(team_id, base_conversation(conversation_id))
        return await self._post(team_id, conversation_id, known, message, personal=personal)

    async def _post(
        self,
        team_id: str,
        conversation_id: str,
        known: KnownConversation | None,
        message: CardMessage,
        *,
        personal: bool,
    ) -> PostOutcome:
        if known is not None and known.removed_at is not None:  # not tried: it would fail
            if known.kind == "personal":
                reason, detail = FailureReason.RECIPIENT_UNAVAILABLE, REMOVED_BY_THEM
            else:
                reason, detail = FailureReason.ARCHIVED, CHANNEL_DELETED  # "archived or deleted"
            return NotPosted(conversation_id, reason, detail)
        service_url = known.service_url if known else await self._book.service_url(team_id)
        if service_url is None:
            return NotPosted(conversation_id, FailureReason.CHANNEL_NOT_FOUND, "unknown")
        try:
            message_id = await self._connector.send(
                service_url, conversation_id, message.activity(), tenant_id=native_id(team_id)
            )
        except ConnectorError as error:
            return _not_posted(conversation_id, error, personal=personal)
        return MessageRef(conversation_id, message_id)

    async def update(self, team_id: str, posted: MessageRef, message: CardMessage) -> bool:
        service_url = await self.service_url(team_id, posted.channel_id)
        if service_url is None:
            return False
        try:
            await self._connector.update(
                service_url,
                posted.channel_id,
                posted.message_id,
                message.activity(),
                tenant_id=native_id(team_id),
            )
        except ConnectorError as error:
            logger.warning("update of a Teams message failed: %s", error)
            return False
        return True

    async def to_person(self, team_id: str, user_id: str, message: CardMessage) -> PostOutcome:
        """Into their 1:1 chat with Delight, opening it if it's the first time."""
        conversation = await self._book.personal_conversation(team_id, user_id)
        if conversation is not None:
            return await self._post(
                team_id, conversation.conversation_id, conversation, message, personal=True
            )
        service_url = await self._book.service_url(team_id)
        member_id = await self._directory.member_id(team_id, user_id)
        if service_url is None or member_id is None:
            return NotPosted(user_id, FailureReason.RECIPIENT_UNAVAILABLE, NOT_INSTALLED)
        try:
            conversation_id = await self._connector.create_personal(
                service_url, tenant_id=native_id(team_id), member_id=member_id, bot_id=self._bot_id
            )
        except ConnectorError as error:
            return _not_posted(user_id, error, personal=True)
        await self._book.remember_conversation(
            team_id,
            conversation_id,
            service_url=service_url,
            kind="personal",
            user_id=user_id,
            at=self._clock.now(),
        )
        return await self.post(team_id, conversation_id, message, personal=True)

    async def names(
        self, team_id: str, user_ids: Iterable[str], conversation_ids: Iterable[str] = ()
    ) -> Names:
        people = {}
        for user_id in dict.fromkeys(user_ids):
            if (member := await self._book.member(team_id, user_id)) is not None:
                people[user_id] = member.name
        places = {}
        for conversation_id in conversation_ids:
            known = await self._book.conversation(team_id, base_conversation(conversation_id))
            if known is not None and known.name:
                places[conversation_id] = known.name
        return Names(people=people, conversations=places)

    async def language_of(self, team_id: str, user_id: str, *, workspace: str) -> str:
        """Their Teams client's language when Delight speaks it, else the workspace's."""
        member = await self._book.member(team_id, user_id)
        if member is None or not member.locale:
            return workspace
        own = language_for(member.locale)
        return own if own != ENGLISH or member.locale.lower().startswith("en") else workspace


def _not_posted(where: str, error: ConnectorError, *, personal: bool) -> NotPosted:
    logger.warning("Teams refused a message (%s): %s", error.status, error.code or "")
    match error:
        case ConnectorUnavailable():
            reason = FailureReason.SERVICE_UNAVAILABLE
        case Forbidden() if personal:
            return NotPosted(where, FailureReason.RECIPIENT_UNAVAILABLE, NOT_INSTALLED)
        case Forbidden():
            reason = FailureReason.NOT_IN_CHANNEL
        case NotFound() if personal:
            reason = FailureReason.RECIPIENT_UNAVAILABLE
        case NotFound():
            reason = FailureReason.CHANNEL_NOT_FOUND
        case _:
            reason = FailureReason.OTHER
    return NotPosted(where, reason, error.code or f"http_{error.status}")
