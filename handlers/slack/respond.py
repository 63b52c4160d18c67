"""`respond()` through Delight's one connection pool, with the Web API client's retries.

Bolt's own `respond()` opens a new HTTP session, and so a new connection, for every reply
(to Slack, a TLS handshake per confirmation), and never retries: a 503 or a 429 from a
`response_url` left the giver without their confirmation. Every listener that asks for
`respond` gets this one instead (the middleware below), with the same arguments.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient
from slack_sdk.webhook.webhook_response import WebhookResponse

from handlers.slack.client import retry_handlers

TIMEOUT_SECONDS = 10  # as the Web API client's


class PooledRespond(AsyncRespond):
    def __init__(self, *, response_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self._client = AsyncWebhookClient(
            url=response_url,
            session=session,
            timeout=TIMEOUT_SECONDS,
            retry_handlers=retry_handlers(),
        )

    async def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[Any] | None = None,
        attachments: Sequence[Any] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if isinstance(text, dict):  # a whole message, as Bolt's respond() also takes
            return await self._client.send_dict(text)
        # None values are left out of the body (slack-sdk's _build_body), as Bolt does.
        return await self._client.send_dict(
            {
                "text": text,
                "blocks": blocks,
                "attachments": attachments,
                "response_type": response_type,
                "replace_original": replace_original,
                "delete_original": delete_original,
                "unfurl_links": unfurl_links,
                "unfurl_media": unfurl_media,
                "thread_ts": thread_ts,
                "metadata": metadata,
            }
        )


class RespondThroughThePool(AsyncMiddleware):
    """Gives the request a PooledRespond over the session its Web API client uses (Bolt
    makes its own only when a listener first asks). A middleware class: see
    request_context.RequestContext."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        context = req.context
        client = context.client
        if context.response_url and client is not None and client.session is not None:
            context["respond"] = PooledRespond(
                response_url=context.response_url, session=client.session
            )
        return await next()


def register(app: AsyncApp) -> None:
    app.middleware(RespondThroughThePool())
