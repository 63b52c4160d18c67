"""The tests' fake Slack, enforcing rate limits the way Slack does: a call over a method's
limit (or, for chat.postMessage, over a channel's or the workspace's) gets HTTP 429 with
Retry-After. For the digest delivery benchmark: the pacer must never meet one."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from aiohttp import web

from handlers.slack.pacing import Rate
from tests.fakeslack import FakeSlack, FakeSlackState


class Limit:
    """GCRA, as the pacer uses, but refusing instead of waiting."""

    def __init__(self, rate: Rate, slack_calls: int) -> None:
        self._interval = rate.interval
        # Slack's limits are floors ("20+ a minute"); one call of slack absorbs network jitter.
        self._tolerance = rate.interval * (rate.burst - 1 + slack_calls)
        self._next = 0.0

    def admit(self, now: float) -> bool:
        start = max(self._next, now)
        if start - self._tolerance > now:
            return False
        self._next = start + self._interval
        return True


class RateLimitedSlack(FakeSlack):
    def __init__(
        self,
        *,
        methods: dict[str, Rate],
        per_channel: Rate,
        state: FakeSlackState | None = None,
        jitter_calls: int = 1,
    ) -> None:
        super().__init__(state)
        self._limits = {m: Limit(r, jitter_calls) for m, r in methods.items()}
        self._per_channel = per_channel
        self._jitter = jitter_calls
        self._channels: dict[str, Limit] = {}
        self.refused: Counter[str] = Counter()
        self.accepted: dict[str, list[float]] = {}

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        # Read once: the limit needs the channel before the fake itself reads the body.
        if "args" not in request:
            request["args"] = await super()._read_args(request)
        args: dict[str, Any] = request["args"]
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        now = time.monotonic()
        admitted = True
        if (limit := self._limits.get(method)) is not None:
            admitted = limit.admit(now)
        if admitted and method == "chat.postMessage":
            args = await self._read_args(request)
            channel = str(args.get("channel") or "")
            per_channel = self._channels.setdefault(channel, Limit(self._per_channel, self._jitter))
            admitted = per_channel.admit(now)
        if not admitted:
            self.refused[method] += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        self.accepted.setdefault(method, []).append(now)
        return await super()._api(request)
