"""Posting kudos to Slack: the domain's Notifier port."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.model import (
    DeliveryReport,
    FailureReason,
    Kudos,
    MessageRef,
    NotPosted,
    PostOutcome,
    Retraction,
)
from bot.core.ports import SettingsRepository
from bot.i18n import speaking
from handlers.slack import blocks
from handlers.slack.directory import SlackDirectory
from handlers.slack.language import language_of
from handlers.slack.workspace_clients import WorkspaceClients, WorkspaceUnavailable

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


def retry_after(error: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait (a 429's Retry-After), if it said."""
    headers = error.response.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def post_message(
    client: AsyncWebClient, channel: str, message: blocks.Message
) -> PostOutcome:
    """Post a message; every failure comes back as a NotPosted with a reason."""
    try:
        response = await client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False
        )
    except SlackApiError as exc:
        reason, code = failure_reason(exc)
        logger.warning("chat.postMessage to %s failed: %s", channel, code)
        return NotPosted(
            channel_id=channel, reason=reason, detail=code, retry_after=retry_after(exc)
        )
    except (TimeoutError, aiohttp.ClientError) as exc:
        logger.warning("chat.postMessage to %s failed: %s", channel, type(exc).__name__)
        return NotPosted(
            channel_id=channel,
            reason=FailureReason.SERVICE_UNAVAILABLE,
            detail=type(exc).__name__,
        )
    return MessageRef(str(response["channel"]), str(response["ts"]))


class SlackNotifier:
    """Each message in its reader's language: a DM in the person's (language_of), a
    channel's in the workspace's, whoever's request led to it."""

    def __init__(
        self,
        clients: WorkspaceClients,
        settings: SettingsRepository,
        directory: SlackDirectory,
    ) -> None:
        self._clients = clients  # each workspace's own bot token
        self._settings = settings  # for the endorsement emoji, which admins choose
        self._directory = directory  # people's locales

    async def language_of(self, team_id: str, user_id: str) -> str:
        """The language a person reads: theirs in Slack when Delight speaks it, else the
        workspace's."""
        workspace = await self.channel_language(team_id)
        return await language_of(self._directory, team_id, user_id, workspace=workspace)

    async def channel_language(self, team_id: str) -> str:
        """The workspace's language: what its channels read."""
        return (await self._settings.get(team_id)).language

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
        settings = await self._settings.get(kudos.team_id)
        with speaking(settings.language):
            message = blocks.announcement(kudos, emoji=blocks.endorsement_emoji(settings))
        return await self.post(channel_id, message, team_id=kudos.team_id)

    async def show_endorsements(self, kudos: Kudos, *, count: int) -> None:
        if kudos.announcement is not None:
            settings = await self._settings.get(kudos.team_id)
            emoji = blocks.endorsement_emoji(settings)
            with speaking(settings.language):
                message = blocks.announcement(kudos, endorsements=count, emoji=emoji)
            await self.update(kudos.announcement, message, team_id=kudos.team_id)

    async def retract(
        self, kudos: Kudos, *, direct_messages: dict[str, MessageRef], how: Retraction
    ) -> None:
        """Replace the announcement and each DM with a short note (best effort: the kudos is
        gone from Delight whatever Slack says)."""
        team_id = kudos.team_id
        updates = []
        for recipient_id, posted in direct_messages.items():
            with speaking(await self.language_of(team_id, recipient_id)):
                note = blocks.retracted_dm(how)
            updates.append(self.update(posted, note, team_id=team_id))
        if kudos.announcement is not None:
            with speaking(await self.channel_language(team_id)):
                note = blocks.retracted_announcement(how)
            updates.append(self.update(kudos.announcement, note, team_id=team_id))
        await asyncio.gather(*updates)

    async def update(self, posted: MessageRef, message: blocks.Message, *, team_id: str) -> bool:
        channel, ts = posted.channel_id, posted.message_id  # a Slack message's id is its ts
        try:
            client = await self._clients.for_team(team_id)
            await client.chat_update(
                channel=channel, ts=ts, text=message.text, blocks=message.blocks
            )
        except WorkspaceUnavailable as exc:
            logger.warning("chat.update of %s/%s not sent: %s", channel, ts, exc.reason)
            return False
        except SlackApiError as exc:
            logger.warning(
                "chat.update of %s/%s failed: %s", channel, ts, exc.response.get("error")
            )
            return False
        except (TimeoutError, aiohttp.ClientError) as exc:
            logger.warning("chat.update of %s/%s failed: %r", channel, ts, exc)
            return False
        return True

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
        # Posting to a user id lands in the app's DM with them: no conversations.open needed.
        with speaking(await self.language_of(kudos.team_id, recipient_id)):
            message = blocks.recipient_dm(kudos, recipient_id)
        return await self.post(recipient_id, message, team_id=kudos.team_id)

    async def update_giver(self, report: DeliveryReport) -> PostOutcome:
        kudos = report.kudos
        with speaking(await self.language_of(kudos.team_id, kudos.giver_id)):
            message = blocks.delivery_update(report)
        return await self.post(report.kudos.giver_id, message, team_id=report.kudos.team_id)

    async def post(self, channel: str, message: blocks.Message, *, team_id: str) -> PostOutcome:
        """Post a message in the workspace, with its own token; every failure comes back as a
        NotPosted with a reason."""
        try:
            client = await self._clients.for_team(team_id)
        except WorkspaceUnavailable as exc:
            logger.warning("chat.postMessage to %s not sent: %s", channel, exc.reason)
            return NotPosted(channel_id=channel, reason=FailureReason.OTHER, detail=exc.reason)
        return await post_message(client, channel, message)
