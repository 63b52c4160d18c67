"""Who the current work is for: the workspace and the request, carried into every log record.

Context variables, so concurrent requests each see their own, and work a listener starts
after its ack (an asyncio task copies the context) keeps them. Handlers set them; the
logging setup (bot/logs.py) reads them.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from contextvars import ContextVar

team_id: ContextVar[str | None] = ContextVar("team_id", default=None)
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# A proxy's request id (Heroku's X-Request-ID) is reused when it looks like one.
_FOREIGN_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")


def new_request_id() -> str:
    return secrets.token_hex(8)


@contextlib.contextmanager
def request_scope(given_id: str | None = None) -> Iterator[str]:
    """One request: its own id (the proxy's, if usable) and no workspace until one is known;
    both restored afterwards, since an HTTP connection serves many requests in one task."""
    rid = given_id if given_id and _FOREIGN_ID.fullmatch(given_id) else new_request_id()
    request_token = request_id.set(rid)
    team_token = team_id.set(None)
    try:
        yield rid
    finally:
        team_id.reset(team_token)
        request_id.reset(request_token)


def set_workspace(team: str | None) -> None:
    """For the rest of the current request (its scope resets it)."""
    team_id.set(team)


def set_request(rid: str) -> None:
    request_id.set(rid)
