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


class ServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """slack-sdk's handler retries 500 and 503 only; gateways also answer 502 and 504."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


def retry_handlers() -> list[AsyncRetryHandler]:
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=3),
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
