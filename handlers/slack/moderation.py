"""Taking recognition back: the giver's Undo button, and an admin's removal (overflow menu →
reason modal). The `/delight undo` command lives with the command."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import errors
from bot.core.model import Retraction
from bot.core.moderation import Retracted
from bot.i18n import _
from handlers.slack import admin_views, ids
from handlers.slack.context import services_of
from handlers.slack.ids_parsing import kudos_id_from, team_of
from handlers.slack.mrkdwn import people_list
from handlers.slack.refusals import explain
from handlers.slack.replies import ephemeral_text

logger = logging.getLogger(__name__)


def retracted_text(done: Retracted) -> str:
    if done.how is Retraction.WITHDRAWN:
        said = _(
            "Withdrawn: the recognition of {people}. Its announcement and DMs now say it's no "
            "longer here, and it counts nowhere (it still takes its place in today's limit)."
        )
    else:
        said = _(
            "Removed: the recognition of {people}. Its announcement and DMs now say it's no "
            "longer here, and it counts nowhere (it still takes its place in today's limit)."
        )
    return said.format(people=people_list(done.kudos.recipient_ids))


async def handle_undo_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    moderation = services_of(context).core.recognition.moderation
    await ack()
    kudos_id = kudos_id_from(action.get("value"))
    if kudos_id is None:
        return
    try:
        done = await moderation.undo(
            team_id=team_of(body), giver_id=body["user"]["id"], kudos_id=kudos_id
        )
    except errors.DelightError as refused:
        await respond(**ephemeral_text(explain(refused)), replace_original=False)
        return
    await respond(**ephemeral_text(retracted_text(done)), replace_original=True)


async def handle_kudos_menu(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admins = services_of(context).core.administration.admins
    await ack()
    kudos_id = kudos_id_from((action.get("selected_option") or {}).get("value"))
    if kudos_id is None:
        return
    if not await admins.is_admin(team_of(body), body["user"]["id"]):
        await respond(**ephemeral_text(explain(errors.NotAnAdmin())), replace_original=False)
        return
    try:
        await client.views_open(
            trigger_id=body["trigger_id"], view=admin_views.removal_modal(kudos_id)
        )
    except SlackApiError as error:
        logger.warning("could not open the removal form: %s", error.response.get("error"))


async def handle_removal(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    moderation = services_of(context).core.recognition.moderation
    kudos_id = kudos_id_from(view.get("private_metadata"))
    values = view.get("state", {}).get("values", {})
    reason = (values.get(ids.REASON_BLOCK, {}).get(ids.REASON_BLOCK) or {}).get("value")
    admin_id = body["user"]["id"]
    if kudos_id is None:
        await ack()
        return
    try:
        done = await moderation.remove(
            team_id=team_of(body),
            admin_id=admin_id,
            kudos_id=kudos_id,
            reason=str(reason or ""),
        )
    except errors.DelightError as refused:
        await ack(response_action="errors", errors={ids.REASON_BLOCK: explain(refused)})
        return
    await ack()
    try:
        await client.chat_postMessage(channel=admin_id, text=retracted_text(done))
    except SlackApiError as error:
        logger.info("removal receipt not sent: %s", error.response.get("error"))


def register(app: AsyncApp) -> None:
    app.action(ids.UNDO)(handle_undo_button)
    app.action(ids.KUDOS_MENU)(handle_kudos_menu)
    app.view(ids.REMOVAL_MODAL)(handle_removal)
