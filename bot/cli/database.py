"""Opening the database for an admin command, with one-line errors instead of tracebacks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.config import load_database_url
from storage.engine import database_url_for_driver, make_sync_engine, schema_is_current
from storage.timeouts import ADMIN_TIMEOUTS


class CommandError(Exception):
    """The command cannot go on; the message says why and what to do (exit code 1)."""


def checked_database_url() -> str:
    """DATABASE_URL, once it is known to lead to a reachable database with a current schema."""
    database_url = load_database_url(os.environ)
    url = database_url_for_driver(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        # SQLite would create an empty file; say what is wrong instead
        raise CommandError(f"there is no database at {url.database}: check DATABASE_URL")
    engine = make_sync_engine(database_url)
    try:
        current = schema_is_current(engine)
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
        raise CommandError(f"can't reach the database ({reason}); check DATABASE_URL") from None
    finally:
        engine.dispose()
    if not current:
        raise CommandError(
            "the database schema is not up to date: run `python -m bot db upgrade` first"
        )
    return database_url


@contextmanager
def admin_engine() -> Iterator[Engine]:
    """An engine on the checked DATABASE_URL; disposed afterwards."""
    engine = make_sync_engine(checked_database_url(), timeouts=ADMIN_TIMEOUTS)
    try:
        yield engine
    finally:
        engine.dispose()
