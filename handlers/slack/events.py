"""Events API listeners: nominations by @mention, and dropping repeated deliveries."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.model import Nomination, Source
from bot.core.ports import Clock, EventLedger
from handlers.slack import blocks
from handlers.slack.channels import MEMBERSHIP_EVENTS
from handlers.slack.context import services_of
from handlers.slack.nominate import story_of
from handlers.slack.parsing import (
    CommandNomination,
    parse_command,
    strip_bot_mention,
    to_plain_text,
)
from handlers.slack.replies import tell_privately

logger = logging.getLogger(__name__)


class DropRepeatedEvents(AsyncMiddleware):
    """Slack retries an event it thinks we missed (X-Slack-Retry-Num), with the same
    event_id; answer the repeat with 200 and do nothing else. (A middleware class: see
    request_context.RequestContext.)"""

    def __init__(self, ledger: EventLedger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        body = req.body
        event = body.get("event")
        kind = event.get("type") if isinstance(event, dict) else None
        # Membership events leave no row: acting twice on one changes nothing (channels.py).
        if (
            body.get("type") == "event_callback"
            and body.get("event_id")
            and kind not in MEMBERSHIP_EVENTS
        ):
            team_id = body.get("team_id") or ""
            if not await self._ledger.first_delivery(
                team_id=team_id, event_id=str(body["event_id"]), at=self._clock.now()
            ):
                logger.info("event %s already handled: ignored", body["event_id"])
                return BoltResponse(status=200, body="")
        return await next()


async def handle_mention(
    event: dict[str, Any],
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    flow = services_of(context).flow
    text = strip_bot_mention(str(event.get("text") or ""), context.bot_user_id)
    user_id = event.get("user")
    channel_id = event.get("channel")
    if not user_id or event.get("bot_id"):
        return  # another bot mentioning us

    async def work() -> blocks.Message | None:
        parsed = parse_command(text)
        if not isinstance(parsed, CommandNomination):
            return blocks.help_message()
        team_id = context.team_id or body.get("team_id") or ""
        given = await flow.give(
            Nomination(
                team_id=team_id,
                giver_id=user_id,
                recipient_ids=await flow.resolve(team_id, parsed.recipients, giver_id=user_id),
                story=await story_of(flow.directory, team_id, parsed),
                elements=parsed.elements,
                source=Source.MENTION,
                request_key=f"event:{body.get('event_id')}",
                origin_channel_id=channel_id,
            )
        )
        flow.deliver(given, reply)
        return None

    async def reply(message: blocks.Message) -> None:
        await tell_privately(client, user_id=user_id, channel_id=channel_id, message=message)

    def typed() -> str:
        return "@Delight " + " ".join(to_plain_text(text)[0].split())

    await flow.attempt(work(), typed=typed, reply=reply)


def register(app: AsyncApp, *, ledger: EventLedger, clock: Clock) -> None:
    app.middleware(DropRepeatedEvents(ledger, clock))
    app.event("app_mention")(handle_mention)
