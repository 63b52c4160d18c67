"""The Slack Web API client: retries what is worth retrying, so a 429 or a blip loses nothing."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

# Calls that make something new each time Slack carries them out, and carry no idempotency
# key: after a failure Slack may have carried out anyway (a 500, a gateway's 502/504, a reset
# connection, a timeout), repeating one could post twice. Replies to response_url are such
# posts too (any URL that is not a Web API method).
_NOT_REPEATABLE = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "chat.meMessage",
        "files.upload",
        "files.completeUploadExternal",
    }
)


def repeatable(request: HttpRequest) -> bool:
    """Whether repeating the request can do no harm, whatever happened to the first one."""
    path = request.url.split("?", 1)[0].rstrip("/")
    head, _, method = path.rpartition("/")
    return head.endswith("/api") and method not in _NOT_REPEATABLE


def _not_carried_out(response: HttpResponse) -> bool:
    """Slack says so: a 503 `service_unavailable` (unlike a 500, whose work may be done)."""
    return response.status_code == 503 and (response.body or {}).get("error") in (
        "service_unavailable",
        None,
    )


class ServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """Gateways answer 502 and 504 too (slack-sdk's handler retries 500 and 503 only); a post
    is repeated only when Slack says it did not carry it out."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code not in (500, 502, 503, 504):
            return False
        return repeatable(request) or _not_carried_out(response)


class ConnectionErrorRetryHandler(AsyncConnectionErrorRetryHandler):
    """A post is repeated only when its connection was never made (nothing was sent)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if repeatable(request):
            return await super()._can_retry_async(
                state=state, request=request, response=response, error=error
            )
        return isinstance(error, aiohttp.ClientConnectorError)


def retry_handlers() -> list[AsyncRetryHandler]:
    """A 429 is always repeated (Slack refused it, after Retry-After); other failures only
    where repeating is safe (`repeatable`). What is still owed goes to the outbox."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=3),
        AsyncRateLimitErrorRetryHandler(max_retry_count=4),  # sleeps for Retry-After each time
        ServerErrorRetryHandler(max_retry_count=3),  # exponential backoff with jitter
    ]


def quiet_unless_debugging(logger: logging.Logger) -> logging.Logger:
    """slack-sdk formats its debug lines (each request's and response's headers and body)
    whenever its logger's own level is NOTSET, as it is unless someone sets it, and only
    then finds DEBUG off: ~10% of a call's CPU. Pinned to the level in effect, it formats
    nothing it would not log (its retry notices, meant for debugging, go quiet too)."""
    if logger.level == logging.NOTSET:
        logger.setLevel(logger.getEffectiveLevel())
    return logger


def make_web_client(
    *,
    token: str | None,
    base_url: str,
    session: aiohttp.ClientSession | None = None,
    timeout: int = 10,
) -> AsyncWebClient:
    """Pass one long-lived `session`: without it every call opens a new connection (and, to
    slack.com, a new TLS handshake). No `token`: a template for multi-workspace mode, whose
    requests each get their workspace's token."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        timeout=timeout,
        retry_handlers=retry_handlers(),
        logger=quiet_unless_debugging(logging.getLogger("slack_sdk.web.async_base_client")),
    )
