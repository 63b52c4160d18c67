"""'I saw it too': colleagues adding their voice to a published recognition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.core.keyed_locks import KeyedLocks
from bot.core.model import Kudos, MessageRef, Retraction
from bot.core.platform import AnnouncementUpdater, Retractor
from bot.core.ports import Clock


class Via(StrEnum):
    BUTTON = "button"
    REACTION = "reaction"


class Outcome(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # one endorsement per person per kudos
    TAKEN_BACK = "taken_back"
    NOT_ENDORSED = "not_endorsed"  # nothing to take back
    OWN = "own"  # the giver and the recipients cannot endorse it
    NOT_PUBLISHED = "not_published"  # not a standing, announced kudos of this workspace


@dataclass(frozen=True, slots=True)
class Endorsement:
    outcome: Outcome
    count: int = 0


class EndorsementStore(Protocol):
    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None: ...

    async def by_announcement(self, *, team_id: str, message: MessageRef) -> Kudos | None: ...

    async def endorse(
        self, *, team_id: str, kudos_id: int, user_id: str, via: str, at: datetime
    ) -> tuple[bool, int]: ...

    async def unendorse(self, *, kudos_id: int, user_id: str) -> tuple[bool, int]: ...


class Endorsements:
    def __init__(
        self,
        *,
        kudos: EndorsementStore,
        announcements: AnnouncementUpdater,
        retractor: Retractor,
        clock: Clock,
    ) -> None:
        self._kudos = kudos
        self._announcements = announcements
        self._retractor = retractor
        self._clock = clock
        # Changes to one kudos are applied and shown in order, so the count on the
        # announcement is never overwritten by an older one (within this process).
        # Held only while in use, so they do not pile up.
        self._lock: KeyedLocks[int] = KeyedLocks()

    async def endorse_by_id(
        self, *, team_id: str, kudos_id: int, user_id: str, via: Via = Via.BUTTON
    ) -> Endorsement:
        kudos = await self._kudos.get(team_id=team_id, kudos_id=kudos_id)
        return await self._add(kudos, user_id, via)

    async def endorse_announcement(
        self, *, team_id: str, message: MessageRef, user_id: str, via: Via = Via.REACTION
    ) -> Endorsement:
        kudos = await self._kudos.by_announcement(team_id=team_id, message=message)
        return await self._add(kudos, user_id, via)

    async def take_back(self, *, team_id: str, message: MessageRef, user_id: str) -> Endorsement:
        """A removed reaction removes that person's endorsement."""
        kudos = await self._kudos.by_announcement(team_id=team_id, message=message)
        if not _published(kudos):
            return Endorsement(Outcome.NOT_PUBLISHED)
        assert kudos is not None
        async with self._lock(kudos.id):
            removed, count = await self._kudos.unendorse(kudos_id=kudos.id, user_id=user_id)
            if removed:
                await self._show(kudos, count)
        return Endorsement(Outcome.TAKEN_BACK if removed else Outcome.NOT_ENDORSED, count)

    async def _add(self, kudos: Kudos | None, user_id: str, via: Via) -> Endorsement:
        if not _published(kudos):
            return Endorsement(Outcome.NOT_PUBLISHED)
        assert kudos is not None
        if user_id in kudos.involves:
            return Endorsement(Outcome.OWN)
        async with self._lock(kudos.id):
            added, count = await self._kudos.endorse(
                team_id=kudos.team_id,
                kudos_id=kudos.id,
                user_id=user_id,
                via=via.value,
                at=self._clock.now(),
            )
            if added:
                await self._show(kudos, count)
        return Endorsement(Outcome.ADDED if added else Outcome.ALREADY, count)

    async def _show(self, kudos: Kudos, count: int) -> None:
        """The new count on the announcement, drawn from `kudos` as read before. If the kudos
        was withdrawn or removed since (in any process), its retraction may have landed first:
        retract again, so the full announcement is never shown over it."""
        await self._announcements.show_endorsements(kudos, count=count)
        now = await self._kudos.get(team_id=kudos.team_id, kudos_id=kudos.id)
        if now is not None and now.removed_at is not None:
            how = Retraction.WITHDRAWN if now.removed_by == now.giver_id else Retraction.REMOVED
            await self._retractor.retract(now, direct_messages={}, how=how)


def _published(kudos: Kudos | None) -> bool:
    return (
        kudos is not None
        and kudos.removed_at is None
        and not kudos.private
        and kudos.announcement is not None
    )
