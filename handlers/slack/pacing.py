"""Pacing Web API calls to Slack's published rate limits, so a weekly burst of digests never
meets a 429: a per-method budget for the workspace (the tiers), and for chat.postMessage one
message a second per channel within a configurable workspace-wide budget.

Each limit is a GCRA ("generic cell rate") schedule: a caller reserves the next free slot at
once and sleeps until it, so concurrent senders queue in order instead of racing to retry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.client import retry_handlers
from handlers.slack.workspace_clients import WorkspaceClients


@dataclass(frozen=True, slots=True)
class Rate:
    per_minute: float
    burst: int = 1  # calls that may go at once before the pace applies

    @property
    def interval(self) -> float:
        return 60.0 / self.per_minute


# Slack's tiers (https://api.slack.com/apis/rate-limits): Tier 2 20+/min, Tier 3 50+/min,
# Tier 4 100+/min. We pace at the published floor.
TIER_2, TIER_3, TIER_4 = Rate(20, 3), Rate(50, 5), Rate(100, 10)
METHOD_TIERS = {
    "users.list": TIER_2,
    "usergroups.users.list": TIER_2,
    "usergroups.list": TIER_2,
    "users.info": TIER_4,
    "conversations.members": TIER_4,
    "conversations.open": TIER_3,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
}
# chat.postMessage: about one message a second in each channel, "short bursts allowed".
PER_CHANNEL = Rate(60, 3)
MESSAGE_METHODS = ("chat.postMessage",)


# We pace a little under each limit: calls do not arrive as evenly as they leave (network,
# a busy event loop), and a call that meets a 429 is retried outside the pace.
HEADROOM = 0.95


class Schedule:
    """One rate limit: hands out send times no closer than its interval, after a burst."""

    def __init__(
        self, rate: Rate, clock: Callable[[], float] = time.monotonic, headroom: float = HEADROOM
    ) -> None:
        self._interval = rate.interval / headroom
        self._tolerance = self._interval * (rate.burst - 1)
        self._clock = clock
        self._next = 0.0  # the theoretical arrival time of the next call

    def reserve(self) -> float:
        """Seconds to wait before the call this reserves may go."""
        now = self._clock()
        start = max(self._next, now)
        self._next = start + self._interval
        wait = start - self._tolerance - now
        return wait if wait > 1e-9 else 0.0  # rounding is no reason to sleep


def message_burst_for(messages_per_minute: float) -> int:
    """A second's worth of messages may go at once, from one to ten."""
    return max(1, min(10, int(messages_per_minute // 60)))


class RateBudget:
    """Every limit that applies to one workspace's calls."""

    def __init__(
        self,
        *,
        messages_per_minute: float,
        methods: dict[str, Rate] | None = None,
        per_channel: Rate = PER_CHANNEL,
        message_burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._per_channel = per_channel
        rates = dict(METHOD_TIERS if methods is None else methods)
        burst = message_burst or message_burst_for(messages_per_minute)
        for method in MESSAGE_METHODS:
            rates[method] = Rate(messages_per_minute, burst)
        self._methods = {m: Schedule(r, clock) for m, r in rates.items()}
        self._channels: dict[str, Schedule] = {}

    async def wait(self, method: str, channel: str | None = None) -> None:
        delay = 0.0
        if (schedule := self._methods.get(method)) is not None:
            delay = schedule.reserve()
        if channel and method in MESSAGE_METHODS:
            if len(self._channels) > 10_000:  # a channel idle for a second has no debt left
                self._channels.clear()
            channel_schedule = self._channels.setdefault(
                channel, Schedule(self._per_channel, self._clock)
            )
            delay = max(delay, channel_schedule.reserve())
        if delay > 0:
            await asyncio.sleep(delay)


class PacedWebClient(AsyncWebClient):
    """A Web API client whose every request waits for its turn in a RateBudget: the paging
    of users.list and conversations.members and the steps of files_upload_v2 included (they
    all pass through _request, which api_call does too)."""

    def __init__(self, *, budget: RateBudget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget

    async def _request(self, *, http_verb: str, api_url: str, req_args: dict[str, Any]) -> Any:
        method = api_url.removeprefix(self.base_url).split("?")[0]
        await self.budget.wait(method, _channel(req_args))
        return await super()._request(http_verb=http_verb, api_url=api_url, req_args=req_args)


def _channel(req_args: dict[str, Any]) -> str | None:
    for key in ("json", "data", "params"):
        payload = req_args.get(key)
        if isinstance(payload, dict) and payload.get("channel"):
            return str(payload["channel"])
    return None


def make_paced_client(
    *, token: str | None, base_url: str, session: Any, budget: RateBudget, timeout: int = 30
) -> PacedWebClient:
    """Like client.make_web_client (same retries), with every call paced."""
    return PacedWebClient(
        budget=budget,
        token=token,
        base_url=base_url,
        session=session,
        timeout=timeout,
        retry_handlers=retry_handlers(),
    )


class PacedWorkspaces:
    """Each workspace's client (with its current token), paced to that workspace's own rate
    limits: Slack counts them per workspace, so one workspace's batch never slows another's."""

    def __init__(
        self,
        clients: WorkspaceClients,
        *,
        base_url: str,
        session: Any,
        messages_per_minute: float,
    ) -> None:
        self._clients = clients
        self._base_url = base_url
        self._session = session
        self._messages_per_minute = messages_per_minute
        self._budgets: dict[str, RateBudget] = {}  # kept when a workspace's token rotates
        self._paced: dict[str, PacedWebClient] = {}

    async def for_team(self, team_id: str) -> AsyncWebClient:
        token = (await self._clients.for_team(team_id)).token
        paced = self._paced.get(team_id)
        if paced is None or paced.token != token:
            budget = self._budgets.setdefault(
                team_id, RateBudget(messages_per_minute=self._messages_per_minute)
            )
            paced = make_paced_client(
                token=token, base_url=self._base_url, session=self._session, budget=budget
            )
            self._paced[team_id] = paced
        return paced

    def forget(self, team_id: str) -> None:
        self._paced.pop(team_id, None)
        self._clients.forget(team_id)
