"""The HTTP server: Slack's request URL and a health check, on aiohttp."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

SLACK_EVENTS_PATH = "/slack/events"
HealthCheck = Callable[[], Awaitable[dict[str, object]]]


def create_web_app(*, bolt: AsyncApp | None, health: HealthCheck) -> web.Application:
    """`bolt` is None in Socket Mode, where Slack's requests come over the websocket."""
    # Slack's payloads are small; a large body is hostile, so refuse it before reading it.
    app = web.Application(client_max_size=512 * 1024)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None
        try:
            bolt_request = await to_bolt_request(request)
        except ValueError:  # not UTF-8, or not the JSON it claims to be: Slack never sends that
            raise web.HTTPBadRequest(text="malformed request body") from None
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    async def healthz(_request: web.Request) -> web.Response:
        report = await health()
        return web.json_response(report, status=200 if report.get("ok") else 503)

    if bolt is not None:
        app.router.add_post(SLACK_EVENTS_PATH, slack_events)
    app.router.add_get("/healthz", healthz)
    return app
