"""The Teams path counted in one process, for `bench.instructions --platform teams`.

Teams' side is answered at once in the process, the way bench.instructions answers Slack's: the
OpenID metadata and keys, the token endpoint and the Bot Connector's v3 calls (open a 1:1, send,
look a member up), by replacing aiohttp's client methods for the whole process (both apps reach
Teams through aiohttp alone). Each request body is serialised as aiohttp would: both apps pay
that. The activities are bench.teams_delivery's, each with the Bot Framework's token, and go
straight to the app's `POST /api/messages` handler (the HTTP server is left out: both apps pay
it alike), CONCURRENCY at a time. A kudos is done when its giver's 1:1 card is sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, cast
from urllib.parse import unquote

import aiohttp
from aiohttp import web
from jwt.algorithms import RSAAlgorithm

from bench.fake_connector import BenchPerson, giver, is_giver, recipient
from bench.teams_apps import build_minimal, delight_settings
from bench.teams_delivery import (
    DEFAULT_GIVERS,
    DEFAULT_PEOPLE,
    DEFAULT_TENANTS,
    TeamsWorkload,
    teams_history,
)
from bot.runtime import build_runtime
from handlers.msteams.endpoint import TEAMS_MESSAGES_PATH
from tests.fakemsteams import ENDORSEMENTS, ISSUER, KEY_ID, SIGNING_KEY, FakeConnector

FAKE_URL = "http://127.0.0.1:9"  # never reached: the fakes below answer first
SERVICE_URL = f"{FAKE_URL}/amer/"
# Each giver and person twice, as in a tenant in use: the first time they are met (their 1:1
# opened, their mention's member looked up) is written, and read back once at the next.
WARMUP = 2 * max(DEFAULT_GIVERS, DEFAULT_PEOPLE)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Cleanup = Callable[[], Awaitable[None]]


def history(database_url: str, kudos: int) -> float:
    return teams_history(
        database_url,
        kudos=kudos,
        givers=DEFAULT_GIVERS,
        people=DEFAULT_PEOPLE,
        tenants=DEFAULT_TENANTS,
    )


@dataclass(frozen=True, slots=True)
class _Answer:
    """What aiohttp's client hands back, as far as Delight's Teams code reads it."""

    status: int
    body: str
    headers: Mapping[str, str]

    async def text(self) -> str:
        return self.body

    async def json(self, content_type: str | None = None) -> Any:
        return json.loads(self.body)

    def raise_for_status(self) -> None:
        assert self.status < 400, self.status


class _Exchange:
    def __init__(self, answer: _Answer) -> None:
        self._answer = answer

    async def __aenter__(self) -> _Answer:
        await asyncio.sleep(0)  # a real call gives the loop up at least once
        return self._answer

    async def __aexit__(self, *_: object) -> None:
        return None


class InProcessTeams:
    """Teams' endpoints, answered at once; counts the cards sent, as bench.fake_connector."""

    def __init__(self) -> None:
        people = [giver(n, DEFAULT_TENANTS) for n in range(DEFAULT_GIVERS)]
        people += [recipient(n, DEFAULT_TENANTS) for n in range(DEFAULT_PEOPLE)]
        self._people: dict[str, BenchPerson] = {}
        for person in people:
            self._people[person.aad_id] = self._people[person.member_id] = person
        self._owners: dict[str, str] = {}  # a 1:1 → its person's Entra id
        self._ids = itertools.count(1)
        self.posted = 0  # announcements and recipients' cards
        self.confirmed = 0  # givers' cards
        self.expected = 0
        self.all_confirmed = asyncio.Event()

    def install(self) -> None:
        teams = self

        def request(_session: aiohttp.ClientSession, method: str, url: Any, **kw: Any) -> Any:
            return _Exchange(teams.answer(method, str(url), kw.get("json")))

        def get(_session: aiohttp.ClientSession, url: Any, **kw: Any) -> Any:
            return _Exchange(teams.answer("GET", str(url), None))

        def post(_session: aiohttp.ClientSession, url: Any, **kw: Any) -> Any:
            return _Exchange(teams.answer("POST", str(url), kw.get("json")))

        aiohttp.ClientSession.request = request  # type: ignore[method-assign,assignment]
        aiohttp.ClientSession.get = get  # type: ignore[method-assign,assignment]
        aiohttp.ClientSession.post = post  # type: ignore[method-assign,assignment]

    def expect(self, confirmations: int) -> None:
        self.posted, self.confirmed, self.expected = 0, 0, confirmations
        self.all_confirmed.clear()

    def answer(self, method: str, url: str, body: dict[str, Any] | None) -> _Answer:
        if body is not None:
            json.dumps(body)  # what aiohttp does with `json=`
        path = [unquote(part) for part in url.split("?")[0].split("/")[3:]]
        match method, path:
            case "GET", ["openid"]:
                return _ok({"issuer": ISSUER, "jwks_uri": f"{FAKE_URL}/keys"})
            case "GET", ["keys"]:
                public = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
                key = {"kty": "RSA", "kid": KEY_ID, "endorsements": ENDORSEMENTS, **public}
                return _ok({"keys": [key]})
            case "POST", ["token"]:
                return _ok({"access_token": "bench", "expires_in": 3600})
            case "POST", ["amer", "v3", "conversations"]:
                assert body is not None
                person = self._people[body["members"][0]["id"]]
                conversation = f"a:1{person.member_id}"
                self._owners[conversation] = person.aad_id
                return _ok({"id": conversation})
            case "POST", ["amer", "v3", "conversations", conversation, "activities"]:
                self._sent(conversation)
                return _ok({"id": str(next(self._ids))})
            case "GET", ["amer", "v3", "conversations", _, "members", some_id]:
                if (person := self._people.get(some_id)) is None:
                    return _Answer(404, "", {})
                account = {"id": person.member_id, "aadObjectId": person.aad_id}
                return _ok({**account, "name": person.name})
        raise AssertionError(f"the bench's fake doesn't answer {method} {url}")

    def _sent(self, conversation: str) -> None:
        if ";messageid=" in conversation or not is_giver(self._owners.get(conversation, "")):
            self.posted += 1
            return
        self.confirmed += 1
        if self.confirmed >= self.expected:
            self.all_confirmed.set()


def _ok(found: dict[str, Any]) -> _Answer:
    return _Answer(200, json.dumps(found), {})


class _Posted:
    """An activity's POST, as the handler reads it (the HTTP server is left out)."""

    remote = "127.0.0.1"

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self._body = body
        self.headers = headers

    async def read(self) -> bytes:
        return self._body


def _messages_handler(app: web.Application) -> Handler:
    for resource in app.router.resources():
        if resource.canonical == TEAMS_MESSAGES_PATH:
            for route in resource:
                if route.method == "POST":
                    return cast(Handler, route.handler)
    raise LookupError(f"no POST {TEAMS_MESSAGES_PATH}")


@dataclass(frozen=True, slots=True)
class TeamsCount:
    """One Teams app, ready to be sent `deliver(n)` activities; `posted()` after it: the
    announcements and recipients' cards it sent."""

    deliver: Callable[[int], Awaitable[None]]
    posted: Callable[[], int]
    close: Cleanup | None
    warmup: int = WARMUP


def teams_app(
    app: str, database: str, *, kudos: int, concurrency: int, daily_limit: int
) -> TeamsCount:
    """Build `app` (minimal or delight) in this process, Teams answered in it too, with the
    warm-up's activities and `kudos` more ready to send."""
    teams = InProcessTeams()
    teams.install()
    close: Cleanup | None
    if app == "delight":
        # The longest lease, as bench.instructions gives Slack's (see there why).
        settings = replace(
            delight_settings(FAKE_URL, database, daily_limit), outbox_lease_seconds=3600
        )
        runtime = build_runtime(settings)
        web_app, close = runtime.web, runtime.close
    else:
        web_app, close = build_minimal(FAKE_URL)
    handler = _messages_handler(web_app)
    token = FakeConnector().sign({"serviceUrl": SERVICE_URL})
    workload = TeamsWorkload(
        recipients=1,
        givers=DEFAULT_GIVERS,
        people=DEFAULT_PEOPLE,
        tenants=DEFAULT_TENANTS,
        service_url=SERVICE_URL,
        token=token,
    )

    # Built before anything is counted: making the bench's activities is no app's work.
    planned = iter([workload.next() for _ in range(WARMUP + kudos)])

    async def deliver(kudos: int) -> None:
        teams.expect(kudos)
        activities = iter(list(itertools.islice(planned, kudos)))

        async def client() -> None:
            for activity in activities:
                posted = _Posted(activity.body, activity.headers)
                response = await handler(cast(web.Request, posted))
                assert response.status == 200, response.status

        await asyncio.gather(*(client() for _ in range(concurrency)))
        await asyncio.wait_for(teams.all_confirmed.wait(), 300)

    return TeamsCount(deliver=deliver, posted=lambda: teams.posted, close=close)
