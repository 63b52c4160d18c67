"""How long PostgreSQL work may wait, so one held lock or hung connection cannot stall every
write: each bound makes the work fail (its transaction rolled back, the caller told to try
again) instead of waiting forever.

The server applies the statement, lock and idle-in-transaction limits to each session of the
pool (the `options` startup parameter: `-c name=value`, which PgBouncer must be told to accept
with `ignore_startup_parameters = options` if it sits in between); lock_timeout also bounds
`pg_advisory_xact_lock`, the per-giver lock of storage/kudos_repository.py. TCP keepalives
and tcp_user_timeout on both sides notice a peer that vanished without closing: the client's
libpq fails the connection (SQLAlchemy drops it from the pool), the server ends the session
and frees its locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL

# Probes after 10 s of silence, every 5 s, 3 unanswered: a vanished peer is dropped within
# ~25 s; data unacknowledged for 30 s fails the connection at once.
_KEEPALIVE_IDLE, _KEEPALIVE_INTERVAL, _KEEPALIVE_COUNT = 10, 5, 3
_TCP_USER_TIMEOUT_MS = 30_000


@dataclass(frozen=True, slots=True)
class DatabaseTimeouts:
    """Seconds each wait may last on PostgreSQL; None leaves the server's own setting."""

    statement: float | None = 30.0  # a statement running (statement_timeout)
    lock: float | None = 5.0  # a row, table or advisory lock (lock_timeout)
    idle_in_transaction: float | None = 60.0  # a transaction open and doing nothing
    pool_checkout: float = 30.0  # a connection from the pool (SQLAlchemy's pool_timeout)
    connect: int = 10  # reaching the server (libpq's connect_timeout, whole seconds)


DEFAULT_TIMEOUTS = DatabaseTimeouts()
# Admin commands: a person is watching, and `export | less` leaves its snapshot's
# transaction idle for as long as they read; locks stay bounded, so the app's writes are not
# held up behind one.
ADMIN_TIMEOUTS = DatabaseTimeouts(statement=None, idle_in_transaction=None)


def postgres_connect_args(url: URL, timeouts: DatabaseTimeouts) -> dict[str, Any]:
    """psycopg's connection parameters for these timeouts, keeping any `options` the URL
    already had (they come last, so an operator's own setting wins)."""
    server = {
        "statement_timeout": _milliseconds(timeouts.statement),
        "lock_timeout": _milliseconds(timeouts.lock),
        "idle_in_transaction_session_timeout": _milliseconds(timeouts.idle_in_transaction),
        "tcp_keepalives_idle": _KEEPALIVE_IDLE,
        "tcp_keepalives_interval": _KEEPALIVE_INTERVAL,
        "tcp_keepalives_count": _KEEPALIVE_COUNT,
        "tcp_user_timeout": _TCP_USER_TIMEOUT_MS,
    }
    options = [f"-c {name}={value}" for name, value in server.items() if value is not None]
    if isinstance(theirs := url.query.get("options"), str):
        options.append(theirs)
    return {
        "connect_timeout": timeouts.connect,
        "keepalives": 1,
        "keepalives_idle": _KEEPALIVE_IDLE,
        "keepalives_interval": _KEEPALIVE_INTERVAL,
        "keepalives_count": _KEEPALIVE_COUNT,
        "tcp_user_timeout": _TCP_USER_TIMEOUT_MS,
        "options": " ".join(options),
    }


def _milliseconds(seconds: float | None) -> int | None:
    return None if seconds is None else max(1, round(seconds * 1000))
