"""The nomination modal's submission."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import errors
from bot.core.elements import Element
from bot.core.model import Nomination, Source
from bot.i18n import _
from handlers.slack import blocks, ids
from handlers.slack.context import services_of
from handlers.slack.ids_parsing import team_of
from handlers.slack.nominate import SLACK_TROUBLE, plain_names
from handlers.slack.refusals import explain
from handlers.slack.replies import tell_privately

logger = logging.getLogger(__name__)

# Where each refusal shows; anything else is about the recipients.
_ERROR_BLOCKS: dict[type[errors.DelightError], str] = {
    errors.StoryMissing: ids.STORY_BLOCK,
    errors.StoryTooShort: ids.STORY_BLOCK,
    errors.StoryTooLong: ids.STORY_BLOCK,
    errors.ElementRequired: ids.ELEMENTS_BLOCK,
}


def read_submission(
    view: dict[str, Any],
) -> tuple[tuple[str, ...], str, tuple[Element, ...], bool]:
    """Recipients, story, elements and privacy from the modal's state, tolerating missing
    fields."""
    values = view.get("state", {}).get("values", {})

    def field(block: str, action: str) -> dict[str, Any]:
        found = values.get(block, {}).get(action)
        return found if isinstance(found, dict) else {}

    users = field(ids.RECIPIENTS_BLOCK, ids.RECIPIENTS_ACTION).get("selected_users") or []
    story = field(ids.STORY_BLOCK, ids.STORY_ACTION).get("value") or ""
    options = field(ids.ELEMENTS_BLOCK, ids.ELEMENTS_ACTION).get("selected_options") or []
    known = {e.value: e for e in Element}
    chosen = {known[o.get("value")] for o in options if o.get("value") in known}
    privacy = field(ids.PRIVATE_BLOCK, ids.PRIVATE_ACTION).get("selected_options") or []
    return (
        tuple(str(u) for u in users if isinstance(u, str)),
        str(story),
        tuple(e for e in Element if e in chosen),
        any(o.get("value") == "private" for o in privacy if isinstance(o, dict)),
    )


async def handle_nomination_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    services = services_of(context)
    flow = services.flow
    team_id = team_of(body)
    giver_id = body["user"]["id"]
    recipients, story, elements, private = read_submission(view)
    modal = blocks.ModalContext.load(view.get("private_metadata"))
    source_url = None
    if modal.message_channel_id and modal.message_ts:
        source_url = await _permalink(client, modal.message_channel_id, modal.message_ts)
    nomination = Nomination(
        team_id=team_id,
        giver_id=giver_id,
        recipient_ids=recipients,
        story=story,
        elements=elements,
        source=Source.SHORTCUT if modal.message_ts else Source.MODAL,
        # One modal makes at most one kudos, however often its submission arrives.
        request_key=f"view:{view['id']}",
        origin_channel_id=modal.channel_id,
        source_url=source_url,
        private=private,
    )
    try:
        given = await flow.give(nomination)
    except errors.DuplicateNomination:
        await ack()
        return
    except errors.DelightError as refused:
        block = _ERROR_BLOCKS.get(type(refused), ids.RECIPIENTS_BLOCK)
        message = await plain_names(flow.directory, team_id, explain(refused))
        await ack(response_action="errors", errors={block: message})
        return
    except SlackApiError:
        await ack(response_action="errors", errors={ids.RECIPIENTS_BLOCK: _(SLACK_TROUBLE)})
        return
    await ack()

    async def reply(message: blocks.Message) -> None:
        await tell_privately(client, user_id=giver_id, channel_id=modal.channel_id, message=message)

    # Stored: the rest (posts, then the giver's reply) happens in a delivery turn.
    flow.deliver(given, reply)


def register(app: AsyncApp) -> None:
    app.view(ids.NOMINATION_MODAL)(handle_nomination_submission)


async def _permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as exc:
        logger.info("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        return None
    link = response.get("permalink")
    return link if isinstance(link, str) else None
