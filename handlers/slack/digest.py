"""Manager digests in Slack: the weekly DM with its chart (the domain's DigestPoster),
`/delight digest [last]`, and the "See everyone" button."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.digest import Digest
from bot.core.digest_delivery import DigestService
from bot.core.installations import problem_of
from bot.core.model import FailureReason, NotPosted, Posted
from bot.core.platform import ChannelProblem, Directory
from bot.i18n import _, speaking
from handlers.slack import ids
from handlers.slack.blocks import Message
from handlers.slack.context import services_of
from handlers.slack.digest_blocks import digest_message, full_list_pages, week_span
from handlers.slack.ids_parsing import team_of
from handlers.slack.mrkdwn import defuse, user_mention
from handlers.slack.notifier import SlackNotifier, failure_reason, post_message
from handlers.slack.replies import tell_privately
from handlers.slack.workspace_clients import WorkspaceClients, WorkspaceUnavailable

logger = logging.getLogger(__name__)


class SlackDigestPoster:
    """Opens the DM, uploads the chart into it, then posts the digest. A chart that cannot be
    uploaded never stops the digest: it goes with text bars instead."""

    def __init__(self, clients: WorkspaceClients, *, languages: SlackNotifier) -> None:
        self._clients = clients  # each workspace's own token
        self._languages = languages  # who reads which language

    async def language(self, team_id: str, person_id: str) -> str:
        return await self._languages.language_of(team_id, person_id)

    async def send(
        self,
        team_id: str,
        manager_id: str,
        digest: Digest,
        chart: bytes | None,
        *,
        dm_channel: str | None,
        language: str,
    ) -> Posted | NotPosted:
        with speaking(language):  # the upload's title too
            return await self._send(team_id, manager_id, digest, chart, dm_channel=dm_channel)

    async def _send(
        self,
        team_id: str,
        manager_id: str,
        digest: Digest,
        chart: bytes | None,
        *,
        dm_channel: str | None,
    ) -> Posted | NotPosted:
        try:
            client = await self._clients.for_team(team_id)
        except WorkspaceUnavailable as unavailable:
            return NotPosted(manager_id, FailureReason.OTHER, unavailable.reason)
        if chart is None:  # a message alone can go to the user id: no DM to open
            return await post_message(client, manager_id, digest_message(digest, chart_shown=False))
        channel = dm_channel or await self._open(client, manager_id)
        if isinstance(channel, NotPosted):
            return channel
        chart_shown = await self._upload(client, channel, digest, chart)
        return await post_message(client, channel, digest_message(digest, chart_shown=chart_shown))

    async def _open(self, client: AsyncWebClient, manager_id: str) -> str | NotPosted:
        """The DM's channel id, which a file upload needs."""
        try:
            opened = await client.conversations_open(users=manager_id)
        except SlackApiError as exc:
            reason, code = failure_reason(exc)
            if code in ("user_disabled", "user_not_found", "cannot_dm_bot"):
                reason = FailureReason.RECIPIENT_UNAVAILABLE
            return NotPosted(channel_id=manager_id, reason=reason, detail=code)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return NotPosted(manager_id, FailureReason.SERVICE_UNAVAILABLE, type(exc).__name__)
        return str(opened["channel"]["id"])

    async def _upload(
        self, client: AsyncWebClient, channel: str, digest: Digest, chart: bytes
    ) -> bool:
        try:
            await client.files_upload_v2(
                channel=channel,
                file=chart,
                filename=f"delight-{digest.week.label}.png",
                title=_("{team}: kudos by element, {week}").format(
                    team=digest.team_name, week=week_span(digest)
                ),
                alt_txt=_(
                    "Bar chart of the team's recognitions by element, this week against the "
                    "four-week average (the numbers are in the message below)."
                ),
            )
        except (SlackClientError, TimeoutError, aiohttp.ClientError) as exc:
            logger.warning("digest chart upload to %s failed, sending text bars: %r", channel, exc)
            return False
        return True

    async def tell_creator(
        self,
        team_id: str,
        creator_id: str,
        manager_id: str,
        digest: Digest,
        reason: FailureReason,
    ) -> None:
        await self._tell(
            team_id, creator_id, lambda: digest_undelivered(manager_id, digest, reason)
        )

    async def tell_creator_place_paused(
        self, team_id: str, creator_id: str, team_name: str, reason: str
    ) -> None:
        """The channel its members are read from was deleted, or Delight removed from it
        (handlers/slack/channels.py; an archived one is still read, and pauses no digest)."""
        problem = problem_of(reason)
        await self._tell(team_id, creator_id, lambda: digest_place_paused(team_name, problem))

    async def _tell(self, team_id: str, user_id: str, message: Callable[[], Message]) -> None:
        """`message`, worded in their language, in a DM to them."""
        try:
            client = await self._clients.for_team(team_id)
        except WorkspaceUnavailable:
            return  # nobody can be told in a workspace Delight can't reach
        with speaking(await self._languages.language_of(team_id, user_id)):
            said = message()
        await post_message(client, user_id, said)


def digest_place_paused(team_name: str, problem: ChannelProblem) -> Message:
    if problem is ChannelProblem.NOT_A_MEMBER:
        text = _(
            "I've paused the weekly digests of *{team}*: its members are read from a private "
            "channel I was removed from. They resume by themselves once someone there invites "
            "me back (`/invite @Delight`); or pick its members another way with "
            "`/delight teams`."
        )
    else:
        text = _(
            "I've paused the weekly digests of *{team}*: its members were read from a channel "
            "that was deleted. Pick its members one by one, or another channel, with "
            "`/delight teams`."
        )
    text = text.format(team=defuse(team_name))
    return Message(
        text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )


def digest_undelivered(manager_id: str, digest: Digest, reason: FailureReason) -> Message:
    why = (
        _("their account is deactivated or their DMs with Delight are closed")
        if reason is FailureReason.RECIPIENT_UNAVAILABLE
        else _("Slack refused it ({code})").format(code=reason.value)
    )
    text = _(
        "I couldn't deliver the weekly digest for *{team}* to {manager}: {why}. If they no "
        "longer manage the team, take them off it with `/delight teams`; otherwise they can "
        "open a DM with Delight and try `/delight digest`."
    ).format(team=defuse(digest.team_name), manager=user_mention(manager_id), why=why)
    return Message(
        text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )


def no_digest_yet(*, last: bool) -> Message:
    text = (
        _("I haven't sent you a digest yet: they go out weekly to the managers of a team.")
        if last
        else _(
            "Digests go to the managers of a team, and you don't manage one yet. An admin "
            "can set up teams with `/delight teams`."
        )
    )
    return Message(
        text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )


async def show_digests(
    client: AsyncWebClient,
    digests: DigestService,
    directory: Directory,
    command: dict[str, Any],
    *,
    last: bool,
) -> None:
    """`/delight digest` (the week so far) or `digest last`, privately: one message per team
    the person manages."""
    team_id, user_id = command["team_id"], command["user_id"]
    person = await directory.person(team_id, user_id)
    tz = person.tz if person else None
    if last:
        found = await digests.last_sent(team_id, user_id, tz)
    else:
        found = await digests.preview(team_id, user_id, tz)
    messages = [digest_message(d, chart_shown=False) for d in found]
    for message in messages or [no_digest_yet(last=last)]:
        await tell_privately(
            client, user_id=user_id, channel_id=command.get("channel_id"), message=message
        )


async def handle_full_list(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    services = services_of(context)
    digests = services.core.digests.digests
    directory = services.directory
    await ack()
    team_id, user_id = team_of(body), body["user"]["id"]
    wanted = _read_value(action.get("value"))
    if wanted is None:
        return
    person = await directory.person(team_id, user_id)
    tz = person.tz if person else None
    digest = await digests.full_list(team_id, user_id, tz, **wanted)
    if digest is None:  # not (or no longer) their team: show nothing
        logger.info("%s asked for the full digest of a team they don't manage", user_id)
        return
    container = body.get("container") or {}
    thread = None if container.get("is_ephemeral") else container.get("message_ts")
    for page in full_list_pages(digest):
        await client.chat_postMessage(
            channel=user_id, thread_ts=thread, text=page.text, blocks=page.blocks
        )


def register(app: AsyncApp) -> None:
    app.action(ids.DIGEST_FULL_LIST)(handle_full_list)


def _read_value(value: Any) -> dict[str, Any] | None:
    """A button's value, checked: never trust what comes back from the client."""
    try:
        parsed = json.loads(str(value))
        wanted = {
            "team_pk": int(parsed["team"]),
            "week": str(parsed["week"]),
            "partial": bool(parsed.get("partial")),
        }
    except (ValueError, KeyError, TypeError):
        return None
    return wanted
