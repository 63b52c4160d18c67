"""An admin's removal of a recognition: the announcement's "Remove (admins)" opens a dialog
asking why; on submit the announcement and the 1:1 messages become a short note, and the
reason goes to the audit log. Whoever isn't an admin is told so and never sees the form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core import errors
from bot.core.moderation import REASON_MAX_CHARS
from bot.i18n import _
from handlers.msteams import adaptive, cards
from handlers.msteams.adaptive import CONTENT_TYPE, Card
from handlers.msteams.context import TeamsServices
from handlers.msteams.dialog import plain_error
from handlers.msteams.refusals import explain
from handlers.msteams.turn import Turn

InvokeAnswer = dict[str, Any]
REASON = "reason"


def removal_dialog(kudos_id: int, *, reason: str = "", error: str | None = None) -> Card:
    said = _(
        "The announcement and the messages will be replaced by a short note, and it will no "
        "longer count anywhere. The reason goes in the audit log."
    )
    field: dict[str, Any] = {
        "type": "Input.Text",
        "id": REASON,
        "label": _("Why is it being removed?"),
        "isMultiline": True,
        "isRequired": True,
        "maxLength": REASON_MAX_CHARS,
        "value": reason,
        "errorMessage": plain_error(error or _("Say why it's being removed.")),
    }
    body = [adaptive.text(said), field]
    if error:
        body.append(adaptive.text(error, color="Attention", size="Small"))
    submit = {
        "type": "Action.Submit",
        "title": _("Remove"),
        "data": {adaptive.DIALOG: adaptive.REMOVE, adaptive.KUDOS_ID: kudos_id},
    }
    return adaptive.card(body, [submit], summary=_("Remove recognition"))


def _dialog(card: Card) -> InvokeAnswer:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": _("Remove recognition"),
                "width": "medium",
                "height": "small",
                "card": {"contentType": CONTENT_TYPE, "content": card},
            },
        }
    }


def _told(text: str) -> InvokeAnswer:
    return {"task": {"type": "message", "value": text.replace("**", "")}}


async def open_removal(services: TeamsServices, turn: Turn, kudos_id: int) -> InvokeAnswer:
    assert turn.user_id is not None
    if not await services.core.administration.admins.is_admin(turn.workspace, turn.user_id):
        return _told(explain(errors.NotAnAdmin(), lambda i: i))
    return _dialog(removal_dialog(kudos_id))


async def submit_removal(
    services: TeamsServices, turn: Turn, kudos_id: int, data: Mapping[str, Any]
) -> InvokeAnswer:
    assert turn.user_id is not None
    reason = data.get(REASON)
    reason = reason.strip()[: REASON_MAX_CHARS * 2] if isinstance(reason, str) else ""
    moderation = services.core.recognition.moderation
    try:
        done = await moderation.remove(
            team_id=turn.workspace, admin_id=turn.user_id, kudos_id=kudos_id, reason=reason
        )
    except errors.ReasonRequired as refused:
        said = explain(refused, lambda i: i)
        return _dialog(removal_dialog(kudos_id, reason=reason, error=said))
    except errors.DelightError as refused:
        return _told(explain(refused, lambda i: i))
    names = await services.messenger.names(turn.workspace, done.kudos.recipient_ids)
    return _told(cards.retraction_notice(done, names=names).summary)


async def open_from_card(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    kudos_id = _kudos_id(data)
    return {} if kudos_id is None else await open_removal(services, turn, kudos_id)


async def submit_from_card(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    kudos_id = _kudos_id(data)
    return {} if kudos_id is None else await submit_removal(services, turn, kudos_id, data)


def _kudos_id(data: Mapping[str, Any]) -> int | None:
    value = data.get(adaptive.KUDOS_ID)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
