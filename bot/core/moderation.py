"""Taking a recognition back: the giver's undo, and an admin's removal with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core import errors
from bot.core.admins import AdminRights
from bot.core.model import Kudos, MessageRef, Retraction
from bot.core.platform import Retractor
from bot.core.ports import AuditLog, Clock

UNDO_WINDOW = timedelta(minutes=15)
REASON_MAX_CHARS = 500


class RemovalStore(Protocol):
    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None: ...

    async def latest_given(
        self, *, team_id: str, giver_id: str, since: datetime
    ) -> Kudos | None: ...

    async def remove(
        self, *, team_id: str, kudos_id: int, removed_by: str, at: datetime
    ) -> tuple[Kudos, dict[str, MessageRef]] | None: ...


@dataclass(frozen=True, slots=True)
class Retracted:
    kudos: Kudos
    how: Retraction


class Moderation:
    def __init__(
        self,
        *,
        kudos: RemovalStore,
        retractor: Retractor,
        admins: AdminRights,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._kudos = kudos
        self._retractor = retractor
        self._admins = admins
        self._audit = audit
        self._clock = clock

    @property
    def window_minutes(self) -> int:
        return int(UNDO_WINDOW.total_seconds() // 60)

    async def undo_latest(self, *, team_id: str, giver_id: str) -> Retracted:
        """Withdraw the giver's newest recognition, if it is recent enough."""
        latest = await self._kudos.latest_given(
            team_id=team_id, giver_id=giver_id, since=self._clock.now() - UNDO_WINDOW
        )
        if latest is None:
            raise errors.NothingToUndo(window_minutes=self.window_minutes)
        return await self._take_back(latest, by=giver_id, how=Retraction.WITHDRAWN)

    async def undo(self, *, team_id: str, giver_id: str, kudos_id: int) -> Retracted:
        """Withdraw one recognition (the confirmation's button): the giver's own, in time."""
        kudos = await self._standing(team_id, kudos_id)
        if kudos.giver_id != giver_id:
            raise errors.NotYourKudos()
        if self._clock.now() - kudos.created_at > UNDO_WINDOW:
            raise errors.UndoWindowPassed(window_minutes=self.window_minutes)
        return await self._take_back(kudos, by=giver_id, how=Retraction.WITHDRAWN)

    async def remove(self, *, team_id: str, admin_id: str, kudos_id: int, reason: str) -> Retracted:
        """An admin's removal, at any time, with a reason for the audit log."""
        await self._admins.require_admin(team_id, admin_id)
        reason = " ".join(reason.split())
        if not reason or len(reason) > REASON_MAX_CHARS:
            raise errors.ReasonRequired(max_chars=REASON_MAX_CHARS)
        kudos = await self._standing(team_id, kudos_id)
        retracted = await self._take_back(kudos, by=admin_id, how=Retraction.REMOVED)
        await self._audit.record(
            team_id=team_id,
            actor_id=admin_id,
            action="kudos.removed",
            detail={
                "kudos_id": kudos.id,
                "giver_id": kudos.giver_id,
                "recipient_ids": list(kudos.recipient_ids),
                "reason": reason,
            },
            at=self._clock.now(),
        )
        return retracted

    async def _standing(self, team_id: str, kudos_id: int) -> Kudos:
        kudos = await self._kudos.get(team_id=team_id, kudos_id=kudos_id)
        if kudos is None or kudos.removed_at is not None:
            raise errors.KudosNotFound()
        return kudos

    async def _take_back(self, kudos: Kudos, *, by: str, how: Retraction) -> Retracted:
        removed = await self._kudos.remove(
            team_id=kudos.team_id, kudos_id=kudos.id, removed_by=by, at=self._clock.now()
        )
        if removed is None:  # a double click, or a retry: it is gone already
            raise errors.KudosNotFound()
        stored, direct_messages = removed
        await self._retractor.retract(stored, direct_messages=direct_messages, how=how)
        return Retracted(kudos=stored, how=how)
