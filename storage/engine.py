"""The database: SQLite (the embedded default) or PostgreSQL (psycopg 3), and its schema.

Each transaction runs whole on the event loop, as one synchronous piece of work. SQLite's take
microseconds to a few milliseconds on a local file, and its single writer gains nothing from a
thread; only copying its write-ahead log into the database runs on a thread of its own
(storage/checkpoints.py). PostgreSQL's run through SQLAlchemy's async engine (psycopg's
AsyncConnection): the work is still synchronous code, run by `run_sync` in a greenlet, and each
round trip to the server is awaited on the loop, which serves other requests meanwhile; nothing
blocks on the network. (On a pool of storage threads, every round trip's result waited for the
GIL held by the busy loop.) The price of SQLite on the loop: a write that waits for another
process's lock (an admin command) holds up the loop meanwhile, for as long as that transaction
(milliseconds).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.checkpoints import Checkpoints
from storage.timeouts import DEFAULT_TIMEOUTS, DatabaseTimeouts, postgres_connect_args

MIGRATIONS = Path(__file__).parent / "migrations"
POSTGRES_CONNECTIONS = 8
# At most this many of a process's connections wait for or hold a lock (`Database.held`) at
# once, so that whoever holds one always finds a connection for its own transactions.
LOCK_CONNECTIONS = 2
LOCK_WAIT_SECONDS = 60
# Errors and logs show a failed statement without its values: stories and token ciphertext.
HIDE_PARAMETERS = {"hide_parameters": True}
T = TypeVar("T")


def _url(database_url: str) -> URL:
    """Map the usual spellings (postgres://, postgresql://, sqlite://) onto our drivers."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite")
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def check_database_url(database_url: str) -> None:
    """Raise ValueError when Delight cannot use this URL."""
    _url(database_url)


def database_url_for_driver(database_url: str) -> URL:
    """The URL with our driver named, for engines made outside `make_sync_engine`."""
    return _url(database_url)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a kudos is written; the busy timeout makes another process
    # (a CLI command) wait its turn instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A Database copies the WAL into the database from a thread (storage/checkpoints.py);
    # a commit that finds the WAL past 10,000 pages (about 40 MB) copies what is left itself.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Up to 64 MiB of pages kept in memory instead of SQLite's 2 MB: a kudos touches a leaf
    # of each index of its workspace, and with many workspaces the small cache read about ten
    # pages a kudos back from disk (a system call each).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def insert_or_merge(connection: Connection, table: Table) -> Any:
    """An INSERT that can say what to do on a conflict (`on_conflict_do_nothing` /
    `on_conflict_do_update`): both databases have one, each in its own dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def make_sync_engine(database_url: str, *, timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS) -> Engine:
    url = _url(database_url)
    if url.get_backend_name() == "sqlite":
        # One connection, used by the event loop (see Database): SQLite has one writer.
        engine = create_engine(
            url, pool_size=1, max_overflow=0, pool_timeout=300, **HIDE_PARAMETERS
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, **_postgres_pool(url, timeouts))


def _postgres_pool(url: URL, timeouts: DatabaseTimeouts) -> dict[str, Any]:
    """The pool of PostgreSQL connections, each wait on it bounded (storage/timeouts.py)."""
    return {
        "pool_size": POSTGRES_CONNECTIONS,
        "max_overflow": 0,
        "pool_pre_ping": True,
        "pool_timeout": timeouts.pool_checkout,
        "connect_args": postgres_connect_args(url, timeouts),
        **HIDE_PARAMETERS,
    }


class Database:
    """An engine and where its transactions run: on the event loop for both databases (see
    the module's note). SQLite's one connection runs one transaction at a time, in order,
    never fighting over the write lock; PostgreSQL's pool runs up to POSTGRES_CONNECTIONS."""

    def __init__(
        self,
        database_url: str,
        *,
        timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        """`timeouts` bound every wait on PostgreSQL."""
        url = _url(database_url)
        self.is_postgres = url.get_backend_name() == "postgresql"
        self._async: AsyncEngine | None = None
        self._checkpoints: Checkpoints | None = None
        self._lock_connections = asyncio.Semaphore(LOCK_CONNECTIONS)
        if self.is_postgres:
            self._async = create_async_engine(url, **_postgres_pool(url, timeouts))
            # The engine its transactions' connections come from (for statement events).
            self.engine = self._async.sync_engine
        else:
            self.engine = make_sync_engine(database_url)
            if url.database and url.database != ":memory:":
                self._checkpoints = Checkpoints(url.database)

    async def transaction(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `work(connection, *args, **kwargs)` in one transaction."""
        if self._async is None:
            with self.engine.begin() as connection:
                return work(connection, *args, **kwargs)
        async with self._async.begin() as connection:
            return await connection.run_sync(work, *args, **kwargs)

    @asynccontextmanager
    async def held(self, name: str) -> AsyncIterator[None]:
        """`name` held by this process alone, across every process on the database, until the
        block ends: PostgreSQL's advisory lock, on a connection of its own (released by the
        server should the process die holding it). SQLite serves one process, whose own locks
        are enough: nothing is held."""
        if self._async is None:
            yield
            return
        key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), signed=True)
        async with self._lock_connections, self._async.connect() as connection:
            # Another process's turn may outlast the usual lock bound (its holder talks to the
            # platform); the wait stays bounded, and so does the holding (the session's
            # idle-in-transaction limit ends a holder that hangs).
            for setting in ("lock_timeout", "statement_timeout"):
                await connection.execute(text(f"SET LOCAL {setting} = '{LOCK_WAIT_SECONDS}s'"))
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    async def first_time(self, work: Callable[..., object], /, *args: Any, **kwargs: Any) -> bool:
        """Run `work` (which inserts under a unique key) in one transaction: False when the key
        refused it, i.e. it was recorded before. Ledgers claim their entries this way."""
        try:
            await self.transaction(work, *args, **kwargs)
        except IntegrityError:
            return False
        return True

    async def ping(self) -> None:
        def select_one(connection: Connection) -> None:
            connection.execute(text("SELECT 1"))

        await self.transaction(select_one)

    async def close(self) -> None:
        if self._async is not None:
            await self._async.dispose()
            return
        self.engine.dispose()
        if self._checkpoints is not None:
            self._checkpoints.stop()


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "sqlalchemy.url", _url(database_url).render_as_string(hide_password=False)
    )
    return config


def upgrade_schema(database_url: str) -> None:
    """Bring the schema to the newest migration (start-up runs this; it is idempotent)."""
    command.upgrade(alembic_config(database_url), "head")


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration (admin commands need it to be)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
