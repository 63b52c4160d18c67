"""The Bot Connector's REST API (v3) under a conversation's service URL: messages, 1:1 chats
and the roster, retried when Teams is busy and paced to Teams' published rate limits."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import aiohttp
from yarl import URL

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10)


class ConnectorError(Exception):
    """The Bot Connector refused a call; `code` is Teams' own error code when it gave one."""

    def __init__(self, status: int, code: str | None = None, message: str = "") -> None:
        detail = " ".join(part for part in (f"HTTP {status}", code or "", message) if part)
        super().__init__(detail)
        self.status = status
        self.code = code


class Forbidden(ConnectorError):
    """403: the app is not installed for the person, they blocked it, or it has no access."""


class NotFound(ConnectorError):
    """404: the conversation, activity or member is gone."""


class ConnectorUnavailable(ConnectorError):
    """429, 5xx, a timeout or a lost connection, still so after the retries."""


@dataclass(frozen=True)
class Member:
    """A conversation member as the roster describes them."""

    member_id: str  # 29:…
    aad_id: str | None  # the Entra object id, lowercase
    name: str
    given_name: str | None = None
    surname: str | None = None
    email: str | None = None
    upn: str | None = None
    tenant_id: str | None = None

    @classmethod
    def from_account(cls, account: Mapping[str, Any]) -> Member:
        aad_id = _text(account, "aadObjectId")
        return cls(
            member_id=str(account["id"]),
            aad_id=aad_id.lower() if aad_id else None,
            name=_text(account, "name") or "",
            given_name=_text(account, "givenName"),
            surname=_text(account, "surname"),
            email=_text(account, "email"),
            upn=_text(account, "userPrincipalName"),
            tenant_id=_text(account, "tenantId"),
        )


def _text(account: Mapping[str, Any], key: str) -> str | None:
    value = account.get(key)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class RetryPolicy:
    """How long a busy or failing Bot Connector is tried before giving up."""

    attempts: int = 4  # tries in all, the first included
    base_delay: float = 0.5  # seconds before the first retry, doubled each time, with jitter
    max_total_wait: float = 30.0  # seconds of waiting between tries, at most

    def backoff(self, retry: int) -> float:
        """Seconds before retry number `retry` (0 for the first) when Teams named none."""
        # Jitter spreads the retries of many senders that failed together.
        return float(self.base_delay * 2**retry * random.uniform(0.5, 1.0))


class TokenSource(Protocol):
    """What the connector needs of auth.BotToken."""

    async def header(self) -> str: ...


Sleep = Callable[[float], Awaitable[None]]

# Teams' limits per bot per conversation (thread): (messages, seconds), from "Rate limiting for
# bots" in Microsoft's Teams docs; and per app per tenant, 50 requests a second.
CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = (
    (7, 1.0),
    (8, 2.0),
    (60, 30.0),
    (1800, 3600.0),
)
TENANT_LIMIT: tuple[int, float] = (50, 1.0)
# Each request is counted until its answer, which covers its delays on the way (the network, a
# busy event loop). The windows are kept 2% longer than Teams' own all the same, so Delight aims
# at about 98% of each limit: Teams' window may count a little differently from Delight's clock
# (where and when it notes an arrival), and a 429 costs a retry where 2% costs little.
MARGIN = 1.02
CONVERSATIONS_KEPT = 10_000  # past this many, conversations with nothing left to count go


class _History:
    """The sliding-window limits of one conversation (or one tenant), over one history: every
    limit sees the same requests, so one record of them serves all. It hands out slots (when
    each sender plans to leave, in the order they asked), and counts each request that left
    from its leaving to its answer: Teams counted it on arrival, somewhere in between, and a
    request that waited in a busy event loop or on the network arrives later than it left."""

    __slots__ = ("_answered", "_fewest", "_in_flight", "_limits", "_longest", "_planned")

    def __init__(self, limits: Sequence[tuple[int, float]]) -> None:
        # (requests, seconds) by fewest requests first: the first that cannot bind yet ends a look.
        self._limits = tuple(sorted((limit, seconds * MARGIN) for limit, seconds in limits))
        self._fewest = self._limits[0][0]
        self._longest = max(seconds for _, seconds in self._limits)
        most = max(limit for limit, _ in self._limits)
        # A limit of L looks back L requests at most: older ones can never bind again.
        self._planned: deque[float] = deque(maxlen=most)  # slots handed out, in order
        self._answered: deque[float] = deque(maxlen=most)  # answer times, in order
        self._in_flight = 0  # left, not answered yet: counted as arriving at any moment

    def slot(self, at: float) -> float:
        """Hands out the next slot from `at`, after every slot handed out before, and with each
        limit's L-th slot back at least its window earlier; its time. Every limit is planned
        with the slots really handed out (the latest any limit asked for): the earliest
        schedule that keeps them all. A slot planned for one limit alone could be too early
        for another, and its sender would wake only to wait again."""
        planned = self._planned
        count = len(planned)
        start = at
        if count:
            if planned[-1] > start:
                start = planned[-1]
            if count >= self._fewest:
                for limit, seconds in self._limits:
                    if limit > count:
                        break
                    end = planned[-limit] + seconds
                    if end > start:
                        start = end
        planned.append(start)
        return start

    def free_at(self, now: float) -> float:
        """The first time from `now` when one more request keeps every limit L within its
        window, counting each answered one at its answer and each in flight as arriving now:
        the binding answer is the (L - in flight)-th newest. One older than its window gives
        `now`, so old answers need no pruning."""
        in_flight = self._in_flight
        answered = self._answered
        if in_flight + len(answered) < self._fewest:
            return now
        free = now
        for limit, seconds in self._limits:
            newer = limit - in_flight
            if newer <= 0:  # `limit` in flight: a window from now
                end = now + seconds
            elif newer <= len(answered):
                end = answered[-newer] + seconds
            else:  # too few answers for this limit, and for every larger one
                break
            if end > free:
                free = end
        return free

    def leave(self) -> None:
        self._in_flight += 1

    def answer(self, at: float) -> None:
        self._in_flight -= 1
        self._answered.append(at)

    def idle_at(self, now: float) -> bool:
        """Nothing in flight, and no slot or answer within the longest window: no limit counts
        anything any more."""
        if self._in_flight:
            return False
        ends = [times[-1] for times in (self._planned, self._answered) if times]
        return all(end + self._longest < now for end in ends)


class Pace:
    """Paces requests to Teams' rate limits: per conversation, then per tenant. Each sender is
    handed its slot at once, so concurrent senders go in order of arrival; just before it
    leaves, it looks again at the requests that really went, each counted from its leaving to
    its answer (a busy event loop wakes sleepers late, and a request may arrive well after it
    left). Nothing is ever refused."""

    def __init__(
        self,
        *,
        per_conversation: Sequence[tuple[int, float]] = CONVERSATION_LIMITS,
        per_tenant: tuple[int, float] = TENANT_LIMIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._per_conversation = tuple(per_conversation)
        self._per_tenant = (per_tenant,)
        self._clock = clock
        self._sleep = sleep
        self._conversations: dict[str, _History] = {}
        self._prune_above = CONVERSATIONS_KEPT
        self._tenants: dict[str, _History] = {}

    def sending(self, conversation_id: str | None, tenant_id: str | None = None) -> _Sending:
        """Waits until a request to `conversation_id` (None: one that opens a conversation, or
        reads) may go; it is counted from then until the block ends, when it was answered."""
        return _Sending(self, conversation_id, tenant_id)

    async def _leave(
        self, conversation_id: str | None, tenant_id: str | None
    ) -> tuple[_History | None, _History]:
        """Waits for the request's slots and a last look; the histories it is counted in."""
        now = self._clock()
        conversation = None
        if conversation_id is not None:
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                conversation = self._open(conversation_id)
            at = conversation.slot(now)
            if at > now:
                now = await self._until(at)
        # The tenant's slot is taken once the conversation's is due, so one conversation's
        # long wait never holds up the tenant's other conversations.
        tenant = self._tenants.get(tenant_id or "")
        if tenant is None:
            tenant = self._tenants[tenant_id or ""] = _History(self._per_tenant)
        at = tenant.slot(now)
        if at > now:
            now = await self._until(at)
        # No await between the last look and counting it as gone. A look at a `now` read a
        # moment ago is safe: what is free then stays free.
        while True:
            free = tenant.free_at(now)
            if conversation is not None:
                free = max(free, conversation.free_at(now))
            if free <= now:
                break
            now = await self._until(free)
        if conversation is not None:
            conversation.leave()
        tenant.leave()
        return conversation, tenant

    def _open(self, conversation_id: str) -> _History:
        if len(self._conversations) > self._prune_above:
            self._forget_idle()
        history = self._conversations[conversation_id] = _History(self._per_conversation)
        return history

    def _forget_idle(self) -> None:
        """Forget conversations with no sends left to count; the next look is when as many
        again have come (an hour's window keeps busy conversations: a look at each send
        would read them all)."""
        now = self._clock()
        self._conversations = {
            key: history for key, history in self._conversations.items() if not history.idle_at(now)
        }
        self._prune_above = max(CONVERSATIONS_KEPT, 2 * len(self._conversations))

    async def _until(self, at: float) -> float:
        """Sleeps until `at`; the time after."""
        delay = at - self._clock()
        if delay > 0:
            await self._sleep(delay)
        return self._clock()


class _Sending:
    """One request through the pace, as `async with`: a plain class costs less per request
    than a generator-based context manager."""

    __slots__ = ("_conversation", "_conversation_id", "_pace", "_tenant", "_tenant_id")

    def __init__(self, pace: Pace, conversation_id: str | None, tenant_id: str | None) -> None:
        self._pace = pace
        self._conversation_id = conversation_id
        self._tenant_id = tenant_id

    async def __aenter__(self) -> None:
        self._conversation, self._tenant = await self._pace._leave(
            self._conversation_id, self._tenant_id
        )

    async def __aexit__(self, *_exc: object) -> None:
        answered = self._pace._clock()
        if self._conversation is not None:
            self._conversation.answer(answered)
        self._tenant.answer(answered)


class Connector:
    """The Bot Connector calls Delight makes, each under the service URL it is given."""

    def __init__(
        self,
        *,
        token: TokenSource,
        http: aiohttp.ClientSession,
        retry: RetryPolicy = RetryPolicy(),
        pace: Pace | None = None,
        timeout: aiohttp.ClientTimeout = REQUEST_TIMEOUT,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._token = token
        self._http = http
        self._retry = retry
        self._pace = pace
        self._timeout = timeout
        self._sleep = sleep

    async def send(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        *,
        tenant_id: str | None = None,
    ) -> str:
        """Posts a new message; returns its activity id. The tenant's pace is `tenant_id`'s,
        or the one the activity names."""
        url = _url(service_url, "conversations", conversation_id, "activities")
        pace = (conversation_id, tenant_id or _tenant_of(activity))
        return _id(await self._call("send", "POST", url, activity, pace=pace))

    async def reply(
        self,
        service_url: str,
        conversation_id: str,
        reply_to_id: str,
        activity: dict[str, Any],
    ) -> str:
        """Posts a message in reply to another; returns its activity id."""
        url = _url(service_url, "conversations", conversation_id, "activities", reply_to_id)
        body = {**activity, "replyToId": reply_to_id}
        pace = (conversation_id, _tenant_of(activity))
        return _id(await self._call("reply", "POST", url, body, pace=pace))

    async def update(
        self,
        service_url: str,
        conversation_id: str,
        activity_id: str,
        activity: dict[str, Any],
        *,
        tenant_id: str | None = None,
    ) -> None:
        """Replaces a message the bot posted."""
        url = _url(service_url, "conversations", conversation_id, "activities", activity_id)
        pace = (conversation_id, tenant_id or _tenant_of(activity))
        await self._call("update", "PUT", url, {**activity, "id": activity_id}, pace=pace)

    async def delete(self, service_url: str, conversation_id: str, activity_id: str) -> None:
        """Deletes a message the bot posted."""
        url = _url(service_url, "conversations", conversation_id, "activities", activity_id)
        await self._call("delete", "DELETE", url, pace=(conversation_id, None))

    async def create_personal(
        self, service_url: str, *, tenant_id: str, member_id: str, bot_id: str
    ) -> str:
        """Opens (or finds) the bot's 1:1 chat with a member; returns its conversation id."""
        body = {
            "bot": {"id": bot_id},
            "members": [{"id": member_id}],
            "tenantId": tenant_id,
            "isGroup": False,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        url = _url(service_url, "conversations")
        return _id(await self._call("create_personal", "POST", url, body, pace=(None, tenant_id)))

    async def member(self, service_url: str, conversation_id: str, member_id: str) -> Member | None:
        """One member of the conversation (by 29: or AAD id), or None if it has no such one."""
        url = _url(service_url, "conversations", conversation_id, "members", member_id)
        try:
            found = await self._call("member", "GET", url)
        except NotFound:
            return None
        return Member.from_account(_object(found))

    async def members_page(
        self,
        service_url: str,
        conversation_id: str,
        *,
        continuation: str | None = None,
        page_size: int = 500,
        tenant_id: str | None = None,
    ) -> tuple[list[Member], str | None]:
        """One page of the roster, and the token for the next (None after the last). Given
        `tenant_id`, the read is paced with the tenant's other requests (Teams counts it)."""
        query: dict[str, str] = {"pageSize": str(page_size)}
        if continuation:
            query["continuationToken"] = continuation
        url = _url(service_url, "conversations", conversation_id, "pagedmembers", query=query)
        pace = (None, tenant_id) if tenant_id is not None else None
        page = _object(await self._call("members_page", "GET", url, pace=pace))
        members = [Member.from_account(account) for account in page.get("members") or []]
        following = page.get("continuationToken")
        return members, following if isinstance(following, str) and following else None

    async def team_channels(self, service_url: str, team_id: str) -> list[tuple[str, str]]:
        """The team's channels as (conversation id, name); the General channel's name is ""."""
        url = _url(service_url, "teams", team_id, "conversations")
        found = _object(await self._call("team_channels", "GET", url))
        return [
            (str(channel["id"]), channel.get("name") or "")
            for channel in found.get("conversations") or []
        ]

    def _paced(
        self, pace: tuple[str | None, str | None] | None
    ) -> AbstractAsyncContextManager[None]:
        if self._pace is None or pace is None:
            return nullcontext()
        return self._pace.sending(*pace)

    async def _call(
        self,
        operation: str,
        method: str,
        url: URL,
        body: dict[str, Any] | None = None,
        *,
        pace: tuple[str | None, str | None] | None = None,
    ) -> Any:
        """The answer's JSON (None when empty), after retrying what may succeed later. With
        `pace` (conversation, tenant), every try waits for its slot and is counted until its
        answer: a retry is a request Teams counts like any other."""
        waited = 0.0
        for attempt in range(1, self._retry.attempts + 1):
            retry_after: float | None = None
            try:
                # A token renewal's round trip goes before the pace, not between its last look
                # and the request; after the wait the token is read from its cache.
                await self._token.header()
                async with self._paced(pace):
                    headers = {"Authorization": await self._token.header()}
                    async with self._http.request(
                        method, url, json=body, headers=headers, timeout=self._timeout
                    ) as response:
                        text = await response.text()
                if response.status < 300:
                    return _json(text, response.status)
                error = _error(response.status, text)
                retry_after = _seconds(response.headers.get("Retry-After"))
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = ConnectorUnavailable(0, None, type(failure).__name__)
            if not isinstance(error, ConnectorUnavailable):
                raise error
            delay = retry_after if retry_after is not None else self._retry.backoff(attempt - 1)
            if attempt == self._retry.attempts or waited + delay > self._retry.max_total_wait:
                raise ConnectorUnavailable(
                    error.status, error.code, f"gave up after {attempt} tries"
                ) from error
            logger.warning(
                "Teams %s: %s, retry %d in %.1fs",
                operation,
                error.code or error.status or str(error),
                attempt,
                delay,
            )
            await self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable: the last attempt returns or raises")


def _url(service_url: str, *segments: str, query: Mapping[str, str] | None = None) -> URL:
    """`service_url` as given (its path included) + v3/…, every id quoted whole."""
    base = service_url if service_url.endswith("/") else service_url + "/"
    path = "/".join(quote(segment, safe="") for segment in segments)
    tail = f"?{urlencode(query)}" if query else ""
    return URL(f"{base}v3/{path}{tail}", encoded=True)  # encoded: no re-quoting of the ids


def _tenant_of(activity: Mapping[str, Any]) -> str | None:
    conversation = activity.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("tenantId"), str):
        return str(conversation["tenantId"])
    tenant = (activity.get("channelData") or {}).get("tenant") or {}
    return tenant.get("id") if isinstance(tenant.get("id"), str) else None


def _error(status: int, text: str) -> ConnectorError:
    code: str | None = None
    try:
        detail = json.loads(text).get("error") or {}
        code = detail.get("code") if isinstance(detail.get("code"), str) else None
    except (ValueError, AttributeError):
        pass
    if status == 403:
        return Forbidden(status, code)
    if status == 404:
        return NotFound(status, code)
    if status == 429 or status >= 500:
        return ConnectorUnavailable(status, code)
    return ConnectorError(status, code)


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds (Teams sends seconds; an HTTP date falls back to backoff)."""
    try:
        return max(0.0, float(retry_after)) if retry_after else None
    except ValueError:
        return None


def _json(text: str, status: int) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise ConnectorError(status, None, "unreadable answer") from error


def _object(found: Any) -> dict[str, Any]:
    if not isinstance(found, dict):
        raise ConnectorError(200, None, "unexpected answer")
    return found


def _id(found: Any) -> str:
    identifier = _object(found).get("id")
    if not isinstance(identifier, str) or not identifier:
        raise ConnectorError(200, None, "no id in the answer")
    return identifier
