"""`POST /api/messages`: where the Bot Connector delivers Teams' activities. Nothing is read
from a request whose Bot Framework token doesn't check out, and nothing is logged of what it
says; a shape Delight doesn't know is answered (200) and left alone, never a 500."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from urllib.parse import urlparse

from aiohttp import web

from handlers.msteams.auth import BotFrameworkAuth, KeysUnavailable, Unauthorized
from handlers.msteams.bot import TeamsBot, activity_of
from handlers.msteams.turn import NotForDelight

logger = logging.getLogger(__name__)

TEAMS_MESSAGES_PATH = "/api/messages"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def teams_endpoint(
    bot: TeamsBot,
    auth: BotFrameworkAuth,
    *,
    tenant_id: str | None,
    answering: Callable[[], AbstractContextManager[object]] = nullcontext,
    playground: bool = False,
) -> Handler:
    """`tenant_id`: a single-tenant bot answers only its own tenant's activities.
    `playground` (local testing, TEAMS_PLAYGROUND): unsigned activities are taken, but only
    from this machine and only when they say this machine serves their conversation."""

    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return _refused(400, "malformed request body")
        if not isinstance(body, dict) or not isinstance(body.get("serviceUrl"), str):
            return _refused(401, "invalid request")
        try:
            if playground:
                _on_this_machine(request.remote, body["serviceUrl"])
            else:
                await auth.verify(
                    request.headers.get("Authorization"), service_url=body["serviceUrl"]
                )
        except KeysUnavailable as why:  # ours to fix, not the caller's: Teams tries again
            logger.warning("Teams' signing keys can't be read: %s", why)
            return web.json_response({"error": "try again later"}, status=503)
        except Unauthorized as why:
            logger.info("refused a request to %s (401): %s", TEAMS_MESSAGES_PATH, why)
            return web.json_response({"error": "invalid request"}, status=401)
        if body.get("channelId") != "msteams":
            return web.Response(status=200)
        if tenant_id is not None and _tenant(body) != tenant_id:
            return _refused(403, "another tenant")
        if body.get("type") != "invoke":  # acked before anything else of it is read
            with answering():
                bot.act_later(body)
            return web.Response(status=200)
        if (activity := activity_of(body)) is None:
            return web.Response(status=200)
        try:
            with answering():
                answer = await bot.on_invoke(activity)
        except NotForDelight as why:
            logger.info("a Teams activity was ignored: %s", why)
            return web.Response(status=200)
        if answer is None:
            return web.Response(status=200)
        return web.json_response(answer, dumps=compact)

    return messages


def compact(answer: object) -> str:
    """An invoke's answer as Teams reads it, in as few bytes as it can be: a dialog's card
    must stay within Teams' limit for a message (28 KB)."""
    return json.dumps(answer, separators=(",", ":"), ensure_ascii=False)


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _on_this_machine(peer: str | None, service_url: str) -> None:
    if peer not in _LOOPBACK or urlparse(service_url).hostname not in _LOOPBACK:
        raise Unauthorized("the playground is served on this machine only")


def _tenant(body: dict[str, object]) -> str | None:
    data = body.get("channelData")
    tenant = data.get("tenant") if isinstance(data, dict) else None
    found = tenant.get("id") if isinstance(tenant, dict) else None
    if not isinstance(found, str):
        conversation = body.get("conversation")
        found = conversation.get("tenantId") if isinstance(conversation, dict) else None
    return found.lower() if isinstance(found, str) else None


def _refused(status: int, why: str) -> web.Response:
    logger.info("refused a request to %s (%d): %s", TEAMS_MESSAGES_PATH, status, why)
    return web.json_response({"error": why}, status=status)
