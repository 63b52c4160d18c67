"""What the domain needs from the outside world; storage and handlers implement these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.model import (
    DailyAllowance,
    DeliveryPlan,
    Given,
    Kudos,
    Nomination,
    Retraction,
    WorkspaceSettings,
)

if TYPE_CHECKING:
    from bot.core.outbox import Settlement

# Decides who is told about a kudos, given the recipients who prefer DMs (read by storage in
# the transaction that stores it).
Planner = Callable[[tuple[str, ...]], DeliveryPlan]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class KudosRepository(Protocol):
    async def add(
        self,
        nomination: Nomination,
        *,
        created_at: datetime,
        allowance: DailyAllowance,
        plan: Planner,
    ) -> Given:
        """Store a kudos if the giver's allowance covers it, with the outbox entries `plan`
        decides, atomically. Raises DuplicateNomination when its request key was seen
        before, DailyLimitReached when the allowance is used up."""
        ...

    async def settle(self, settlement: Settlement) -> Retraction | None:
        """Record where messages were posted and update the outbox, in one write. Returns
        how the kudos was taken back, if it was meanwhile (None while it stands)."""
        ...

    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None: ...

    async def used_since(self, *, team_id: str, giver_id: str, since: datetime) -> int:
        """How many people the giver recognised since then (withdrawn kudos not counted)."""
        ...


class SettingsRepository(Protocol):
    async def get(self, team_id: str) -> WorkspaceSettings: ...


class AuditLog(Protocol):
    async def record(
        self, *, team_id: str, actor_id: str, action: str, detail: dict[str, Any], at: datetime
    ) -> None:
        """Keep who did what, and when (settings changes, removals)."""
        ...


class EventLedger(Protocol):
    async def first_delivery(self, *, team_id: str, event_id: str, at: datetime) -> bool:
        """True the first time a platform delivers this event; False for its retries."""
        ...
