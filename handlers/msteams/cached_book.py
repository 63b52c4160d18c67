"""The conversation book, read through a short-lived cache: one kudos reads the same people,
1:1 chats and service URL for its announcement, each recipient's card and the giver's
confirmation (bench/README.md: most of the Teams path's work was these one-row reads).

Writes go through to the database and drop what they change here; a read begun before a write
is not kept (it may have seen the row before the write). Another process's writes are seen
within READ_AGAIN_SECONDS (names, locales and chats change rarely, and a 1:1 chat's id
never does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from bot.expiring_cache import ExpiringCache
from handlers.msteams.book import (
    ConversationBook,
    ConversationKind,
    KnownConversation,
    KnownMember,
    KnownTenant,
)
from handlers.msteams.connector import Member

READ_AGAIN_SECONDS = 300.0
ENTRIES = 50_000


class CachedBook:
    def __init__(self, book: ConversationBook) -> None:
        self._book = book
        self._cache: ExpiringCache[tuple[str, ...], Any] = ExpiringCache(
            ENTRIES, READ_AGAIN_SECONDS
        )

    async def _read_through(
        self, key: tuple[str, ...], read: Callable[..., Awaitable[Any]], *args: str
    ) -> Any:
        """A miss: read from the book, and kept when found. (Hits are looked up by each
        reader itself: no coroutine or closure for what is nearly every read.)"""
        seen = self._cache.invalidations
        if (found := await read(*args)) is not None and seen == self._cache.invalidations:
            self._cache[key] = found
        return found

    # conversations
    async def remember_conversation(
        self,
        workspace_id: str,
        conversation_id: str,
        *,
        service_url: str,
        kind: ConversationKind,
        at: datetime,
        team_id: str | None = None,
        user_id: str | None = None,
        name: str | None = None,
    ) -> None:
        await self._book.remember_conversation(
            workspace_id,
            conversation_id,
            service_url=service_url,
            kind=kind,
            at=at,
            team_id=team_id,
            user_id=user_id,
            name=name,
        )
        self._cache.pop(("conversation", workspace_id, conversation_id))
        if user_id is not None:
            self._cache.pop(("personal", workspace_id, user_id))

    async def conversation(
        self, workspace_id: str, conversation_id: str
    ) -> KnownConversation | None:
        key = ("conversation", workspace_id, conversation_id)
        found: KnownConversation | None = self._cache.get(key)
        if found is None:
            found = await self._read_through(
                key, self._book.conversation, workspace_id, conversation_id
            )
        return found

    async def personal_conversation(
        self, workspace_id: str, user_id: str
    ) -> KnownConversation | None:
        key = ("personal", workspace_id, user_id)
        found: KnownConversation | None = self._cache.get(key)
        if found is None:
            found = await self._read_through(
                key, self._book.personal_conversation, workspace_id, user_id
            )
        return found

    async def channels(self, workspace_id: str) -> Sequence[KnownConversation]:
        return await self._book.channels(workspace_id)

    async def mark_removed(
        self,
        workspace_id: str,
        *,
        at: datetime,
        removed: bool,
        conversation_id: str | None = None,
        user_id: str | None = None,
    ) -> list[str]:
        changed = await self._book.mark_removed(
            workspace_id,
            at=at,
            removed=removed,
            conversation_id=conversation_id,
            user_id=user_id,
        )
        for changed_id in changed:
            self._cache.pop(("conversation", workspace_id, changed_id))
        if user_id is not None:
            self._cache.pop(("personal", workspace_id, user_id))
        return changed

    # members
    async def remember_member(
        self,
        workspace_id: str,
        user_id: str,
        *,
        member_id: str,
        name: str,
        at: datetime,
        given_name: str | None = None,
        email: str | None = None,
        locale: str | None = None,
        timezone: str | None = None,
        is_bot: bool = False,
    ) -> None:
        await self._book.remember_member(
            workspace_id,
            user_id,
            member_id=member_id,
            name=name,
            at=at,
            given_name=given_name,
            email=email,
            locale=locale,
            timezone=timezone,
            is_bot=is_bot,
        )
        self._forget_member(workspace_id, user_id, member_id)

    async def remember_roster(
        self, workspace_id: str, members: Sequence[Member], *, at: datetime
    ) -> None:
        await self._book.remember_roster(workspace_id, members, at=at)
        for member in members:
            if member.aad_id:
                self._forget_member(workspace_id, member.aad_id, member.member_id)

    def _forget_member(self, workspace_id: str, user_id: str, member_id: str) -> None:
        self._cache.pop(("member", workspace_id, user_id))
        self._cache.pop(("member_id", workspace_id, member_id))

    async def member(self, workspace_id: str, user_id: str) -> KnownMember | None:
        key = ("member", workspace_id, user_id)
        found: KnownMember | None = self._cache.get(key)
        if found is None:
            found = await self._read_through(key, self._book.member, workspace_id, user_id)
        return found

    async def member_by_member_id(self, workspace_id: str, member_id: str) -> KnownMember | None:
        key = ("member_id", workspace_id, member_id)
        found: KnownMember | None = self._cache.get(key)
        if found is None:
            found = await self._read_through(
                key, self._book.member_by_member_id, workspace_id, member_id
            )
        return found

    async def members_named(self, workspace_id: str, name: str) -> Sequence[KnownMember]:
        return await self._book.members_named(workspace_id, name)

    # tenants
    async def remember_tenant(
        self, workspace_id: str, *, service_url: str, at: datetime, installed_by: str | None = None
    ) -> None:
        await self._book.remember_tenant(
            workspace_id, service_url=service_url, at=at, installed_by=installed_by
        )
        self._cache.pop(("tenant", workspace_id))

    async def tenant(self, workspace_id: str) -> KnownTenant | None:
        key = ("tenant", workspace_id)
        found: KnownTenant | None = self._cache.get(key)
        if found is None:
            found = await self._read_through(key, self._book.tenant, workspace_id)
        return found

    async def service_url(self, workspace_id: str) -> str | None:
        tenant = await self.tenant(workspace_id)
        return None if tenant is None else tenant.service_url
