"""A fake Slack Web API: answers like Slack, records every call, fails on demand.

Runs in a thread for the tests (FakeSlack.start()) or as its own process for the benchmarks
(`python -m tests.fakeslack --port 4000`). It checks what Slack checks (Block Kit limits,
known users and channels) so a message Slack would reject fails here too.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEAM_ID = "T0001"
BOT_USER_ID = "UBOT"
# The app's credentials as this fake Slack knows them (multi-workspace mode).
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret-0123456789"
ROTATED_TOKEN_SECONDS = 12 * 3600  # what Slack gives a rotating token


def user(uid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": name.title(),
        "deleted": False,
        "is_bot": False,
        "tz": "Europe/Amsterdam",
        "profile": {"display_name": name, "display_name_normalized": name},
        **extra,
    }


def with_locale(found: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """As Slack answers: a person's `locale` only when asked for (`include_locale`); a test
    sets someone's with `user(..., locale="nl-NL")`, everyone else's is "en-US"."""
    if str(args.get("include_locale")).lower() not in ("true", "1"):
        return {key: value for key, value in found.items() if key != "locale"}
    return {"locale": "en-US", **found}


def default_users() -> dict[str, dict[str, Any]]:
    people = [
        user("U0001", "alice"),
        user("U0002", "bob"),
        user("U0003", "carol"),
        user("U0004", "maria"),
        user("U0005", "tom", tz="America/New_York"),
        user(BOT_USER_ID, "delight", is_bot=True),
        user("UBOT2", "deploybot", is_bot=True),
        user("UGONE", "leaver", deleted=True),
        user("USLACKBOT", "slackbot"),
        user("UDUP1", "sam"),
        user("UDUP2", "sam2", profile={"display_name": "sam"}),
        user("UADMIN", "ada", is_admin=True),
        user("UOWNER", "olga", is_owner=True),
    ]
    people += [user(f"UM{n:04d}", f"member{n}") for n in range(20)]
    return {p["id"]: p for p in people}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    peer_port: int | None = None  # the client's port: one per connection it opened


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


@dataclass
class Grant:
    """An admin's approval on Slack's install page, waiting to be exchanged for a token."""

    team_id: str
    team_name: str
    installer_id: str
    rotating: bool
    expires_in: int  # seconds, for the first token of a rotating install


@dataclass
class Issued:
    """A token this fake handed out: a bot token, or (with rotation) a refresh token."""

    team_id: str
    kind: str  # "bot" or "refresh"
    expires_at: float | None = None  # time.time(); rotating bot tokens only
    revoked: bool = False


@dataclass
class FakeSlackState:
    users: dict[str, dict[str, Any]] = field(default_factory=default_users)
    channel_errors: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # posted
    failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    latency: float = 0.0
    lock: threading.Condition = field(default_factory=threading.Condition)
    envelopes: deque[dict[str, Any]] = field(default_factory=deque)  # for Socket Mode clients
    ts_counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    held: set[str] = field(default_factory=set)  # methods whose calls hang, unanswered
    held_calls: list[Call] = field(default_factory=list)  # never carried out
    delayed: set[str] = field(default_factory=set)  # methods whose calls wait, then succeed
    delayed_waiting: int = 0
    grants: dict[str, Grant] = field(default_factory=dict)  # OAuth code → what was approved
    issued: dict[str, Issued] = field(default_factory=dict)  # token → whose, until when
    # For digests: user groups and channel members, and the files uploaded (file id → bytes).
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    upload_failures: int = 0  # the next N uploads to the upload URL are refused (400)
    shared_files: list[dict[str, Any]] = field(default_factory=list)  # completed uploads
    # What conversations.info says of channels that differ from a public one Delight isn't in.
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    # users.list: how many more people (colleague0, colleague1, …) each workspace has.
    crowds: dict[str, int] = field(default_factory=dict)
    # (method, workspace) → seconds each such call takes before it is answered.
    slow: dict[tuple[str, str], float] = field(default_factory=dict)


# --- what Slack checks ----------------------------------------------------------------------


def block_problems(blocks: Any, *, limit: int = 50) -> list[str]:
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    problems = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks > {limit}")
    for block in blocks:
        kind = block.get("type")
        texts = []
        if kind == "section":
            texts.append((block.get("text") or {}).get("text", ""))
            if not texts[0]:
                problems.append("section without text")
        if kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                problems.append("context needs 1-10 elements")
            texts += [e.get("text", "") for e in elements]
        if kind == "header":
            texts.append(block["text"]["text"])
        for text in texts:
            if len(text) > 3000:
                problems.append(f"text of {len(text)} > 3000 characters")
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    problems = block_problems(view.get("blocks"), limit=100)
    if len(view.get("title", {}).get("text", "")) > 24:
        problems.append("title longer than 24")
    if len(view.get("private_metadata", "")) > 3000:
        problems.append("private_metadata longer than 3000")
    blocks = view.get("blocks", [])
    inputs = any(block.get("type") == "input" for block in blocks)
    if view.get("type") == "modal" and inputs and not view.get("submit"):
        problems.append("a modal with inputs needs a submit button")
    for block in blocks:
        element = block.get("element") or {}
        for option in element.get("options", []):
            if len(option.get("description", {}).get("text", "")) > 75:
                problems.append("option description longer than 75")
        problems += _element_problems(block)
    return problems


def _element_problems(block: dict[str, Any]) -> list[str]:
    """Limits of buttons and menus inside a block (actions elements and accessories)."""
    problems = []
    elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
    if block.get("accessory"):
        elements.append(block["accessory"])
    action_ids = [e.get("action_id") for e in elements if e.get("action_id")]
    if len(action_ids) != len(set(action_ids)):
        problems.append("action_id repeated within a block")
    for element in elements:
        if len((element.get("text") or {}).get("text", "")) > 75:
            problems.append("button text longer than 75")
        if len(str(element.get("value", ""))) > 2000:
            problems.append("value longer than 2000")
        if element.get("type") == "overflow" and not 2 <= len(element.get("options", [])) <= 5:
            problems.append("overflow needs 2-5 options")
        confirm = element.get("confirm") or {}
        if len((confirm.get("text") or {}).get("text", "")) > 300:
            problems.append("confirm text longer than 300")
    return problems


class FakeSlack:
    """The fake server and its recorded calls."""

    def __init__(self, state: FakeSlackState | None = None) -> None:
        self.state = state or FakeSlackState()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # --- control, for tests ---------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def fail(self, method: str, *failures: Failure) -> None:
        """The next calls to `method` answer with these failures, in order."""
        with self.state.lock:
            self.state.failures[method].extend(failures)

    def hold(self, method: str) -> None:
        """Calls to `method` hang until `release`, then fail: Slack never carries them out
        (like a request whose sender died before Slack read it). Kept in `held_calls`, not
        in `calls`."""
        with self.state.lock:
            self.state.held.add(method)

    def release(self, method: str) -> None:
        with self.state.lock:
            self.state.held.discard(method)
            self.state.lock.notify_all()

    def delay(self, method: str) -> None:
        """Calls to `method` wait until `undelay`, then are carried out as usual (Slack slow
        to answer, not failing)."""
        with self.state.lock:
            self.state.delayed.add(method)

    def undelay(self, method: str) -> None:
        with self.state.lock:
            self.state.delayed.discard(method)
            self.state.lock.notify_all()

    def wait_for_delayed(self, count: int, timeout: float = 10.0) -> None:
        self.wait_for(lambda fake: fake.state.delayed_waiting >= count, timeout)

    def wait_for_held(self, count: int, timeout: float = 10.0) -> list[Call]:
        self.wait_for(lambda fake: len(fake.state.held_calls) >= count, timeout)
        with self.state.lock:
            return list(self.state.held_calls)

    def calls(self, method: str | None = None) -> list[Call]:
        with self.state.lock:
            return [c for c in self.state.calls if method is None or c.method == method]

    def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self.state.lock:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [c.method for c in self.state.calls]
                    raise AssertionError(f"timed out waiting; calls so far: {methods}")
                self.state.lock.wait(min(left, 0.05))

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        self.wait_for(lambda fake: len(fake.calls(method)) >= count, timeout)
        return self.calls(method)

    def settle(self, quiet: float = 0.3) -> None:
        """Wait until no call has arrived for `quiet` seconds (to prove nothing more comes)."""
        while True:
            with self.state.lock:
                last = self.state.calls[-1].at if self.state.calls else 0.0
            idle = time.monotonic() - last
            if idle >= quiet:
                return
            time.sleep(quiet - idle)

    def push_envelope(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        """Send a Socket Mode envelope to the connected app (as Slack would over its socket)."""
        with self.state.lock:
            self.state.envelopes.append(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": 0,
                    "retry_reason": "",
                }
            )

    def grant(
        self,
        team_id: str,
        *,
        team_name: str = "Other Co",
        installer_id: str = "UADMIN",
        rotating: bool = False,
        expires_in: int = ROTATED_TOKEN_SECONDS,
    ) -> str:
        """An admin of `team_id` approves the install on Slack's page: the code Slack would
        put on the redirect back to the app."""
        code = f"code-{team_id}-{secrets.token_hex(6)}"
        with self.state.lock:
            self.state.grants[code] = Grant(team_id, team_name, installer_id, rotating, expires_in)
        return code

    def crowd(self, team_id: str, people: int) -> None:
        """`team_id`'s users.list also lists this many people, colleague0, colleague1, …"""
        with self.state.lock:
            self.state.crowds[team_id] = people

    def slow_down(self, method: str, team_id: str, seconds: float) -> None:
        """Each call to `method` with `team_id`'s token takes this long (recorded at once)."""
        with self.state.lock:
            self.state.slow[(method, team_id)] = seconds

    def team_of(self, token: str | None) -> str | None:
        """The workspace a token was issued for (tokens not issued here: the default team)."""
        with self.state.lock:
            issued = self.state.issued.get(token or "")
        return TEAM_ID if issued is None else issued.team_id

    def tokens_of(self, team_id: str, kind: str = "bot") -> list[str]:
        with self.state.lock:
            return [
                t for t, i in self.state.issued.items() if i.team_id == team_id and i.kind == kind
            ]

    def revoke_team(self, team_id: str) -> None:
        """The workspace uninstalled the app: its tokens stop working."""
        with self.state.lock:
            for issued in self.state.issued.values():
                if issued.team_id == team_id:
                    issued.revoked = True

    def reset(self) -> None:
        with self.state.lock:
            self.state.grants.clear()
            self.state.issued.clear()
            self.state.shared_files.clear()
            self.state.envelopes.clear()
            self.state.calls.clear()
            self.state.messages.clear()
            self.state.failures.clear()
            self.state.channel_errors.clear()
            self.state.held.clear()
            self.state.held_calls.clear()
            self.state.delayed.clear()
            self.state.delayed_waiting = 0
            self.state.lock.notify_all()  # calls still waiting go through
            self.state.lock.notify_all()
            self.state.users = default_users()
            self.state.usergroups.clear()
            self.state.channel_members.clear()
            self.state.uploads.clear()
            self.state.upload_failures = 0
            self.state.channels.clear()
            self.state.crowds.clear()
            self.state.slow.clear()

    # --- serving --------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)  # file uploads
        app.router.add_post("/api/oauth.v2.access", self._oauth_v2_access)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/_stats", self._stats)
        app.router.add_get("/link", self._socket_mode)
        return app

    def start(self) -> FakeSlack:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(self.application(), access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-slack", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._runner:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)

    # --- handlers ---------------------------------------------------------------------------

    def _record(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        request: web.Request | None = None,
    ) -> None:
        peer = (
            request.transport.get_extra_info("peername") if request and request.transport else None
        )
        call = Call(method, args, token, time.monotonic(), peer[1] if peer else None)
        with self.state.lock:
            self.state.calls.append(call)
            self.state.lock.notify_all()

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        for key in ("blocks", "view", "attachments", "files"):
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    args[key] = {"unparseable": args[key]}
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._read_args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        if method in self.state.held:
            return await self._hang(method, args, token)
        if method in self.state.delayed:
            with self.state.lock:
                self.state.delayed_waiting += 1
                self.state.lock.notify_all()
            await asyncio.get_running_loop().run_in_executor(None, self._wait_undelayed, method)
        self._record(method, args, token, request)
        if self.state.latency:
            await asyncio.sleep(self.state.latency)
        with self.state.lock:
            slow = self.state.slow.get((method, self.team_of(token) or ""))
        if slow:
            await asyncio.sleep(slow)
        with self.state.lock:
            queue = self.state.failures.get(method)
            failure = queue.popleft() if queue else None
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            body = {"ok": False, "error": failure.error or "ratelimited"}
            return web.json_response(body, status=failure.status, headers=headers)
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        if problem := self._token_problem(token):
            return web.json_response({"ok": False, "error": problem})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        if method in ("auth.test", "users.list"):  # answers that depend on the workspace
            return web.json_response(handler(args, token))
        return web.json_response(handler(args))

    def _wait_undelayed(self, method: str) -> None:
        with self.state.lock:
            self.state.lock.wait_for(lambda: method not in self.state.delayed)

    def _wait_released(self, method: str) -> None:
        with self.state.lock:
            self.state.lock.wait_for(lambda: method not in self.state.held)

    async def _hang(self, method: str, args: dict[str, Any], token: str | None) -> web.Response:
        with self.state.lock:
            self.state.held_calls.append(Call(method, args, token, time.monotonic()))
            self.state.lock.notify_all()
        await asyncio.get_running_loop().run_in_executor(None, self._wait_released, method)
        return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)

    def _token_problem(self, token: str) -> str | None:
        with self.state.lock:
            issued = self.state.issued.get(token)
        if issued is None:
            return None  # a token given to the app directly (single-workspace mode)
        if issued.revoked:
            return "token_revoked"
        if issued.kind != "bot":
            return "not_allowed_token_type"
        if issued.expires_at is not None and issued.expires_at <= time.time():
            return "token_expired"
        return None

    # --- OAuth ----------------------------------------------------------------------------

    async def _oauth_v2_access(self, request: web.Request) -> web.Response:
        """The code exchange of an install, and (grant_type=refresh_token) token rotation.
        The client's credentials come as HTTP Basic auth, as slack-sdk sends them."""
        args = await self._read_args(request)
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        self._record("oauth.v2.access", {**args, "client_id": client_id}, None)
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return web.json_response({"ok": False, "error": "invalid_client_id"})
        with self.state.lock:
            queue = self.state.failures.get("oauth.v2.access")
            failure = queue.popleft() if queue else None
        if failure is not None:
            return web.json_response({"ok": False, "error": failure.error or "internal_error"})
        if args.get("grant_type") == "refresh_token":
            return web.json_response(self._refresh(str(args.get("refresh_token") or "")))
        with self.state.lock:
            grant = self.state.grants.pop(str(args.get("code") or ""), None)
        if grant is None:
            return web.json_response({"ok": False, "error": "invalid_code"})
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": "A0001",
            "authed_user": {"id": grant.installer_id},
            "scope": "commands,chat:write,users:read,files:write,im:write",
            "token_type": "bot",
            "bot_user_id": BOT_USER_ID,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        answer.update(self._new_tokens(grant.team_id, grant.rotating, grant.expires_in))
        return web.json_response(answer)

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        with self.state.lock:
            issued = self.state.issued.get(refresh_token)
            if issued is None or issued.kind != "refresh" or issued.revoked:
                return {"ok": False, "error": "invalid_refresh_token"}
            issued.revoked = True  # a refresh token works once
        tokens = self._new_tokens(issued.team_id, True, ROTATED_TOKEN_SECONDS)
        return {"ok": True, "app_id": "A0001", "token_type": "bot", "scope": "commands", **tokens}

    def _new_tokens(self, team_id: str, rotating: bool, expires_in: int) -> dict[str, Any]:
        prefix = "xoxe.xoxb-1-" if rotating else "xoxb-"
        token = f"{prefix}{team_id}-{secrets.token_hex(8)}"
        with self.state.lock:
            if not rotating:
                self.state.issued[token] = Issued(team_id, "bot")
                return {"access_token": token}
            refresh = f"xoxe-1-{team_id}-{secrets.token_hex(8)}"
            self.state.issued[token] = Issued(team_id, "bot", time.time() + expires_in)
            self.state.issued[refresh] = Issued(team_id, "refresh")
        return {"access_token": token, "refresh_token": refresh, "expires_in": expires_in}

    def uploaded(self, file_id: str) -> bytes:
        with self.state.lock:
            return self.state.uploads[file_id]

    async def _response_url(self, request: web.Request) -> web.Response:
        """Slack's response_url: "ok" as text, or a failure queued by `fail("response_url", …)`
        (its status, and Retry-After for a 429)."""
        self._record("response_url", await request.json(), None, request)
        with self.state.lock:
            queue = self.state.failures.get("response_url")
            failure = queue.popleft() if queue else None
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return web.Response(status=failure.status, text=failure.error or "", headers=headers)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The URL files.getUploadURLExternal hands out: the file's bytes are POSTed here."""
        file_id = request.match_info["file_id"]
        body = await request.read()
        self._record("file.upload", {"file_id": file_id, "length": len(body)}, None)
        with self.state.lock:
            if self.state.upload_failures > 0:
                self.state.upload_failures -= 1
                return web.Response(status=400, text="upload refused")
            self.state.uploads[file_id] = body
        return web.Response(text="OK - " + str(len(body)))

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._record("socket.connected", {}, None)
        await socket.send_json({"type": "hello", "num_connections": 1})

        async def pump() -> None:
            while not socket.closed:
                with self.state.lock:
                    envelope = self.state.envelopes.popleft() if self.state.envelopes else None
                if envelope is None:
                    await asyncio.sleep(0.02)
                else:
                    await socket.send_json(envelope)

        pumping = asyncio.ensure_future(pump())
        try:
            async for message in socket:
                if message.type == web.WSMsgType.TEXT:
                    self._record("socket.ack", json.loads(message.data), None)
        finally:
            pumping.cancel()
        return socket

    async def _stats(self, _request: web.Request) -> web.Response:
        with self.state.lock:
            counts: dict[str, int] = defaultdict(int)
            for call in self.state.calls:
                counts[call.method] += 1
            dms = [c.at for c in self.state.calls if c.method == "chat.postMessage"]
        return web.json_response({"counts": counts, "last_post_at": max(dms, default=0)})

    # --- Web API methods ------------------------------------------------------------------

    def _auth_test(self, _args: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "team_id": self.team_of(token),
            "user": "delight",
            "user_id": BOT_USER_ID,
            "bot_id": "B0001",
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.state.users.get(str(args.get("user")))
        if found is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": with_locale(found, args)}

    def _users_list(self, args: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        known = list(self.state.users.values())
        total = len(known) + self.state.crowds.get(self.team_of(token) or "", 0)
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        page = [  # a crowd's people made as their page is asked for
            with_locale(
                known[i] if i < len(known) else user(f"UC{i:07d}", f"colleague{i - len(known)}"),
                args,
            )
            for i in range(start, min(start + limit, total))
        ]
        cursor = str(start + limit) if start + limit < total else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _post_problem(self, args: dict[str, Any]) -> dict[str, Any] | None:
        channel = str(args.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.state.channel_errors:
            return {"ok": False, "error": self.state.channel_errors[channel]}
        if channel.startswith(("U", "W")):
            person = self.state.users.get(channel)
            if person is None:
                return {"ok": False, "error": "channel_not_found"}
            if person["is_bot"]:
                return {"ok": False, "error": "cannot_dm_bot"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if "blocks" in args and (problems := block_problems(args["blocks"])):
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        return None

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if problem := self._post_problem(args):
            return problem
        channel = str(args["channel"])
        if channel.startswith(("U", "W")):
            channel = "D" + channel[1:]
        ts = f"1700000000.{next(self.state.ts_counter):06d}"
        with self.state.lock:
            self.state.messages[(channel, ts)] = args
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text")}}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel") or ""), str(args.get("ts") or ""))
        with self.state.lock:
            if key not in self.state.messages:
                return {"ok": False, "error": "message_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if "blocks" in args and (problems := block_problems(args["blocks"])):
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        with self.state.lock:
            self.state.messages[key] = {**self.state.messages[key], **args}
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """A posted message as it stands now (after any chat.update)."""
        with self.state.lock:
            return self.state.messages[(channel, ts)]

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if not args.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        if problems := view_problems(view):
            return {"ok": False, "error": "invalid_arguments", "errors": problems}
        return {"ok": True, "view": {**view, "id": f"V{next(self.state.ts_counter):06d}"}}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if problem := self._post_problem(args):
            return problem
        return {"ok": True, "message_ts": f"1700000000.{next(self.state.ts_counter):06d}"}

    def _chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args.get("channel"), str(args.get("message_ts") or "")
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        uid = str(args.get("users") or "")
        person = self.state.users.get(uid)
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        if person["deleted"]:
            return {"ok": False, "error": "user_disabled"}
        if person["is_bot"]:
            return {"ok": False, "error": "cannot_dm_bot"}
        return {"ok": True, "channel": {"id": "D" + uid[1:]}}

    def _paged(self, items: list[Any], args: dict[str, Any], key: str) -> dict[str, Any]:
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        cursor = str(start + limit) if start + limit < len(items) else ""
        return {
            "ok": True,
            key: items[start : start + limit],
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        if channel in self.state.channel_errors:
            return {"ok": False, "error": self.state.channel_errors[channel]}
        members = self.state.channel_members.get(channel)
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        return self._paged(members, args, "members")

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if channel in self.state.channel_errors:
            return {"ok": False, "error": self.state.channel_errors[channel]}
        info = {
            "id": channel,
            "is_channel": True,
            "is_private": False,
            "is_archived": False,
            "is_member": False,
            "is_im": False,
            "is_mpim": False,
            **self.state.channels.get(channel, {}),
        }
        if args.get("include_num_members") in (True, "true", "1", 1):
            info.setdefault("num_members", len(self.state.channel_members.get(channel, [])))
        return {"ok": True, "channel": info}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        users = self.state.usergroups.get(str(args.get("usergroup")))
        if users is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": users}

    def _usergroups_list(self, _args: dict[str, Any]) -> dict[str, Any]:
        groups = [
            {"id": gid, "handle": gid.lower(), "name": gid, "user_count": len(users)}
            for gid, users in self.state.usergroups.items()
        ]
        return {"ok": True, "usergroups": groups}

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or int(args.get("length") or 0) <= 0:
            return {"ok": False, "error": "missing_argument"}
        file_id = f"F{next(self.state.ts_counter):08d}"
        url = f"http://127.0.0.1:{self.port}/upload/{file_id}"
        return {"ok": True, "upload_url": url, "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        listed = json.loads(files) if isinstance(files, str) else files or []
        missing = [f["id"] for f in listed if f.get("id") not in self.state.uploads]
        if not listed or missing:
            return {"ok": False, "error": "file_not_found"}
        with self.state.lock:
            self.state.shared_files.extend(
                {**f, "channel_id": args.get("channel_id"), "comment": args.get("initial_comment")}
                for f in listed
            )
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in listed]}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._views_open(args)

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if not args.get("view_id") or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if problems := view_problems(view):
            return {"ok": False, "error": "invalid_arguments", "errors": problems}
        return {"ok": True, "view": {**view, "id": args["view_id"]}}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = args.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if problems := view_problems(view):
            return {"ok": False, "error": "invalid_arguments", "errors": problems}
        return {"ok": True, "view": {**view, "id": f"V{next(self.state.ts_counter):06d}"}}

    def shared_files(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.shared_files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=4000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeSlack(FakeSlackState(latency=args.latency_ms / 1000))
    web.run_app(fake.application(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
