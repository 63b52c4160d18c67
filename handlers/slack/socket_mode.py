"""Slack's requests over Socket Mode's websocket, counted like the HTTP layer counts its own."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest


class AnsweringSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, each request answered inside `answering()`, as
    handlers/web.py does over HTTP: the delivery turns (bot/turns.py) make way
    for answers over the websocket too, where Slack waits the same 3 s for each ack."""

    def __init__(
        self,
        app: AsyncApp,
        app_token: str | None,
        *,
        answering: Callable[[], AbstractContextManager[object]],
    ) -> None:
        super().__init__(app, app_token)
        self._answering = answering

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        with self._answering():
            await super().handle(client, req)
