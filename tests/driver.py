"""Drives the running app the way Slack does: signed HTTP requests with real payload shapes."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.config import Settings
from bot.core.ports import Clock
from bot.runtime import Runtime, build_runtime, drain_background_work

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids):08d}"


def sign(
    body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RunningApp:
    """The real app (build_runtime) served on a free port in a thread of its own."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime: Runtime | None = None
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> RunningApp:
        self._thread.start()
        self.call(self._start())
        return self

    async def _start(self) -> None:
        self.runtime = build_runtime(self.settings, clock=self.clock)
        self._runner = web.AppRunner(self.runtime.web, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.runtime.drainer.start()  # as serve() does

    def call(self, coroutine: Any, timeout: float = 30) -> Any:
        """Run a coroutine on the app's own loop (e.g. a repository query) and return its result."""
        return self.submit(coroutine).result(timeout)

    def submit(self, coroutine: Any) -> concurrent.futures.Future[Any]:
        """Start a coroutine on the app's own loop; its result comes later."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def stop(self) -> None:
        async def shutdown() -> None:
            if self.runtime:
                await self.runtime.drainer.stop()
            if self._runner:
                await self._runner.shutdown()
            await drain_background_work(grace_seconds=10)
            if self._runner:
                await self._runner.cleanup()
            if self.runtime:
                await self.runtime.close()

        self.call(shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class SlackDriver:
    """Builds Slack's payloads, signs them, and posts them to the app."""

    def __init__(self, base_url: str, *, response_url: str, team_id: str = "T0001") -> None:
        self.base_url = base_url
        self.response_url = response_url
        self.team_id = team_id

    # --- raw HTTP --------------------------------------------------------------------------

    def post(
        self,
        body: bytes,
        *,
        content_type: str,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        path: str = "/slack/events",
    ) -> Reply:
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {})}
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.base_url + path, data=body, headers=all_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return Reply(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())

    def get(self, path: str) -> Reply:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=15) as response:
                return Reply(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())

    # --- Slack's payloads ----------------------------------------------------------------------

    def command_body(
        self,
        text: str,
        *,
        user: str = "U0001",
        channel: str = "C0001",
        trigger_id: str | None = None,
        team_id: str | None = None,
    ) -> bytes:
        fields = {
            "token": "FAKEverificationTOKEN0001",
            "team_id": team_id or self.team_id,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "alice",
            "command": "/delight",
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": self.response_url,
            "trigger_id": trigger_id or unique("1111.2222."),
        }
        return urlencode(fields).encode()

    def command(self, text: str, **kwargs: Any) -> Reply:
        return self.post(
            self.command_body(text, **kwargs), content_type="application/x-www-form-urlencoded"
        )

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, content_type="application/x-www-form-urlencoded", **kwargs)

    def view_submission(
        self,
        *,
        recipients: list[str],
        story: str,
        elements: list[str] = (),  # type: ignore[assignment]
        user: str = "U0001",
        private_metadata: str = '{"channel_id": "C0001"}',
        view_id: str | None = None,
        team_id: str | None = None,
        installed_in: str | None = None,
    ) -> Reply:
        """`installed_in`: the workspace whose installation opened the modal, when it differs
        from the person's (a Slack Connect channel)."""
        team = team_id or self.team_id
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": "alice", "name": "alice", "team_id": team},
            "api_app_id": "A0001",
            "token": "FAKEverificationTOKEN0001",
            "trigger_id": unique("3333.4444."),
            "view": {
                "id": view_id or unique("V"),
                "team_id": team,
                "type": "modal",
                "blocks": [],
                "private_metadata": private_metadata,
                "callback_id": "delight_nomination",
                "state": {
                    "values": {
                        "recipients": {
                            "users": {"type": "multi_users_select", "selected_users": recipients}
                        },
                        "story": {"text": {"type": "plain_text_input", "value": story}},
                        "elements": {
                            "chosen": {
                                "type": "checkboxes",
                                "selected_options": [
                                    {"text": {"type": "plain_text", "text": e}, "value": e}
                                    for e in elements
                                ],
                            }
                        },
                    }
                },
                "hash": "1700000000.FAKEhash",
                "title": {"type": "plain_text", "text": "Recognise someone"},
                "app_id": "A0001",
                "bot_id": "B0001",
                **({"app_installed_team_id": installed_in} if installed_in else {}),
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.interaction(payload)

    def message_shortcut(
        self, *, author: str | None, text: str, user: str = "U0001", channel: str = "C0001"
    ) -> Reply:
        message: dict[str, Any] = {"type": "message", "text": text, "ts": "1700000500.000100"}
        if author:
            message["user"] = author
        payload = {
            "type": "message_action",
            "token": "FAKEverificationTOKEN0001",
            "action_ts": "1700000600.000000",
            "team": {"id": self.team_id, "domain": "acme"},
            "user": {"id": user, "name": "alice", "team_id": self.team_id},
            "channel": {"id": channel, "name": "general"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": "recognise_message",
            "trigger_id": unique("5555.6666."),
            "response_url": self.response_url,
            "message_ts": message["ts"],
            "message": message,
        }
        return self.interaction(payload)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> Reply:
        envelope = {
            "token": "FAKEverificationTOKEN0001",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or unique("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": self.team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                    "enterprise_id": None,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(
            json.dumps(envelope).encode(), content_type="application/json", headers=headers
        )

    def mention(
        self, text: str, *, user: str = "U0001", channel: str = "C0001", **kw: Any
    ) -> Reply:
        return self.event(
            {
                "type": "app_mention",
                "user": user,
                "text": f"<@UBOT> {text}",
                "ts": "1700000700.000100",
                "channel": channel,
                "event_ts": "1700000700.000100",
            },
            **kw,
        )

    # --- issue 3: buttons, reactions, App Home, settings -------------------------------------

    def block_action(
        self,
        action: dict[str, Any],
        *,
        user: str = "U0002",
        team_id: str | None = None,
        channel: str | None = "C0001",
        message_ts: str | None = None,
        view: dict[str, Any] | None = None,
    ) -> Reply:
        """A click on a button or overflow option (block_actions), as Slack sends it."""
        team = team_id or self.team_id
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0001",
            "token": "FAKEverificationTOKEN0001",
            "trigger_id": unique("7777.8888."),
            "response_url": self.response_url,
            "actions": [{"block_id": "b", "action_ts": "1700000800.000000", **action}],
            "is_enterprise_install": False,
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "VHOME")}
            payload["view"] = view
        elif channel is not None:
            payload["container"] = {
                "type": "message",
                "channel_id": channel,
                "message_ts": message_ts or "1700000000.000001",
            }
            payload["channel"] = {"id": channel, "name": "general"}
            payload["message"] = {"type": "message", "ts": message_ts or "1700000000.000001"}
        return self.interaction(payload)

    def button(self, action_id: str, value: str, **kwargs: Any) -> Reply:
        return self.block_action(
            {"type": "button", "action_id": action_id, "value": value}, **kwargs
        )

    def reaction(
        self,
        emoji: str,
        *,
        channel: str,
        ts: str,
        user: str = "U0002",
        removed: bool = False,
        **kwargs: Any,
    ) -> Reply:
        return self.event(
            {
                "type": "reaction_removed" if removed else "reaction_added",
                "user": user,
                "reaction": emoji,
                "item_user": "UBOT",
                "item": {"type": "message", "channel": channel, "ts": ts},
                "event_ts": "1700000900.000100",
            },
            **kwargs,
        )

    def home_opened(self, user: str = "U0001", **kwargs: Any) -> Reply:
        return self.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0001",
                "tab": "home",
                "event_ts": "1700000950.000100",
            },
            **kwargs,
        )

    def submit_view(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user: str,
        private_metadata: str = "",
        previous_view_id: str | None = None,
        team_id: str | None = None,
    ) -> Reply:
        """Any modal's submission, with its state values given block → action → value.
        `previous_view_id`: the view below it on the stack, when it was pushed."""
        team = team_id or self.team_id
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0001",
            "token": "FAKEverificationTOKEN0001",
            "trigger_id": unique("9999.0000."),
            "view": {
                "id": unique("V"),
                "team_id": team,
                "type": "modal",
                "previous_view_id": previous_view_id,
                "blocks": [],
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": values},
                "hash": "1700000000.FAKEhash",
                "app_id": "A0001",
                "bot_id": "B0001",
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return self.interaction(payload)

    def suggestion(self, action_id: str, typed: str, *, user: str, view_id: str = "VFORM") -> Reply:
        """An external select asking for its options (block_suggestion) as someone types."""
        payload = {
            "type": "block_suggestion",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "container": {"type": "view", "view_id": view_id},
            "api_app_id": "A0001",
            "token": "FAKEverificationTOKEN0001",
            "action_id": action_id,
            "block_id": action_id,
            "value": typed,
            "team": {"id": self.team_id, "domain": "acme"},
            "view": {"id": view_id, "type": "modal", "private_metadata": ""},
        }
        return self.interaction(payload)
