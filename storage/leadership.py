"""Which process runs the scheduled jobs: a PostgreSQL session-level advisory lock.

The leader holds `pg_try_advisory_lock` on a connection of its own. PostgreSQL frees the lock
when that session ends, so a leader that dies (kill -9, a crashed host) hands over without
anyone cleaning up: the next follower to try gets the lock. The keepalive settings bound how
long a silently vanished peer can keep it: the server drops the session of a leader whose host
went away within about half a minute, and the leader notices its own dead connection as fast.
"""

from __future__ import annotations

import contextlib
import zlib

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from storage.engine import HIDE_PARAMETERS, database_url_for_driver

# One bigint key; the per-giver locks use the two-int form, a separate key space.
SCHEDULER_LOCK_KEY = zlib.crc32(b"delight:scheduler-leader")
_KEEPALIVE = {
    # libpq (our side): notice a dead server
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,
    # the server's side of this session: notice a dead leader and free its lock
    "options": (
        "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 "
        "-c tcp_user_timeout=15000"
    ),
}


class PostgresLeaderLock:
    """The scheduler's leader lock. Blocking calls: run them off the event loop, one at a
    time (bot/leadership.py gives them a thread of their own)."""

    def __init__(self, database_url: str, *, key: int = SCHEDULER_LOCK_KEY) -> None:
        # Not from the shared pool: this connection lives as long as the leadership does.
        self._engine: Engine = create_engine(
            database_url_for_driver(database_url),
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",  # never idle in a transaction while holding the lock
            connect_args=_KEEPALIVE,
            **HIDE_PARAMETERS,
        )
        self._key = key
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        """True when this process now holds the lock; False when another does or the
        database cannot be reached (the caller tries again later)."""
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            held = self._connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
        except SQLAlchemyError:
            self._drop_connection()
            return False
        return bool(held)

    def still_held(self) -> bool:
        """Whether the session that took the lock is alive (a session lock lasts as long as
        its session). False means another process may already be leading."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            self._drop_connection()
            return False
        return True

    def release(self) -> None:
        """Give the lock up at once (closing the session frees it)."""
        self._drop_connection()
        self._engine.dispose()

    def _drop_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):  # already broken: fine, it's closed
                self._connection.close()
            self._connection = None
