"""Private replies to the person who acted, wherever they acted."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.blocks import Message

logger = logging.getLogger(__name__)


def ephemeral(message: Message) -> dict[str, Any]:
    """Keyword arguments for ack()/respond() that show a message only to the person."""
    return {"response_type": "ephemeral", "text": message.text, "blocks": message.blocks}


def ephemeral_text(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


async def tell_privately(
    client: AsyncWebClient, *, user_id: str, channel_id: str | None, message: Message
) -> None:
    """Ephemeral in the channel they were in; a DM from the app when that isn't possible
    (a DM between two people, a private channel without the bot)."""
    if channel_id:
        try:
            await client.chat_postEphemeral(
                channel=channel_id, user=user_id, text=message.text, blocks=message.blocks
            )
            return
        except SlackApiError as exc:
            logger.info("ephemeral in %s failed (%s): DMing", channel_id, exc.response.get("error"))
    try:
        await client.chat_postMessage(channel=user_id, text=message.text, blocks=message.blocks)
    except SlackApiError as exc:
        logger.warning("could not reach %s at all: %s", user_id, exc.response.get("error"))
