"""Puts the workspace and a request id on every log record a Slack request leads to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot import log_context


def register(app: AsyncApp) -> None:
    @app.middleware
    async def remember_workspace_and_request(
        context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> None:
        """Bolt runs its middleware one after another, not nested, so the values are set for
        the rest of the request rather than around `next()`. Over HTTP the server's request
        scope (handlers/web.py) has made the id and clears both afterwards; in Socket Mode
        each message runs in a task of its own, which starts with neither."""
        team = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
        log_context.set_workspace(team)
        if log_context.request_id.get() is None:
            log_context.set_request(log_context.new_request_id())
        await next()
