"""The tests' fake Bot Connector in a process of its own, plus what timing delivery needs.

`python -m bench.fake_connector --port 0 --tenants T --givers G --recipients R` serves
tests.fakemsteams.FakeConnector (the same OpenID metadata, keys, token endpoint and v3 REST
calls, with the same checks) counting its calls instead of keeping them, with the bench's
people in its rosters, and adds, under /_bench/:

- the delivery counts of bench.fake_server (reset, clock, stats, wait): a card in a channel's
  thread is an announcement, a card in a recipient's 1:1 a DM (its kudos found by the
  `kbNNNNNNN` tag in its summary), a card in a giver's 1:1 the giver's confirmation;
- GET /_bench/token: a Bot Framework token for activities served from this fake's service URL
  (the Bot Framework reuses one token for many activities; this process holds the key).

The bench's people: T tenants (`tenant_id(t)`), each a team whose General channel is
`team_id(t)`; givers and recipients spread over them in turn (`giver(n)`, `recipient(n)`).

It prints `READY <port>` once it listens (bench.serving) and stops on SIGTERM/SIGINT or when
the parent is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bench.fake_server import DeliveryCounts
from bench.serving import serve_until_stopped
from tests.fakemsteams import FakeConnector


@dataclass(frozen=True, slots=True)
class BenchPerson:
    tenant: int
    aad_id: str
    member_id: str
    name: str


def tenant_id(t: int) -> str:
    return f"7e000000-0000-4000-8000-{t:012d}"


def team_id(t: int) -> str:
    return f"19:bench-team-{t}@thread.tacv2"


def _person(kind: str, n: int, tenants: int) -> BenchPerson:
    prefix = {"giver": "a", "recipient": "b"}[kind]
    return BenchPerson(
        tenant=n % tenants,
        aad_id=f"{prefix}0000000-0000-4000-8000-{n:012d}",
        member_id=f"29:1bench{kind}{n}",
        name=f"Bench {kind.capitalize()} {n}",
    )


def giver(n: int, tenants: int) -> BenchPerson:
    return _person("giver", n, tenants)


def recipient(n: int, tenants: int) -> BenchPerson:
    return _person("recipient", n, tenants)


def is_giver(aad_id: str) -> bool:
    return aad_id.startswith("a0")


class BenchFakeConnector(FakeConnector):
    def __init__(self) -> None:
        super().__init__(keep_calls=False)
        self.bench = DeliveryCounts(self._forget_conversations)

    def populate(self, *, tenants: int, givers: int, recipients: int) -> None:
        for t in range(tenants):
            self.add_channel(team_id(t), team_id(t), None)
        people = [giver(n, tenants) for n in range(givers)]
        people += [recipient(n, tenants) for n in range(recipients)]
        for person in people:
            tenant = tenant_id(person.tenant)
            self.add_member(
                tenant, person.aad_id, person.name, person.member_id, (team_id(person.tenant),)
            )

    def _forget_conversations(self) -> None:
        """Between runs: threads and 1:1s are learnt again when posted to (nothing of them is
        kept while counting); the people and their rosters stay."""
        with self._lock:
            self.state.conversations.clear()

    @web.middleware
    async def _faults(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.raw_path.startswith("/amer/"):
            self.bench.call(request.match_info.route.name or "unknown", request)
        return await super()._faults(request, handler)

    async def _send(self, request: web.Request) -> web.Response:
        response = await super()._send(request)
        if response.status < 300:
            conversation_id = request.match_info["conv"]
            summary = str((await request.json()).get("summary") or "")
            if ";messageid=" in conversation_id:
                self.bench.announcement()
            else:
                with self._lock:
                    owner = (self.state.rosters.get(conversation_id) or [""])[0]
                if is_giver(owner):
                    self.bench.response(summary)
                else:
                    self.bench.dm(summary)
        return response

    def application(self) -> web.Application:
        app = super().application()
        self.bench.routes(app)
        app.router.add_get("/_bench/token", self._bench_token)
        return app

    async def _bench_token(self, _request: web.Request) -> web.Response:
        return web.json_response({"token": self.sign({"serviceUrl": self.service_url})})


async def serve(port: int, *, tenants: int, givers: int, recipients: int) -> None:
    fake = BenchFakeConnector()
    fake.populate(tenants=tenants, givers=givers, recipients=recipients)
    # As the fake Slack's: no collections while an app is measured, one at each reset.
    gc.disable()

    def bound(listening: int) -> None:
        fake.port = listening  # its metadata and service URL name its own address

    await serve_until_stopped(fake.application(), port, bound=bound)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--tenants", type=int, default=1)
    parser.add_argument("--givers", type=int, default=0)
    parser.add_argument("--recipients", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(
        serve(args.port, tenants=args.tenants, givers=args.givers, recipients=args.recipients)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
