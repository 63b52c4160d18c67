"""What the domain needs from the outside world; storage and handlers implement these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.core.model import (
    DailyAllowance,
    Given,
    Kudos,
    Nomination,
    Person,
    Posted,
    PostOutcome,
    WorkspaceSettings,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class KudosRepository(Protocol):
    async def add(
        self, nomination: Nomination, *, created_at: datetime, allowance: DailyAllowance
    ) -> Given:
        """Store a kudos if the giver's allowance covers it, atomically. Raises
        DuplicateNomination when its request key was seen before, DailyLimitReached when the
        allowance is used up."""
        ...

    async def record_delivery(
        self, *, kudos_id: int, announcement: Posted | None, direct_messages: Mapping[str, Posted]
    ) -> None: ...

    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None: ...


class SettingsRepository(Protocol):
    async def get(self, team_id: str) -> WorkspaceSettings: ...


class Directory(Protocol):
    """Who is who in a workspace."""

    async def people(self, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
        """The people with these ids; ids that match nobody are left out."""
        ...


class Notifier(Protocol):
    """Tells people about a kudos on the chat platform."""

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome: ...

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome: ...


class AuditLog(Protocol):
    async def record(
        self, *, team_id: str, actor_id: str, action: str, detail: dict[str, Any], at: datetime
    ) -> None:
        """Keep who did what, and when (settings changes, removals)."""
        ...
