"""The nomination dialog: opened from a message's "…" menu or the compose box (the message
action), or from a card's button; submitted back with who, what, which elements, private.
A refusal shows in the dialog, on its field, with what was typed kept."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.core import errors
from bot.core.elements import Element, element_for_tag
from bot.core.model import Nomination, Person, Source
from bot.i18n import _
from bot.nomination import UserRef
from handlers.msteams.adaptive import CONTENT_TYPE, Card
from handlers.msteams.answers import Answer, send_answer
from handlers.msteams.connector import ConnectorError
from handlers.msteams.context import TeamsServices
from handlers.msteams.dialog import dialog_title, nomination_dialog
from handlers.msteams.picker import picked_ids
from handlers.msteams.refusals import FIELD_OF, explain
from handlers.msteams.turn import Turn

logger = logging.getLogger(__name__)

InvokeAnswer = dict[str, Any]
MAX_PEOPLE_FIELD = 2_000  # ten Entra ids and their commas, with room; longer is hostile
MAX_STORY_FIELD = 20_000  # the core refuses long stories in words; this only bounds the work


def dialog(card: Card) -> InvokeAnswer:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": dialog_title(),
                "width": "medium",
                "height": "large",
                "card": {"contentType": CONTENT_TYPE, "content": card},
            },
        }
    }


async def open_nomination(
    services: TeamsServices,
    turn: Turn,
    *,
    people: tuple[str, ...] = (),
    element: Element | None = None,
    private: bool = False,
    quoted_message: str | None = None,
) -> InvokeAnswer:
    prefilled = await _people(services, turn, people)
    return dialog(
        nomination_dialog(
            people=prefilled,
            elements=(element,) if element else (),
            private=private,
            quoted_message=quoted_message,
        )
    )


async def submit_nomination(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any], *, source_url: str | None
) -> InvokeAnswer:
    """Give the kudos and close the dialog, or show it again with what to fix."""
    assert turn.user_id is not None
    people = _ids(data.get("people"))
    story = _text(data.get("story"))[:MAX_STORY_FIELD]
    elements = _elements(data.get("elements"))
    private = str(data.get("private", "false")).lower() == "true"
    flow = services.flow
    try:
        if len(str(data.get("people") or "")) > MAX_PEOPLE_FIELD:
            raise errors.TooManyRecipients(count=len(people), limit=10)
        recipients = await flow.resolve(
            turn.workspace, [UserRef(user_id=p) for p in people], giver_id=turn.user_id
        )
        given = await flow.give(
            Nomination(
                team_id=turn.workspace,
                giver_id=turn.user_id,
                recipient_ids=recipients,
                story=story.strip(),
                elements=elements,
                source=Source.MODAL,
                request_key=f"msteams:{turn.activity_id}",
                origin_channel_id=None if turn.personal else turn.conversation_id,
                source_url=source_url,
                private=private,
            )
        )
    except errors.DuplicateNomination:
        return {}
    except (errors.DelightError, ConnectorError) as error:
        names = await services.messenger.names(turn.workspace, people)
        if isinstance(error, ConnectorError):
            said = _("Teams didn't answer in time, so nothing was sent. Please try again.")
            field = "general"
        else:
            said, field = explain(error, names.person), FIELD_OF.get(type(error), "general")
        return dialog(
            nomination_dialog(
                people=await _people(services, turn, people),
                story=story,
                elements=elements,
                private=private,
                errors={field: said},
            )
        )

    async def tell_giver(answer: Answer) -> None:
        await send_answer(services.messenger, turn.workspace, given.kudos.giver_id, answer)

    flow.deliver(given, tell_giver)
    return {}


async def open_from_card(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    """A card's Recognise button: a tip's element, or the people named in the 1:1 chat."""
    people = tuple(p for p in str(data.get("people") or "").split(",") if p)
    return await open_nomination(
        services,
        turn,
        people=people,
        element=element_for_tag(str(data.get("element") or "")),
        private=data.get("private") is True,
    )


async def submit_from_card(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    return await submit_nomination(services, turn, data, source_url=None)


async def _people(services: TeamsServices, turn: Turn, ids: tuple[str, ...]) -> list[Person]:
    found = await services.directory.people(turn.workspace, ids)
    return [found.get(i) or Person(id=i, name=_("a colleague")) for i in ids]


def _ids(value: object) -> tuple[str, ...]:
    """A people picker's value: Entra ids, comma-separated; anything else is no one."""
    return picked_ids(value, limit=MAX_PEOPLE_FIELD)


def _elements(value: object) -> tuple[Element, ...]:
    tags = _text(value)[:500].split(",")
    found = {e for tag in tags if (e := element_for_tag(tag.strip().lstrip("#"))) is not None}
    return tuple(e for e in Element if e in found)


def _text(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return value if isinstance(value, str) else ""
