"""A withdrawn or removed kudos ends retracted everywhere, whatever the order of events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.core.elements import Element
from bot.core.endorsements import Endorsements, Outcome
from bot.core.model import Kudos, MessageRef, Retraction, Source
from tests.test_kudos_rules import FixedClock, RecordingNotifier, World

ANNOUNCED = MessageRef("C1", "111.222")


def test_a_kudos_withdrawn_while_it_was_delivered_is_retracted_once_posted() -> None:
    world = World()
    world.settings.recognition_channel_id = "CKUDOS"
    given = world.give("U1")
    world.kudos.taken_back[given.kudos.id] = Retraction.WITHDRAWN  # undo won the race

    world.deliver(given)

    [(kudos, direct_messages, how)] = world.notifier.retracted
    assert kudos.announcement == MessageRef("CKUDOS", "111.222")
    assert direct_messages == {"U1": MessageRef("DU1", "333.444")}
    assert how is Retraction.WITHDRAWN


def test_a_kudos_that_stands_is_not_retracted() -> None:
    world = World()
    world.deliver(world.give("U1"))

    assert world.notifier.retracted == []


@dataclass
class RemovedMidway:
    """The endorsement store of a kudos an admin removes while someone endorses it."""

    kudos: Kudos
    reads: int = 0
    endorsed: list[str] = field(default_factory=list)

    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None:
        self.reads += 1
        if self.reads == 1:
            return self.kudos  # read before the removal
        return replace(self.kudos, removed_at=self.kudos.created_at, removed_by="UADMIN")

    async def by_announcement(self, *, team_id: str, message: MessageRef) -> Kudos | None:
        return await self.get(team_id=team_id, kudos_id=self.kudos.id)

    async def endorse(self, **kwargs: Any) -> tuple[bool, int]:
        self.endorsed.append(kwargs["user_id"])
        return True, len(self.endorsed)

    async def unendorse(self, *, kudos_id: int, user_id: str) -> tuple[bool, int]:
        return False, len(self.endorsed)


class Announcements(RecordingNotifier):
    def __init__(self) -> None:
        super().__init__()
        self.shown: list[int] = []
        self.order: list[str] = []

    async def show_endorsements(self, kudos: Kudos, *, count: int) -> None:
        self.shown.append(count)
        self.order.append("shown")

    async def retract(self, kudos: Kudos, **kwargs: Any) -> None:
        self.order.append("retracted")
        await super().retract(kudos, **kwargs)


def test_an_endorsement_racing_an_admin_removal_never_leaves_the_full_announcement_up() -> None:
    kudos = Kudos(
        id=1,
        team_id="T1",
        giver_id="UGIVER",
        recipient_ids=("U1",),
        story="stayed late to help a customer",
        elements=(Element.VOLUNTARY,),
        source=Source.COMMAND,
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        announcement=ANNOUNCED,
    )
    store = RemovedMidway(kudos)
    announcements = Announcements()
    endorsements = Endorsements(
        kudos=store,
        announcements=announcements,
        retractor=announcements,
        clock=FixedClock(kudos.created_at),
    )

    done = asyncio.run(endorsements.endorse_by_id(team_id="T1", kudos_id=1, user_id="U9"))

    assert done.outcome is Outcome.ADDED
    assert announcements.order == ["shown", "retracted"]  # the retraction has the last word
    [(retracted, _, how)] = announcements.retracted
    assert retracted.announcement == ANNOUNCED
    assert how is Retraction.REMOVED
