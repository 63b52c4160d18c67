"""The tests' fake Slack, plus what a benchmark needs to time delivery.

`python -m bench.fake_server --port 0` serves tests.fakeslack.FakeSlack unchanged (same checks,
same answers, same recording) and adds, under /_bench/:

- POST /_bench/reset: forget every call (between the apps measured against one fake process).
- GET  /_bench/clock: this process's time.monotonic(), to estimate the offset to the caller's.
- GET  /_bench/stats: counts per method, and per kudos (found by its `kbNNNNNNN` tag in the
  message text) how many DMs it got and when the last one arrived.
- GET  /_bench/wait?dms=&announcements=&responses=&timeout=: answers (with the stats) as soon
  as at least that many of each have arrived, or when `timeout` seconds have passed.

`--givers N` adds N more members (`giver_id(0)` …), the bench's population of givers.

It prints `READY <port>` on stdout once it listens (bench.serving), so the parent knows
where it is, and stops on SIGTERM/SIGINT or when that parent is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bench.serving import serve_until_stopped
from tests.fakeslack import FakeSlack, FakeSlackState, default_users, user

TAG = re.compile(r"\bkb(\d{7})\b")


def giver_id(n: int) -> str:
    return f"UG{n:05d}"


def giver_name(uid: str) -> str:
    return f"giver{int(uid[2:])}"


def members_with_givers(givers: int) -> dict[str, dict[str, Any]]:
    members = default_users()
    for n in range(givers):
        uid = giver_id(n)
        members[uid] = user(uid, giver_name(uid))
    return members


class DeliveryCounts:
    """What a fake saw of the app's deliveries, served under /_bench/ (`routes`): calls per
    method, announcements, DMs (per kudos, by the `kbNNNNNNN` tag in their text) and the
    giver's replies, and when each came. The Slack and Teams fakes share it."""

    def __init__(self, reset: Callable[[], None]) -> None:
        self._reset_fake = reset
        self._changed = asyncio.Event()
        self.clear()

    def clear(self) -> None:
        self.counts: Counter[str] = Counter()
        self.dms = 0
        self.announcements = 0
        self.responses = 0
        self.confirmed = 0  # replies to the giver that report a full delivery ("Sent! …")
        self.untagged_dms = 0
        # tag -> [DMs received, monotonic time of the last one]
        self.per_kudos: dict[str, list[float]] = {}
        self.first_call_at: float | None = None
        self.last_call_at: float | None = None
        self.ports: set[int] = set()

    def call(self, method: str, request: web.Request | None) -> None:
        """Any call the app made (before what it was is noted)."""
        now = time.monotonic()
        transport = request.transport if request else None
        if transport and (peer := transport.get_extra_info("peername")):
            self.ports.add(peer[1])
        self.counts[method] += 1
        if self.first_call_at is None:
            self.first_call_at = now
        self.last_call_at = now
        self._changed.set()

    def dm(self, text: str) -> None:
        found = TAG.search(text)
        self.dms += 1
        if found is None:
            self.untagged_dms += 1
        else:
            seen = self.per_kudos.setdefault(found.group(0), [0, 0.0])
            seen[0] += 1
            seen[1] = time.monotonic()

    def announcement(self) -> None:
        self.announcements += 1

    def response(self, text: str) -> None:
        self.responses += 1
        if text.startswith("Sent!"):
            self.confirmed += 1

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/_bench/reset", self._bench_reset)
        app.router.add_get("/_bench/clock", self._bench_clock)
        app.router.add_get("/_bench/stats", self._bench_stats)
        app.router.add_get("/_bench/wait", self._bench_wait)

    def _snapshot(self) -> dict[str, Any]:
        return {
            "now": time.monotonic(),
            "counts": dict(self.counts),
            "dms": self.dms,
            "announcements": self.announcements,
            "responses": self.responses,
            "confirmed": self.confirmed,
            "untagged_dms": self.untagged_dms,
            "first_call_at": self.first_call_at,
            "last_call_at": self.last_call_at,
            "per_kudos": self.per_kudos,
            # Connections the app opened (one client port each): a pool that keeps its
            # connections opens few, whatever the number of calls.
            "connections": len(self.ports),
        }

    async def _bench_reset(self, _request: web.Request) -> web.Response:
        self._reset_fake()
        self.clear()
        gc.collect()  # between runs: the collector is off while apps are measured (serve)
        return web.json_response({"ok": True})

    async def _bench_clock(self, _request: web.Request) -> web.Response:
        return web.json_response({"now": time.monotonic()})

    async def _bench_stats(self, _request: web.Request) -> web.Response:
        return web.json_response(self._snapshot())

    async def _bench_wait(self, request: web.Request) -> web.Response:
        want_dms = int(request.query.get("dms", 0))
        want_announcements = int(request.query.get("announcements", 0))
        want_responses = int(request.query.get("responses", 0))
        deadline = time.monotonic() + min(float(request.query.get("timeout", 5)), 60.0)
        while (
            self.dms < want_dms
            or self.announcements < want_announcements
            or self.responses < want_responses
        ):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return web.json_response(self._snapshot())


class BenchFakeSlack(FakeSlack):
    def __init__(self, state: FakeSlackState | None = None) -> None:
        super().__init__(state)
        self.bench = DeliveryCounts(self._keep_members_reset)

    def _keep_members_reset(self) -> None:
        members = self.state.users  # reset() would bring back the tests' few members
        self.reset()
        self.state.users = members

    # Every recorded call passes here (Web API methods and response_url posts alike).
    def _record(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        request: web.Request | None = None,
    ) -> None:
        super()._record(method, args, token, request)
        self.bench.call(method, request)
        text = str(args.get("text") or "")
        if method == "chat.postMessage":
            if str(args.get("channel") or "").startswith(("U", "W")):
                self.bench.dm(text)
            else:
                self.bench.announcement()
        elif method == "response_url":
            self.bench.response(text)

    def application(self) -> web.Application:
        app = super().application()
        self.bench.routes(app)
        return app


async def serve(port: int, latency: float, givers: int) -> None:
    fake = BenchFakeSlack(FakeSlackState(latency=latency, users=members_with_givers(givers)))
    # It keeps every call of a run, so its collections grew with the run: 2.6 s of pauses in
    # a 5-round bench (up to 81 ms each), during which both apps' calls waited. It collects
    # at each reset instead, between runs.
    gc.disable()
    await serve_until_stopped(fake.application(), port)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--givers", type=int, default=0, help="members added as givers")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.latency_ms / 1000, args.givers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
