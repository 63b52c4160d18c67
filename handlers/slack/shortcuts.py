"""The "Recognise with Delight" message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import blocks, ids
from handlers.slack.parsing import to_plain_text


async def handle_recognise_message(
    ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    message = shortcut.get("message") or {}
    channel_id = (shortcut.get("channel") or {}).get("id")
    author = message.get("user")
    # The author is prefilled; whether they can be recognised is checked on submission.
    recipients = (author,) if isinstance(author, str) else ()
    quoted, _ = to_plain_text(str(message.get("text") or ""))
    view = blocks.nomination_modal(
        context=blocks.ModalContext(
            channel_id=channel_id,
            message_channel_id=channel_id,
            message_ts=message.get("ts"),
        ),
        recipients=recipients,
        quoted_message=quoted or None,
    )
    await client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def register(app: AsyncApp) -> None:
    app.shortcut(ids.MESSAGE_SHORTCUT)(handle_recognise_message)
