"""Endorsements: the announcement's button, and the endorsement emoji as a reaction."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond

from bot.core.endorsements import Outcome, Via
from bot.core.model import MessageRef
from bot.core.ports import SettingsRepository
from bot.core.words import N_
from bot.i18n import _
from handlers.slack import ids
from handlers.slack.blocks import endorsement_emoji
from handlers.slack.context import services_of
from handlers.slack.ids_parsing import kudos_id_from, team_of
from handlers.slack.replies import ephemeral_text

logger = logging.getLogger(__name__)

_SAY = {  # translated when said
    Outcome.ALREADY: N_("You've already said you saw it too — thank you!"),
    Outcome.OWN: N_("You can't endorse a recognition you gave or received — but others can!"),
    Outcome.NOT_PUBLISHED: N_("That recognition isn't published any more."),
}


async def handle_endorse_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    endorsements = services_of(context).core.recognition.endorsements
    await ack()
    kudos_id = kudos_id_from(action.get("value"))
    team_id = team_of(body)
    if kudos_id is None or not team_id:
        return  # not one of our buttons
    done = await endorsements.endorse_by_id(
        team_id=team_id, kudos_id=kudos_id, user_id=body["user"]["id"], via=Via.BUTTON
    )
    if (say := _SAY.get(done.outcome)) is not None:
        await respond(**ephemeral_text(_(say)), replace_original=False)


async def handle_reaction_added(event: dict[str, Any], context: AsyncBoltContext) -> None:
    services = services_of(context)
    endorsements = services.core.recognition.endorsements
    settings = services.core.administration.settings
    if (target := await _endorsing_reaction(event, context, settings)) is not None:
        team_id, message, user_id = target
        await endorsements.endorse_announcement(
            team_id=team_id, message=message, user_id=user_id, via=Via.REACTION
        )


async def handle_reaction_removed(event: dict[str, Any], context: AsyncBoltContext) -> None:
    services = services_of(context)
    endorsements = services.core.recognition.endorsements
    settings = services.core.administration.settings
    if (target := await _endorsing_reaction(event, context, settings)) is not None:
        team_id, message, user_id = target
        await endorsements.take_back(team_id=team_id, message=message, user_id=user_id)


def register(app: AsyncApp) -> None:
    app.action(ids.ENDORSE)(handle_endorse_button)
    app.event("reaction_added")(handle_reaction_added)
    app.event("reaction_removed")(handle_reaction_removed)


async def _endorsing_reaction(
    event: dict[str, Any], context: AsyncBoltContext, settings: SettingsRepository
) -> tuple[str, MessageRef, str] | None:
    """Where a reaction with this workspace's endorsement emoji went (workspace, message,
    who reacted), or None."""
    item = event.get("item") or {}
    team_id = context.team_id or ""
    if item.get("type") != "message" or not team_id or not event.get("user"):
        return None
    emoji = str(event.get("reaction") or "").split("::")[0]  # "sparkles::skin-tone-2"
    if emoji != endorsement_emoji(await settings.get(team_id)):
        return None
    channel, ts = item.get("channel"), item.get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str):
        return None
    return team_id, MessageRef(channel, ts), str(event["user"])
