"""Teams listeners called directly, with fakes in place of the core: what each asks of it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from bot.core.elements import Element
from bot.core.endorsements import Endorsement, Outcome
from bot.core.model import MessageRef
from handlers.msteams.dialogs import _elements, _ids
from handlers.msteams.messages import as_typed
from handlers.msteams.reactions import on_reaction
from handlers.msteams.turn import Turn

THREAD = "19:kudos@thread.tacv2;messageid=111"
ALICE = "619b48b9-7842-5523-9653-01b62d817ddb"


def turn(**changes: Any) -> Turn:
    fields: dict[str, Any] = {
        "activity_id": "1",
        "workspace": "msteams:28efbb18-2065-5f35-a9f0-6521047a0497",
        "tenant_id": "28efbb18-2065-5f35-a9f0-6521047a0497",
        "service_url": "https://smba.trafficmanager.net/amer/",
        "conversation_id": THREAD,
        "kind": "channel",
        "team_id": "19:team@thread.tacv2",
        "channel_name": None,
        "team_name": None,
        "member_id": "29:alice",
        "user_id": ALICE,
        "name": "Alice Archer",
        "locale": "en-US",
        "timezone": None,
        "reply_to_id": "222",
        "bot_id": "28:bot",
    }
    return Turn(**{**fields, **changes})


class Endorsements:
    def __init__(self, published_at: MessageRef | None) -> None:
        self.published_at = published_at
        self.asked: list[tuple[str, MessageRef]] = []

    async def endorse_announcement(self, *, team_id: str, message: MessageRef, **_: Any) -> Any:
        self.asked.append(("endorse", message))
        return self._outcome(message, Outcome.ADDED)

    async def take_back(self, *, team_id: str, message: MessageRef, **_: Any) -> Any:
        self.asked.append(("take_back", message))
        return self._outcome(message, Outcome.TAKEN_BACK)

    def _outcome(self, message: MessageRef, done: Outcome) -> Endorsement:
        return Endorsement(done if message == self.published_at else Outcome.NOT_PUBLISHED)


def services(endorsements: Endorsements, reaction: str | None = None) -> Any:
    settings = SimpleNamespace(endorsement_reaction=reaction)

    async def get(_team: str) -> Any:
        return settings

    core = SimpleNamespace(
        administration=SimpleNamespace(settings=SimpleNamespace(get=get)),
        recognition=SimpleNamespace(endorsements=endorsements),
    )
    return SimpleNamespace(core=core)


def test_a_like_endorses_the_announcement_posted_to_the_channel_itself() -> None:
    # Posted as a new post in the channel: Teams names the reaction's conversation by its root.
    endorsements = Endorsements(MessageRef("19:kudos@thread.tacv2", "222"))
    asyncio.run(on_reaction(services(endorsements), turn(), ["like"], []))
    assert endorsements.asked == [
        ("endorse", MessageRef(THREAD, "222")),
        ("endorse", MessageRef("19:kudos@thread.tacv2", "222")),
    ]


def test_a_reaction_other_than_the_chosen_one_does_nothing() -> None:
    endorsements = Endorsements(MessageRef(THREAD, "222"))
    asyncio.run(on_reaction(services(endorsements, reaction="heart"), turn(), ["like"], []))
    assert endorsements.asked == []
    asyncio.run(on_reaction(services(endorsements), turn(), [], ["heart"]))
    assert endorsements.asked == [("take_back", MessageRef(THREAD, "222"))]


def test_the_dialog_takes_entra_ids_only_and_known_tags() -> None:
    hostile = f"{ALICE}, 29:bob, <script>, {ALICE.upper()};{'x' * 5000}"
    assert _ids(hostile) == (ALICE,)
    assert _ids(["a", ALICE]) == (ALICE,)
    assert _ids(None) == ()
    assert _elements("delight,#genuine,nonsense,voluntary") == (
        Element.VOLUNTARY,
        Element.GENUINE,
        Element.DELIGHT,
    )


def test_what_was_typed_reads_as_the_person_saw_it() -> None:
    assert as_typed("<at>Delight</at>  <at>Bob &amp; co</at> did it &lt;3") == (
        "@Delight @Bob & co did it <3"
    )


def test_a_timezone_is_found_by_its_city_with_or_without_accents() -> None:
    from handlers.msteams.settings_admin import zone_named
    from handlers.slack.zones import zone_choices

    assert zone_named("Montréal") == "America/Montreal"
    assert zone_named("new york") == "America/New_York"
    assert zone_named("Atlantis") is None
    assert "America/Montreal" in zone_choices("Montréal")
