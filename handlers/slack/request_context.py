"""Every Slack request's context: Delight's services for its listeners, and the workspace
and a request id on every log record it leads to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import log_context
from handlers.slack.context import SlackServices, with_services


class RequestContext(AsyncMiddleware):
    """Bolt runs its middleware one after another, not nested, so the values are set for the
    rest of the request rather than around `next()`. Over HTTP the server's request scope
    (handlers/web.py) has made the id and clears both afterwards; in Socket Mode each message
    runs in a task of its own, which starts with neither.

    A middleware class rather than a decorated function: Bolt builds a function's keyword
    arguments on every request, which showed in the benchmark's profile."""

    def __init__(self, services: SlackServices) -> None:
        self._services = services

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        with_services(req.context, self._services)
        body = req.body
        team = req.context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
        log_context.set_workspace(team)
        if log_context.request_id.get() is None:
            log_context.set_request(log_context.new_request_id())
        return await next()


def register(app: AsyncApp, *, services: SlackServices) -> None:
    app.middleware(RequestContext(services))
