"""The HTTP server: Slack's request URL, Teams' messaging endpoint and a health check, on
aiohttp."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
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
from slack_sdk.signature import SignatureVerifier

from bot.log_context import request_scope

logger = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
TEAMS_MESSAGES_PATH = "/api/messages"
# Bolt reads fields of a body before anything checks their types: a field of the wrong type
# (`"authorizations": 5`, a list instead of an object) raises one of these.
MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError)
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
        if not isinstance(self.body, dict):
            raise ValueError("not a Slack request body")
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


def signed_by_slack(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """Signed with the app's signing secret within the last five minutes."""
    try:
        return verifier.is_valid(
            body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
        )
    except (ValueError, TypeError):  # a timestamp that is no number, a signature not ASCII
        return False


def create_web_app(
    *,
    bolt: AsyncApp | None,
    health: HealthCheck,
    signing_secret: str | None = None,
    oauth_flow: AsyncOAuthFlow | None = None,
    answering: Callable[[], AbstractContextManager[object]] = nullcontext,
    teams: Handler | None = None,
    get_routes: Mapping[str, Handler] | None = None,
) -> web.Application:
    """`bolt` is None in Socket Mode, where Slack's requests come over the websocket;
    otherwise `signing_secret` verifies them. `oauth_flow` (multi-workspace mode) serves the
    install page and Slack's redirect back (browsers' visits, unsigned), over HTTP in either
    case. `teams`: Microsoft Teams' endpoint (handlers/msteams/endpoint.py), which checks its
    own requests' tokens; `get_routes`: its other addresses (a digest's chart). Each Slack
    request is answered inside `answering()` (the delivery turns make way for answers:
    bot/turns.py)."""
    if bolt is not None and not signing_secret:
        raise ValueError("Slack's requests over HTTP need the signing secret to verify them")
    verifier = SignatureVerifier(signing_secret) if signing_secret else None
    # Slack's payloads are small; a large body is hostile, so refuse it before reading it.
    app = web.Application(client_max_size=512 * 1024, middlewares=[scope_each_request])

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None
        assert verifier is not None
        # Nothing reads a request Slack did not sign, and nothing logs what it says.
        try:
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:  # Slack sends UTF-8
            return _refused(400, "malformed request body")
        if not signed_by_slack(verifier, body, request.headers):
            return _refused(401, "invalid request")
        try:
            bolt_request = SlackRequest(
                body=body, query=request.query_string, headers=dict(request.headers)
            )
        except MALFORMED:  # signed, yet not a body Slack sends
            return _refused(400, "malformed request body")
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
    if teams is not None:
        app.router.add_post(TEAMS_MESSAGES_PATH, teams)
    if oauth_flow is not None:
        app.router.add_get(oauth_flow.install_path, install_page)
        app.router.add_get(oauth_flow.redirect_uri_path, oauth_redirect)
    for path, handler in (get_routes or {}).items():
        app.router.add_get(path, handler)
    app.router.add_get("/healthz", healthz)
    return app


def _refused(status: int, why: str) -> web.Response:
    """One short line, the same for every such request, whatever its body says."""
    logger.info("refused a request to %s (%d): %s", SLACK_EVENTS_PATH, status, why)
    return web.json_response({"error": why}, status=status)


def _get(request: web.Request) -> AsyncBoltRequest:
    """A browser's GET (no body; the state cookie is in its headers) as Bolt's request."""
    return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
