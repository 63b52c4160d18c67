"""Posting scheduled tips to Slack (the domain's TipPoster port), and the tip's button."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.elements import Element
from bot.core.model import FailureReason, PostOutcome
from bot.core.schedule import TipSchedule
from bot.core.tips import Tip
from handlers.slack import blocks, ids
from handlers.slack.notifier import SlackNotifier

logger = logging.getLogger(__name__)


class SlackTipPoster:
    """Posts with the schedule's workspace's own token (the notifier finds it)."""

    def __init__(self, notifier: SlackNotifier) -> None:
        self._notifier = notifier

    async def post_tip(self, schedule: TipSchedule, tip: Tip, element: Element) -> PostOutcome:
        message = blocks.tip_message(tip, element)
        return await self._notifier.post(schedule.channel_id, message, team_id=schedule.team_id)

    async def tell_owner_paused(self, schedule: TipSchedule, reason: FailureReason) -> None:
        if schedule.owner_id:
            message = blocks.schedule_paused(schedule.channel_id, reason)
            await self._notifier.post(schedule.owner_id, message, team_id=schedule.team_id)


def register(app: AsyncApp) -> None:
    @app.action(ids.RECOGNISE_FROM_TIP)
    async def handle_recognise_from_tip(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        known = {e.value: e for e in Element}
        element = known.get(str(action.get("value")))  # never trust a button's value
        channel_id = (body.get("channel") or {}).get("id")
        view = blocks.nomination_modal(
            context=blocks.ModalContext(channel_id=channel_id),
            elements=(element,) if element else (),
        )
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as error:
            logger.warning("could not open the modal from a tip: %s", error.response.get("error"))
