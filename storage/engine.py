"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"


def _url(database_url: str, *, asynchronous: bool) -> URL:
    """Map the usual spellings (postgres://, postgresql://, sqlite://) onto our drivers."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite" if asynchronous else "sqlite")
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def check_database_url(database_url: str) -> None:
    """Raise ValueError when Delight cannot use this URL."""
    _url(database_url, asynchronous=True)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a kudos is written; the busy timeout makes concurrent
    # writers wait their turn instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(database_url: str) -> AsyncEngine:
    url = _url(database_url, asynchronous=True)
    if url.get_backend_name() == "sqlite":
        # SQLite has one writer. One connection runs one transaction at a time, in order,
        # instead of several connections spinning in the busy handler for the write lock.
        engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=300)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "sqlalchemy.url",
        _url(database_url, asynchronous=False).render_as_string(hide_password=False),
    )
    return config


def upgrade_schema(database_url: str) -> None:
    """Bring the schema to the newest migration (start-up runs this; it is idempotent)."""
    command.upgrade(alembic_config(database_url), "head")
