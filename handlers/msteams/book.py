"""What the Teams adapter remembers, as it needs it: where each conversation is served from,
who each member is (their Entra id and their `29:` id), and each tenant's service URL.

storage/msteams.py keeps it; these Protocols are what the adapter reads of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

from handlers.msteams.connector import Member

ConversationKind = Literal["personal", "channel", "groupChat"]


class KnownConversation(Protocol):
    @property
    def conversation_id(self) -> str: ...
    @property
    def service_url(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def team_id(self) -> str | None: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def removed_at(self) -> datetime | None: ...  # a deleted channel; a 1:1 Delight left


class KnownMember(Protocol):
    @property
    def user_id(self) -> str: ...  # Entra object id
    @property
    def member_id(self) -> str: ...  # 29:…
    @property
    def name(self) -> str: ...
    @property
    def locale(self) -> str | None: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def is_bot(self) -> bool: ...


class KnownTenant(Protocol):
    @property
    def service_url(self) -> str: ...
    @property
    def installed_by(self) -> str | None: ...


class ConversationBook(Protocol):
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
    ) -> None: ...

    async def conversation(
        self, workspace_id: str, conversation_id: str
    ) -> KnownConversation | None: ...

    async def personal_conversation(
        self, workspace_id: str, user_id: str
    ) -> KnownConversation | None: ...

    async def channels(self, workspace_id: str) -> Sequence[KnownConversation]:
        """The team channels Delight knows in the tenant, deleted ones too (by `removed_at`)."""
        ...

    async def mark_removed(
        self,
        workspace_id: str,
        *,
        at: datetime,
        removed: bool,
        conversation_id: str | None = None,
        user_id: str | None = None,
    ) -> list[str]:
        """A channel deleted or restored, or every 1:1 of a person who removed Delight or
        installed it again; the conversations it changed."""
        ...

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
    ) -> None: ...

    async def remember_roster(
        self, workspace_id: str, members: Sequence[Member], *, at: datetime
    ) -> None:
        """Every person on a roster (those without an Entra id left out) at once."""
        ...

    async def member(self, workspace_id: str, user_id: str) -> KnownMember | None: ...

    async def member_by_member_id(
        self, workspace_id: str, member_id: str
    ) -> KnownMember | None: ...

    async def members_named(self, workspace_id: str, name: str) -> Sequence[KnownMember]: ...

    async def remember_tenant(
        self, workspace_id: str, *, service_url: str, at: datetime, installed_by: str | None = None
    ) -> None: ...

    async def tenant(self, workspace_id: str) -> KnownTenant | None: ...

    async def service_url(self, workspace_id: str) -> str | None: ...
