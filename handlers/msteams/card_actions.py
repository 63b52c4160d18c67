"""The buttons on Delight's cards (`Action.Execute`): I saw it too, Undo, and home's pages.
Each answers with the card to show in place of the one clicked, or a short message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core import errors
from bot.core.endorsements import Outcome, Via
from bot.core.home import HomeCursor
from bot.i18n import _
from handlers.msteams import (
    adaptive,
    cards,
    digest_card,
    digest_chat,
    teams_admin,
    teams_card,
    tip_cards,
    tips_admin,
)
from handlers.msteams.adaptive import CONTENT_TYPE, CardMessage, data_id
from handlers.msteams.context import TeamsServices
from handlers.msteams.home import home_message
from handlers.msteams.refusals import explain
from handlers.msteams.turn import Turn

InvokeAnswer = dict[str, Any]
MESSAGE = "application/vnd.microsoft.activity.message"

_ENDORSED = {
    Outcome.ALREADY: "You've already said you saw it too — thank you!",
    Outcome.OWN: "You can't endorse a recognition you gave or received — but others can!",
    Outcome.NOT_PUBLISHED: "That recognition isn't published any more.",
}


def card_answer(message: CardMessage) -> InvokeAnswer:
    return {"statusCode": 200, "type": CONTENT_TYPE, "value": message.card}


def message_answer(text: str) -> InvokeAnswer:
    return {"statusCode": 200, "type": MESSAGE, "value": text}


async def execute(
    services: TeamsServices, turn: Turn, verb: str, data: Mapping[str, Any]
) -> InvokeAnswer:
    if turn.user_id is None:
        return message_answer("")
    try:
        return await _execute(services, turn, turn.user_id, verb, data)
    except errors.DelightError as refused:
        names = await services.messenger.names(turn.workspace, ())
        return message_answer(_plain(explain(refused, names.person)))


async def _execute(
    services: TeamsServices, turn: Turn, user_id: str, verb: str, data: Mapping[str, Any]
) -> InvokeAnswer:
    recognition = services.core.recognition
    match verb:
        case adaptive.ENDORSE if (kudos_id := data_id(data.get(adaptive.KUDOS_ID))) is not None:
            done = await recognition.endorsements.endorse_by_id(
                team_id=turn.workspace, kudos_id=kudos_id, user_id=user_id, via=Via.BUTTON
            )
            if (said := _ENDORSED.get(done.outcome)) is not None:
                return message_answer(_(said))
            return message_answer(_("Thank you for saying you saw it too!"))
        case adaptive.UNDO if (kudos_id := data_id(data.get(adaptive.KUDOS_ID))) is not None:
            undone = await recognition.moderation.undo(
                team_id=turn.workspace, giver_id=user_id, kudos_id=kudos_id
            )
            names = await services.messenger.names(turn.workspace, undone.kudos.involves)
            return card_answer(cards.retraction_notice(undone, names=names))
        case adaptive.HOME:
            cursor = HomeCursor(
                received_before=data_id(data.get(adaptive.RECEIVED)),
                given_before=data_id(data.get(adaptive.GIVEN)),
            )
            return card_answer(await home_message(services, turn.workspace, user_id, cursor))
        case adaptive.ANNOUNCEMENTS:
            public = data.get(adaptive.PUBLIC) is True
            await recognition.home.set_public_announcements(turn.workspace, user_id, public=public)
            return card_answer(await home_message(services, turn.workspace, user_id))
        case _ if verb in tip_cards.VERBS:
            return await tips_admin.execute(services, turn, verb, data)
        case digest_card.EVERYONE:
            everyone = await digest_chat.see_everyone(services, turn, user_id, data)
            return message_answer("") if everyone is None else card_answer(everyone)
        case teams_card.TEAMS_PAGE:
            return card_answer(await teams_admin.page(services, turn, user_id, data))
    return message_answer("")


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")
