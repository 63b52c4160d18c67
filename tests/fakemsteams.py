"""A fake Bot Connector: the Bot Framework's OpenID metadata, keys and token endpoint, and the
v3 REST API under a service URL with a path; records every call, fails on demand, and signs
activities as the Bot Framework does.

Runs in a thread with its own event loop (FakeConnector.start()), like tests/fakeslack.py, so
the app under test and the test itself both reach it over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import itertools
import json
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

# The test bot's Entra app: the same ids as ../shared/teams-payloads (28:<CLIENT_ID> is the bot).
CLIENT_ID = "42fa557d-5b48-5785-bf22-ee564bc025bd"
CLIENT_SECRET = "fake-teams-client-secret"
BOT_ID = f"28:{CLIENT_ID}"
BOT_NAME = "Delight"
TENANT_ID = "28efbb18-2065-5f35-a9f0-6521047a0497"
ISSUER = "https://api.botframework.com"
SCOPE = "https://api.botframework.com/.default"
TEAM_ID = "19:team-general@thread.tacv2"  # the team's id, and its General channel's
THREAD_ROOT = "1733550000000"  # a channel message the examples reply to and act on
ENDORSEMENTS = ["msteams", "skype", "webchat"]


@dataclass(frozen=True)
class Person:
    """Someone in the test tenant, by each of their ids."""

    aad_id: str
    member_id: str
    name: str
    personal_id: str  # their 1:1 conversation with the bot

    def sender(self) -> dict[str, str]:
        """As an activity's `from`."""
        return {"id": self.member_id, "name": self.name, "aadObjectId": self.aad_id}


def _personal_id(aad_id: str) -> str:
    return "a:1" + hashlib.sha256(aad_id.encode()).hexdigest()[:40]


ALICE = Person(
    "619b48b9-7842-5523-9653-01b62d817ddb",
    "29:12r0duNNasTEGJ09h8b-XeBLM5PR3sVAUzzj7eWxQpMTavR2401qxMQ",
    "Alice Archer",
    "a:1hMISPiHFLF9xJCPN6dSsv14z6v-bhx3XcNMPc-_pUHiEwhI-IcUsX3EkI83p1Ky_XjPq_5uHHddw0w9z",
)
BOB = Person(
    "e5772891-4fc9-5238-a677-df86954e3ba6",
    "29:1PPEFKV-Rjrj03ZbRtUURfTf9HhCAeeR4AT2-KiaUS3I88QUpX5GOuP",
    "Bob Baker",
    _personal_id("e5772891-4fc9-5238-a677-df86954e3ba6"),
)
CAROL = Person(
    "dd193c2a-ba08-52da-908f-11f468a7dd61",
    "29:1gU_SbFj1h4fQ36qlVWTBgILCf_gFe2U8GHC2EyWj2MSBT9JsWPWHh9",
    "Carol Chen",
    _personal_id("dd193c2a-ba08-52da-908f-11f468a7dd61"),
)


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# Made once per test session (a 2048-bit key takes a fraction of a second).
SIGNING_KEY = _rsa_key()  # served as KEY_ID
NEXT_KEY = _rsa_key()  # served after rotate_keys()
STRANGER_KEY = _rsa_key()  # never served: a token signed with it is forged
KEY_ID = "fake-key-1"
NEXT_KEY_ID = "fake-key-2"


def mention(member_id: str, name: str, text: str | None = None) -> dict[str, Any]:
    """A `mention` entity, as Teams puts one in `entities` for each <at> tag of the text."""
    return {
        "mentioned": {"id": member_id, "name": name},
        "text": f"<at>{text or name}</at>",
        "type": "mention",
    }


@dataclass
class Call:
    method: str
    path: str  # as sent, still quoted
    body: Any
    token: str | None
    at: float


@dataclass
class Fault:
    method: str
    path_contains: str
    status: int | None  # None: only slow, then answered as usual
    times: int
    retry_after: float | None = None
    code: str | None = None
    delay: float = 0.0


# Teams' published limits for a bot: per conversation (messages sent, replied, updated or
# deleted), and per app per tenant (every request).
CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0))
TENANT_LIMIT: tuple[int, float] = (50, 1.0)
MESSAGE_ROUTES = frozenset({"send", "reply", "update", "delete"})


@dataclass
class RateLimits:
    """What the fake enforces once `limit_rates()` is called: a request beyond a sliding window
    is answered 429 with Retry-After (the seconds until it would fit) and does not count."""

    per_conversation: tuple[tuple[int, float], ...] = CONVERSATION_LIMITS
    per_tenant: tuple[int, float] = TENANT_LIMIT
    windows: dict[str, deque[float]] = field(default_factory=dict)  # key → accepted times
    accepted: list[float] = field(default_factory=list)  # every v3 request let through
    throttled: Counter[str] = field(default_factory=Counter)  # 429s, by route name

    def admit(self, route: str, conversation: str | None, tenant: str, now: float) -> float:
        """0 when the request may go (and it is counted), else the seconds until it may."""
        checks = [(f"tenant {tenant}", *self.per_tenant)]
        if route in MESSAGE_ROUTES and conversation:
            checks += [
                (f"{conversation} {seconds}", n, seconds) for n, seconds in self.per_conversation
            ]
        wait = 0.0
        for key, limit, seconds in checks:
            times = self.windows.setdefault(key, deque())
            while times and times[0] <= now - seconds:
                times.popleft()
            if len(times) >= limit:
                wait = max(wait, times[len(times) - limit] + seconds - now)
        if wait > 0:
            self.throttled[route] += 1
            return wait
        for key, _, _ in checks:
            self.windows[key].append(now)
        self.accepted.append(now)
        return 0.0


@dataclass
class ServedKey:
    kid: str
    private: rsa.RSAPrivateKey
    endorsements: list[str] = field(default_factory=lambda: list(ENDORSEMENTS))


@dataclass
class Conversation:
    kind: str  # personal | channel | groupChat
    roster: str  # the key of its members in FakeState.rosters (the team's id for a channel)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)


def _default_rosters() -> dict[str, list[str]]:
    """The team's, and each person's 1:1 chat with the bot."""
    people = (ALICE, BOB, CAROL)
    return {TEAM_ID: [p.aad_id for p in people]} | {p.personal_id: [p.aad_id] for p in people}


@dataclass
class FakeState:
    issuer: str = ISSUER
    keys: list[ServedKey] = field(default_factory=lambda: [ServedKey(KEY_ID, SIGNING_KEY)])
    token_lifetime: int = 3600
    tokens: dict[str, float] = field(default_factory=dict)  # issued token → expires (time.time)
    fetches: Counter[str] = field(default_factory=Counter)  # openid, keys, token
    calls: list[Call] = field(default_factory=list)  # the v3 REST calls
    operations: Counter[str] = field(default_factory=Counter)  # the v3 calls, by route name
    faults: list[Fault] = field(default_factory=list)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # AAD id → account
    rosters: dict[str, list[str]] = field(default_factory=_default_rosters)  # key → AAD ids
    channels: dict[str, list[tuple[str, str | None]]] = field(
        default_factory=lambda: {TEAM_ID: [(TEAM_ID, None)]}
    )
    conversations: dict[str, Conversation] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)  # AAD ids whose 1:1 Teams refuses
    anonymous: bool = False  # any token will do, as in Microsoft's Agents Playground
    limits: RateLimits | None = None  # Teams' rate limits, enforced (limit_rates())
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1796623352000))


def _account(person: Person, tenant_id: str = TENANT_ID, **extra: Any) -> dict[str, Any]:
    given, _, surname = person.name.partition(" ")
    login = given.lower() + "@contoso.example"
    return {
        "id": person.member_id,
        "name": person.name,
        "aadObjectId": person.aad_id,
        "givenName": given,
        "surname": surname or None,
        "email": login,
        "userPrincipalName": login,
        "tenantId": tenant_id,
        "userRole": "user",
        **extra,
    }


def _error(status: int, code: str, message: str = "", **headers: str) -> web.Response:
    body = {"error": {"code": code, "message": message or code}}
    return web.json_response(body, status=status, headers=headers)


DEFAULT_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    412: "PreconditionFailed",
    429: "Throttled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class FakeConnector:
    """The fake server, its store and its recorded calls."""

    def __init__(self, *, keep_calls: bool = True) -> None:
        """`keep_calls=False` (a benchmark's long runs): the v3 calls are only counted
        (`operations`), and nothing posted is kept, so `calls` and `activities` stay empty
        and an update or a delete finds nothing."""
        self.keep_calls = keep_calls
        self.state = FakeState()
        self._lock = threading.Lock()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.reset()

    # --- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/openid"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    @property
    def service_url(self) -> str:
        """Like https://smba.trafficmanager.net/amer/: a path every call goes under."""
        return f"{self.base_url}/amer/"

    # --- control, for tests ------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.state = FakeState()
            for person in (ALICE, BOB, CAROL):
                self.state.people[person.aad_id] = _account(person)

    @property
    def fetches(self) -> Counter[str]:
        """How often the metadata ("openid"), the keys ("keys") and a token ("token") were
        fetched, failed fetches included."""
        with self._lock:
            return Counter(self.state.fetches)

    @property
    def operations(self) -> Counter[str]:
        """The v3 calls by route name ("create", "send", "member", …), kept or not."""
        with self._lock:
            return Counter(self.state.operations)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self.state.calls)

    def activities(self, conversation_id: str) -> list[dict[str, Any]]:
        """What the bot posted to the conversation (as given, a thread's id included) and did
        not delete, as last updated."""
        with self._lock:
            found = self.state.conversations.get(conversation_id)
            return [copy.deepcopy(a) for a in found.activities.values()] if found else []

    def deleted(self, conversation_id: str) -> list[str]:
        with self._lock:
            found = self.state.conversations.get(conversation_id)
            return list(found.deleted) if found else []

    def add_member(
        self,
        tenant: str,
        aad_id: str,
        name: str,
        member_id: str | None = None,
        conversations: tuple[str, ...] = (TEAM_ID,),
        **extra: Any,
    ) -> Person:
        """Someone in the roster of `conversations` (a team's id for its channels)."""
        key = aad_id.lower()  # Teams' AAD ids may come in either case; this fake keeps both
        person = Person(
            aad_id,
            member_id or "29:1" + hashlib.sha256(key.encode()).hexdigest()[:48],
            name,
            _personal_id(key),
        )
        with self._lock:
            self.state.people[key] = _account(person, tenant, **extra)
            self.state.rosters[person.personal_id] = [key]
            for conversation in conversations:
                roster = self.state.rosters.setdefault(self._roster_key(conversation), [])
                if key not in roster:
                    roster.append(key)
        return person

    def add_channel(self, team_id: str, channel_id: str, name: str | None) -> None:
        with self._lock:
            self.state.channels.setdefault(team_id, []).append((channel_id, name))

    def fail(
        self,
        method: str,
        path_contains: str,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        """The next `times` requests whose method and (quoted) path match answer `status`
        with Teams' error body; any path, the token, metadata and keys included."""
        with self._lock:
            self.state.faults.append(
                Fault(method.upper(), path_contains, status, times, retry_after, code)
            )

    def limit_rates(self, limits: RateLimits | None = None) -> RateLimits:
        """Enforce Teams' rate limits from now on (until reset()); the returned limits count
        what was let through and what was throttled."""
        with self._lock:
            self.state.limits = limits or RateLimits()
            return self.state.limits

    def slow(self, method: str, path_contains: str, seconds: float, times: int = 1) -> None:
        """The next `times` matching requests wait `seconds` before they are answered."""
        with self._lock:
            self.state.faults.append(
                Fault(method.upper(), path_contains, None, times, delay=seconds)
            )

    def refuse_personal(self, aad_or_member_id: str) -> None:
        """Teams refuses (403) to open or post to this person's 1:1 with the bot, as when the
        app is not installed for them or they blocked it."""
        with self._lock:
            account = self._person(aad_or_member_id)
            self.state.refused.add(_key(account) if account else aad_or_member_id.lower())

    def play(self) -> None:
        """Answer as the Agents Playground does: whatever token comes (or none)."""
        with self._lock:
            self.state.anonymous = True

    def rotate_keys(self) -> None:
        """Serve the next key instead of the current one; sign() signs with it."""
        with self._lock:
            self.state.keys = [ServedKey(NEXT_KEY_ID, NEXT_KEY)]

    def set_token_lifetime(self, seconds: int) -> None:
        with self._lock:
            self.state.token_lifetime = seconds

    def revoke_tokens(self) -> None:
        with self._lock:
            self.state.tokens.clear()

    # --- what the Bot Framework sends ------------------------------------------------------

    def sign(self, activity: dict[str, Any] | None = None, **overrides: Any) -> str:
        """A JWT as the Bot Framework sends with `activity`. Overrides: any claim (None drops
        it), `key` (a private key: STRANGER_KEY forges), `kid` (None: no kid), `alg`
        ("HS256", "none")."""
        now = int(time.time())
        with self._lock:
            served = self.state.keys[0]
        service_url = (activity or {}).get("serviceUrl", self.service_url)
        claims: dict[str, Any] = {
            "serviceurl": service_url,
            "nbf": now - 5,
            "exp": now + 3600,
            "iss": ISSUER,
            "aud": CLIENT_ID,
        }
        key = overrides.pop("key", served.private)
        kid = overrides.pop("kid", served.kid)
        alg = overrides.pop("alg", "RS256")
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        headers = {"kid": kid} if kid is not None else {}
        if alg == "none":
            return jwt.encode(claims, "", algorithm="none", headers=headers)
        if alg.startswith("HS"):  # "signed" with a shared secret anyone could pick
            return jwt.encode(claims, CLIENT_SECRET * 2, algorithm=alg, headers=headers)
        return jwt.encode(claims, key, algorithm=alg, headers=headers)

    def bearer(self, activity: dict[str, Any] | None = None, **overrides: Any) -> str:
        """The Authorization header's value for `activity`."""
        return "Bearer " + self.sign(activity, **overrides)

    def activity(self, kind: str, **fields: Any) -> dict[str, Any]:
        """An activity shaped like ../shared/teams-payloads/<kind>.json, with a fresh id and
        this fake's service URL. `fields` replace its top-level keys (a dict merges into a
        dict; None removes the key; a trailing "_" is dropped, as in `from_`)."""
        with self._lock:
            number = next(self.state.ids)
        build = _KINDS.get(kind)
        if build is None:
            raise ValueError(f"unknown activity kind {kind!r}; one of {sorted(_KINDS)}")
        activity = build(number)
        activity["serviceUrl"] = self.service_url
        return _merged(activity, {name.rstrip("_"): value for name, value in fields.items()})

    # --- serving -----------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._faults])
        app.router.add_get("/openid", self._openid)
        app.router.add_get("/keys", self._keys)
        app.router.add_post("/token", self._token)
        v3 = "/amer/v3"
        conversation = f"{v3}/conversations/{{conv}}"
        app.router.add_post(f"{v3}/conversations", self._create_conversation, name="create")
        app.router.add_post(f"{conversation}/activities", self._send, name="send")
        app.router.add_post(f"{conversation}/activities/{{aid}}", self._send, name="reply")
        app.router.add_put(f"{conversation}/activities/{{aid}}", self._update, name="update")
        app.router.add_delete(f"{conversation}/activities/{{aid}}", self._delete, name="delete")
        app.router.add_get(f"{conversation}/members/{{member}}", self._member, name="member")
        app.router.add_get(f"{conversation}/members", self._all_members, name="members")
        app.router.add_get(f"{conversation}/pagedmembers", self._paged_members, name="paged")
        app.router.add_get(f"{v3}/teams/{{team}}/conversations", self._team_channels, name="team")
        return app

    def start(self) -> FakeConnector:
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

        self._thread = threading.Thread(target=run, name="fake-msteams", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._runner:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)

    # --- the Bot Framework's login side ------------------------------------------------------

    @web.middleware
    async def _faults(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Counts and records every request, then applies the first matching fault."""
        path = request.raw_path
        limited = self.state.limits is not None and path.startswith("/amer/")
        body = await _body(request) if self.keep_calls or limited else None
        with self._lock:
            if limited and (throttled := self._throttled(request, body)):
                return throttled
            for name in ("openid", "keys", "token"):
                if path == f"/{name}":
                    self.state.fetches[name] += 1
            if path.startswith("/amer/"):
                self.state.operations[request.match_info.route.name or "unknown"] += 1
            if path.startswith("/amer/") and self.keep_calls:
                token = request.headers.get("Authorization", "").removeprefix("Bearer ")
                self.state.calls.append(Call(request.method, path, body, token, time.time()))
            fault = next(
                (
                    f
                    for f in self.state.faults
                    if f.times > 0 and f.method == request.method and f.path_contains in path
                ),
                None,
            )
            if fault is not None:
                fault.times -= 1
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            code = fault.code or DEFAULT_CODES.get(fault.status, "Error")
            return _error(fault.status, code, **headers)
        if path.startswith("/amer/") and (problem := self._token_problem(request)):
            return _error(401, "Unauthorized", problem)
        response: web.StreamResponse = await handler(request)
        return response

    async def _openid(self, request: web.Request) -> web.Response:
        with self._lock:
            issuer = self.state.issuer
        return web.json_response(
            {
                "issuer": issuer,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": f"{self.base_url}/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        with self._lock:
            served = list(self.state.keys)
        keys = []
        for key in served:
            public = json.loads(RSAAlgorithm.to_jwk(key.private.public_key()))
            keys.append(
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": key.kid,
                    "x5t": key.kid,
                    "n": public["n"],
                    "e": public["e"],
                    "endorsements": key.endorsements,
                }
            )
        return web.json_response({"keys": keys})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        expected = {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": SCOPE,
        }
        wrong = [name for name, value in expected.items() if form.get(name) != value]
        if wrong:
            error = "invalid_client" if "client_secret" in wrong else "invalid_request"
            body = {"error": error, "error_description": f"wrong {', '.join(wrong)}"}
            return web.json_response(body, status=401 if error == "invalid_client" else 400)
        token = "fake-bot-token-" + uuid.uuid4().hex
        with self._lock:
            lifetime = self.state.token_lifetime
            self.state.tokens[token] = time.time() + lifetime
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            }
        )

    def _token_problem(self, request: web.Request) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return "no bearer token"
        with self._lock:
            expires = self.state.tokens.get(token)
            if self.state.anonymous:
                return None
        if expires is None:
            return "a token this fake did not issue"
        return "token expired" if expires <= time.time() else None

    # --- the v3 REST API ---------------------------------------------------------------------

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        members = body.get("members") or []
        tenant = body.get("tenantId")
        if (
            (body.get("bot") or {}).get("id") != BOT_ID
            or len(members) != 1
            or not tenant
            or body.get("isGroup") is not False
            or ((body.get("channelData") or {}).get("tenant") or {}).get("id") != tenant
        ):
            return _error(400, "BadArgument", "not a 1:1 conversation Teams would create")
        with self._lock:
            account = self._person(members[0].get("id", ""))
            if account is None:
                return _error(404, "MemberNotFound")
            if _key(account) in self.state.refused:
                return _error(403, "BotNotInConversationRoster", "the bot is not installed")
            conversation_id = _personal_id_of(account)
            self.state.conversations.setdefault(
                conversation_id, Conversation("personal", conversation_id)
            )
            self.state.rosters[conversation_id] = [_key(account)]
        return web.json_response({"id": conversation_id})

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conv"]
        activity = await request.json()
        if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
            return _error(400, "BadArgument", "an activity needs a type")
        with self._lock:
            if self._refuses(conversation_id):
                return _error(403, "ConversationBlockedByUser", "the person blocked the bot")
            conversation = self._conversation(conversation_id)
            activity_id = str(next(self.state.ids))
            reply_to = request.match_info.get("aid")
            stored = {
                **activity,
                "id": activity_id,
                "from": {"id": BOT_ID, "name": BOT_NAME},
                "conversation": {"id": conversation_id},
            }
            if reply_to:
                stored["replyToId"] = reply_to
            if self.keep_calls:
                conversation.activities[activity_id] = stored
        return web.json_response({"id": activity_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        conversation_id, activity_id = request.match_info["conv"], request.match_info["aid"]
        activity = await request.json()
        with self._lock:
            found = self.state.conversations.get(conversation_id)
            if found is None or activity_id not in found.activities:
                return _error(404, "ActivityNotFoundInConversation")
            found.activities[activity_id] = {
                **found.activities[activity_id],
                **activity,
                "id": activity_id,
            }
        return web.json_response({"id": activity_id})

    async def _delete(self, request: web.Request) -> web.Response:
        conversation_id, activity_id = request.match_info["conv"], request.match_info["aid"]
        with self._lock:
            found = self.state.conversations.get(conversation_id)
            if found is None or activity_id not in found.activities:
                return _error(404, "ActivityNotFoundInConversation")
            del found.activities[activity_id]
            found.deleted.append(activity_id)
        return web.Response(status=200)

    async def _member(self, request: web.Request) -> web.Response:
        with self._lock:
            roster = self._roster(request.match_info["conv"])
            account = self._person(request.match_info["member"])
            if account is None or _key(account) not in roster:
                return _error(404, "MemberNotFoundInConversation")
            return web.json_response(account)

    async def _all_members(self, request: web.Request) -> web.Response:
        with self._lock:
            roster = self._roster(request.match_info["conv"])
            return web.json_response([self.state.people[aad_id] for aad_id in roster])

    async def _paged_members(self, request: web.Request) -> web.Response:
        size = int(request.query.get("pageSize", "200"))
        token = request.query.get("continuationToken")
        start = int(base64.b64decode(token).decode().split("=")[1]) if token else 0
        with self._lock:
            roster = self._roster(request.match_info["conv"])
            page = [self.state.people[aad_id] for aad_id in roster[start : start + size]]
        body: dict[str, Any] = {"members": page}
        if start + size < len(roster):
            # Like Teams': opaque, with characters a URL must quote.
            body["continuationToken"] = base64.b64encode(f"offset={start + size}".encode()).decode()
        return web.json_response(body)

    async def _team_channels(self, request: web.Request) -> web.Response:
        with self._lock:
            channels = self.state.channels.get(request.match_info["team"])
        if channels is None:
            return _error(404, "TeamNotFound")
        return web.json_response(
            {"conversations": [{"id": cid, "name": name} for cid, name in channels]}
        )

    # --- the store (called with the lock held) ---------------------------------------------

    def _throttled(self, request: web.Request, body: Any) -> web.Response | None:
        """A 429 when the request passes Teams' rate limits (see RateLimits)."""
        limits = self.state.limits
        assert limits is not None
        route = request.match_info.route.name or "unknown"
        conversation = request.match_info.get("conv")  # a thread is a conversation of its own
        wait = limits.admit(
            route, conversation, self._tenant_of(body, conversation), time.monotonic()
        )
        if wait <= 0:
            return None
        return _error(429, "Throttled", "rate limit", **{"Retry-After": f"{wait:.3f}"})

    def _tenant_of(self, body: Any, conversation_id: str | None) -> str:
        """The tenant a request is made in: as its body says, else its conversation's."""
        if isinstance(body, dict):
            named = (
                body.get("tenantId")
                or ((body.get("channelData") or {}).get("tenant") or {}).get("id")
                or (body.get("conversation") or {}).get("tenantId")
            )
            if isinstance(named, str) and named:
                return named
        for aad_id in self._roster(conversation_id) if conversation_id else []:
            if person := self.state.people.get(aad_id):
                return str(person.get("tenantId") or TENANT_ID)
        return TENANT_ID

    def _person(self, some_id: str) -> dict[str, Any] | None:
        """An account by its 29: id or its AAD object id."""
        if found := self.state.people.get(some_id.lower()):
            return found
        return next((a for a in self.state.people.values() if a["id"] == some_id), None)

    def _roster_key(self, conversation_id: str) -> str:
        """A thread's roster is its channel's; a channel's is its team's."""
        channel = conversation_id.split(";messageid=")[0]
        for team_id, channels in self.state.channels.items():
            if any(cid == channel for cid, _ in channels):
                return team_id
        return channel

    def _roster(self, conversation_id: str) -> list[str]:
        return self.state.rosters.get(self._roster_key(conversation_id), [])

    def _conversation(self, conversation_id: str) -> Conversation:
        """Teams knows every conversation a test posts to; this fake learns them then."""
        if conversation_id not in self.state.conversations:
            kind = "personal" if conversation_id.startswith("a:") else "channel"
            self.state.conversations[conversation_id] = Conversation(
                kind, self._roster_key(conversation_id)
            )
        return self.state.conversations[conversation_id]

    def _refuses(self, conversation_id: str) -> bool:
        return any(
            _personal_id_of(self.state.people[aad_id]) == conversation_id
            for aad_id in self.state.refused
            if aad_id in self.state.people
        )


def _key(account: dict[str, Any]) -> str:
    """The store's key of an account: its AAD id, lowercase."""
    return str(account["aadObjectId"]).lower()


def _personal_id_of(account: dict[str, Any]) -> str:
    aad_id = _key(account)
    return ALICE.personal_id if aad_id == ALICE.aad_id else _personal_id(aad_id)


async def _body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    text = await request.text()
    try:
        return json.loads(text)
    except ValueError:
        return text


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        elif isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = _merged(merged[name], value)
        else:
            merged[name] = value
    return merged


# --- activities shaped like ../shared/teams-payloads ---------------------------------------

_CLIENT_INFO = {
    "locale": "en-US",
    "country": "US",
    "platform": "Web",
    "timezone": "Europe/Amsterdam",
    "type": "clientInfo",
}
_TEAM_CHANNEL_DATA = {
    "teamsChannelId": TEAM_ID,
    "teamsTeamId": TEAM_ID,
    "channel": {"id": TEAM_ID},
    "team": {"id": TEAM_ID},
    "tenant": {"id": TENANT_ID},
}


def _common(
    kind: str,
    activity_id: str,
    *,
    sender: Person = ALICE,
    conversation_id: str = TEAM_ID,
    personal: bool = False,
) -> dict[str, Any]:
    if personal:
        conversation: dict[str, Any] = {"conversationType": "personal"}
        channel_data: dict[str, Any] = {"tenant": {"id": TENANT_ID}}
    else:
        conversation = {"isGroup": True, "conversationType": "channel"}
        channel_data = copy.deepcopy(_TEAM_CHANNEL_DATA)
    return {
        "type": kind,
        "id": activity_id,
        "timestamp": "2026-12-07T06:02:31.859Z",
        "localTimestamp": "2026-12-07T07:02:31.859+01:00",
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "from": sender.sender(),
        "conversation": {**conversation, "tenantId": TENANT_ID, "id": conversation_id},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "locale": "en-US",
        "localTimezone": "Europe/Amsterdam",
        "entities": [dict(_CLIENT_INFO)],
        "channelData": channel_data,
    }


def _invoke_id(number: int) -> str:
    return f"f:{uuid.uuid4()}"


def _channel_mention_message(number: int) -> dict[str, Any]:
    activity = _common("message", str(number), conversation_id=f"{TEAM_ID};messageid={number}")
    activity["entities"] = [
        mention(BOT_ID, BOT_NAME),
        mention(BOB.member_id, BOB.name, "Bob"),
        dict(_CLIENT_INFO),
    ]
    story = "stayed after close to help a customer find the right gift #voluntary"
    activity["text"] = f"<at>{BOT_NAME}</at> <at>Bob</at> {story}"
    activity["textFormat"] = "plain"
    tag = '<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="{}">{}</span>'
    html = f"<div><div>{tag.format(0, BOT_NAME)} {tag.format(1, 'Bob')} {story}</div></div>"
    activity["attachments"] = [{"contentType": "text/html", "content": html}]
    return activity


def _personal_message(number: int) -> dict[str, Any]:
    activity = _common("message", str(number), conversation_id=ALICE.personal_id, personal=True)
    activity.update(text="help", textFormat="plain")
    return activity


def _message_action_fetch_task(number: int) -> dict[str, Any]:
    thread = f"{TEAM_ID};messageid={THREAD_ROOT}"
    activity = _common("invoke", _invoke_id(number), conversation_id=thread)
    activity["name"] = "composeExtension/fetchTask"
    activity["value"] = {
        "commandId": "recognise",
        "commandContext": "message",
        "context": {"theme": "default"},
        "messagePayload": {
            "id": THREAD_ROOT,
            "messageType": "message",
            "createdDateTime": "2026-12-07T09:00:00Z",
            "from": {
                "user": {
                    "id": BOB.aad_id,
                    "displayName": BOB.name,
                    "userIdentityType": "aadUser",
                    "tenantId": TENANT_ID,
                }
            },
            "body": {
                "contentType": "html",
                "content": "<p>Customer in store 12 found the gift she wanted.</p>",
            },
            "linkToMessage": f"https://teams.microsoft.com/l/message/{TEAM_ID}/{THREAD_ROOT}",
        },
    }
    return activity


def _message_action_submit_action(number: int) -> dict[str, Any]:
    thread = f"{TEAM_ID};messageid={THREAD_ROOT}"
    activity = _common("invoke", _invoke_id(number), conversation_id=thread)
    activity["name"] = "composeExtension/submitAction"
    activity["value"] = {
        "commandId": "recognise",
        "commandContext": "message",
        "botMessagePreviewAction": None,
        "data": {
            "people": BOB.aad_id,
            "story": "stayed after close to help a customer find the right gift",
            "elements": "voluntary,delight",
            "private": "false",
        },
    }
    return activity


def _card_action_execute(number: int) -> dict[str, Any]:
    thread = f"{TEAM_ID};messageid={THREAD_ROOT}"
    activity = _common("invoke", _invoke_id(number), sender=CAROL, conversation_id=thread)
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {
        "action": {
            "type": "Action.Execute",
            "id": "endorse",
            "verb": "endorse",
            "data": {"kudos": "42"},
        },
        "trigger": "manual",
    }
    activity["replyToId"] = "1733550001234"
    return activity


def _message_reaction_added(number: int) -> dict[str, Any]:
    thread = f"{TEAM_ID};messageid={THREAD_ROOT}"
    activity = _common("messageReaction", str(number), sender=CAROL, conversation_id=thread)
    activity["reactionsAdded"] = [{"type": "like"}]
    activity["replyToId"] = "1733550001234"
    return activity


def _conversation_update_bot_added_to_team(number: int) -> dict[str, Any]:
    activity = _common("conversationUpdate", str(number))
    activity["channelData"]["eventType"] = "teamMemberAdded"
    activity["membersAdded"] = [{"id": BOT_ID, "name": BOT_NAME}]
    return activity


def _installation_update_add(number: int) -> dict[str, Any]:
    activity = _common("installationUpdate", str(number))
    activity["channelData"]["source"] = {"name": "message"}
    activity["action"] = "add"
    return activity


_KINDS = {
    "channel_mention_message": _channel_mention_message,
    "personal_message": _personal_message,
    "message_action_fetch_task": _message_action_fetch_task,
    "message_action_submit_action": _message_action_submit_action,
    "card_action_execute": _card_action_execute,
    "message_reaction_added": _message_reaction_added,
    "conversation_update_bot_added_to_team": _conversation_update_bot_added_to_team,
    "installation_update_add": _installation_update_add,
}
