"""The HTTP server: Slack's request URL and a health check, on aiohttp."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.log_context import request_scope

SLACK_EVENTS_PATH = "/slack/events"
HealthCheck = Callable[[], Awaitable[dict[str, object]]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def scope_each_request(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Each request gets an id (the proxy's X-Request-ID when there is one) for its logs."""
    with request_scope(request.headers.get("X-Request-ID")):
        return await handler(request)


class SlackRequest(AsyncBoltRequest):
    """Bolt's request, parsed correctly: slack-bolt 1.30 takes any form body containing the
    word "payload" for an interactivity payload, so `/delight @bob fixed the payload parser`
    reached no listener. A form is a payload only when it has a `payload` field."""

    def __init__(self, *, body: str, **kwargs: Any) -> None:
        super().__init__(body=body, **kwargs)
        if self.content_type != "application/x-www-form-urlencoded" or "payload" not in body:
            return
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" not in form:
            self.body = form
            self.context = build_async_context(AsyncBoltContext({}), self.body)

    def to_copyable(self) -> SlackRequest:
        return SlackRequest(
            body=self.raw_body, query=self.query, headers=self.headers, mode=self.mode
        )


def create_web_app(
    *,
    bolt: AsyncApp | None,
    health: HealthCheck,
    oauth_flow: AsyncOAuthFlow | None = None,
    answering: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> web.Application:
    """`bolt` is None in Socket Mode, where Slack's requests come over the websocket;
    `oauth_flow` (multi-workspace mode) serves the install page and Slack's redirect back,
    over HTTP in either case. Each Slack request is answered inside `answering()` (the
    delivery turns make way for answers: bot/turns.py)."""
    # Slack's payloads are small; a large body is hostile, so refuse it before reading it.
    app = web.Application(client_max_size=512 * 1024, middlewares=[scope_each_request])

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None
        try:
            bolt_request = SlackRequest(
                body=await request.text(),
                query=request.query_string,
                headers=dict(request.headers),
            )
        except ValueError:  # not UTF-8, or not the JSON it claims to be: Slack never sends that
            raise web.HTTPBadRequest(text="malformed request body") from None
        with answering():
            answer = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(answer)

    async def install_page(request: web.Request) -> web.Response:
        assert oauth_flow is not None
        return await to_aiohttp_response(await oauth_flow.handle_installation(_get(request)))

    async def oauth_redirect(request: web.Request) -> web.Response:
        assert oauth_flow is not None
        return await to_aiohttp_response(await oauth_flow.handle_callback(_get(request)))

    async def healthz(_request: web.Request) -> web.Response:
        report = await health()
        return web.json_response(report, status=200 if report.get("ok") else 503)

    if bolt is not None:
        app.router.add_post(SLACK_EVENTS_PATH, slack_events)
    if oauth_flow is not None:
        app.router.add_get(oauth_flow.install_path, install_page)
        app.router.add_get(oauth_flow.redirect_uri_path, oauth_redirect)
    app.router.add_get("/healthz", healthz)
    return app


def _get(request: web.Request) -> AsyncBoltRequest:
    """A browser's GET (no body; the state cookie is in its headers) as Bolt's request."""
    return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
