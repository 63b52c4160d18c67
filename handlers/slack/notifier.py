"""Posting kudos to Slack: the domain's Notifier port."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.model import FailureReason, Kudos, NotPosted, Posted, PostOutcome
from handlers.slack import blocks

logger = logging.getLogger(__name__)

_REASONS = {
    "not_in_channel": FailureReason.NOT_IN_CHANNEL,
    "channel_not_found": FailureReason.CHANNEL_NOT_FOUND,
    "is_archived": FailureReason.ARCHIVED,
    "user_not_found": FailureReason.RECIPIENT_UNAVAILABLE,
    "user_disabled": FailureReason.RECIPIENT_UNAVAILABLE,
    "account_inactive": FailureReason.RECIPIENT_UNAVAILABLE,
    "cannot_dm_bot": FailureReason.RECIPIENT_UNAVAILABLE,
    "messages_tab_disabled": FailureReason.RECIPIENT_UNAVAILABLE,
    "ratelimited": FailureReason.SERVICE_UNAVAILABLE,
    "fatal_error": FailureReason.SERVICE_UNAVAILABLE,
    "internal_error": FailureReason.SERVICE_UNAVAILABLE,
    "service_unavailable": FailureReason.SERVICE_UNAVAILABLE,
    "request_timeout": FailureReason.SERVICE_UNAVAILABLE,
}


def failure_reason(error: SlackApiError) -> tuple[FailureReason, str]:
    code = str(error.response.get("error") or f"http_{error.response.status_code}")
    if error.response.status_code >= 500 or error.response.status_code == 429:
        return FailureReason.SERVICE_UNAVAILABLE, code
    return _REASONS.get(code, FailureReason.OTHER), code


class SlackNotifier:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
        return await self.post(channel_id, blocks.announcement(kudos))

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
        # Posting to a user id lands in the app's DM with them: no conversations.open needed.
        return await self.post(recipient_id, blocks.recipient_dm(kudos, recipient_id))

    async def post(self, channel: str, message: blocks.Message) -> PostOutcome:
        """Post a message; every failure comes back as a NotPosted with a reason."""
        try:
            response = await self._client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False
            )
        except SlackApiError as exc:
            reason, code = failure_reason(exc)
            logger.warning("chat.postMessage to %s failed: %s", channel, code)
            return NotPosted(channel_id=channel, reason=reason, detail=code)
        except (TimeoutError, aiohttp.ClientError) as exc:
            logger.warning("chat.postMessage to %s failed: %r", channel, exc)
            return NotPosted(
                channel_id=channel, reason=FailureReason.SERVICE_UNAVAILABLE, detail=repr(exc)
            )
        return Posted(channel_id=str(response["channel"]), ts=str(response["ts"]))
