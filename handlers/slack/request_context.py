"""Puts the workspace and a request id on every log record a Slack request leads to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import log_context


def register(app: AsyncApp) -> None:
    @app.middleware
    async def remember_workspace_and_request(
        context: AsyncBoltContext,
        body: dict[str, Any],
        request: AsyncBoltRequest,
        next: Callable[[], Awaitable[None]],
    ) -> None:
        """Bolt runs its middleware one after another, not nested, so the values are set for
        the rest of the request rather than around `next()`: the HTTP server's request scope
        (handlers/web.py) clears them afterwards; in Socket Mode each message has its own task."""
        team = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
        log_context.set_workspace(team)
        if request.mode == "socket_mode" or log_context.request_id.get() is None:
            log_context.set_request(log_context.new_request_id())
        await next()
