"""A workspace's kudos out of the database, as CSV or JSON lines: for `python -m bot export`
and for `/delight admin export`.

Keyset pages by id (never OFFSET, which rereads every earlier page), each page made whole by
storage.kudos_queries.assembled (recipients and elements in one query each): memory stays at
one page, whatever the size of the workspace.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, TextIO

from sqlalchemy import ColumnElement, Connection, func, select
from sqlmodel import SQLModel

from bot.core.export import status_of
from bot.core.model import Kudos
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import make_sync_engine
from storage.kudos_queries import assembled

KUDOS = SQLModel.metadata.tables["kudos"]
BATCH_SIZE = 500
COLUMNS = (
    "id",
    "created_at",
    "giver_id",
    "recipient_ids",
    "elements",
    "story",
    "source",
    "source_url",
    "announcement_channel_id",
    "announcement_message_id",
    "status",  # last, so readers of the earlier columns by position are unaffected
)
# A spreadsheet runs a cell that starts like a formula; stories are user text (OWASP "CSV
# injection"), so such cells get a leading apostrophe, which spreadsheets hide.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Write = Callable[[Kudos], None]


def _scope(team_id: str, since: datetime | None) -> list[ColumnElement[bool]]:
    conditions = [KUDOS.c.team_id == team_id]
    if since is not None:
        conditions.append(KUDOS.c.created_at >= since)
    return conditions


def count_kudos(connection: Connection, *, team_id: str, since: datetime | None = None) -> int:
    return int(
        connection.scalar(select(func.count()).select_from(KUDOS).where(*_scope(team_id, since)))
        or 0
    )


def kudos_batches(
    connection: Connection,
    *,
    team_id: str,
    since: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[Kudos]]:
    """The workspace's kudos, oldest id first, `batch_size` at a time."""
    after = 0
    while True:
        rows = connection.execute(
            select(KUDOS)
            .where(*_scope(team_id, since), KUDOS.c.id > after)
            .order_by(KUDOS.c.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        yield assembled(connection, rows)
        after = rows[-1].id


def one_snapshot(connection: Connection) -> Connection:
    """On PostgreSQL, one snapshot for the whole export: the count and every page agree.
    (SQLite's WAL gives a read transaction one already.)"""
    if connection.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


def as_record(kudos: Kudos) -> dict[str, Any]:
    return {
        "id": kudos.id,
        "created_at": kudos.created_at.astimezone(UTC).isoformat(),
        "giver_id": kudos.giver_id,
        "recipient_ids": list(kudos.recipient_ids),
        "elements": [element.value for element in kudos.elements],
        "story": kudos.story,
        "source": kudos.source.value,
        "source_url": kudos.source_url,
        "announcement_channel_id": kudos.announcement and kudos.announcement.channel_id,
        "announcement_message_id": kudos.announcement and kudos.announcement.message_id,
        "status": status_of(kudos).value,
    }


def csv_writer(out: TextIO) -> Write:
    """Writes the header now, then one row per kudos: lists space-separated, cells that
    would start a formula made inert."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)

    def write(kudos: Kudos) -> None:
        record = as_record(kudos)
        writer.writerow(
            " ".join(value) if isinstance(value, list) else _inert(value)
            for value in (record[column] for column in COLUMNS)
        )

    return write


def jsonl_writer(out: TextIO) -> Write:
    def write(kudos: Kudos) -> None:
        out.write(json.dumps(as_record(kudos), ensure_ascii=False) + "\n")

    return write


def _inert(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class SqlKudosExporter:
    """The CSV behind `/delight admin export`. Built in a thread of its own on a connection of
    its own: a large workspace neither blocks the event loop (where transactions run) nor
    holds one of PostgreSQL's pooled connections while it is read. Written to a temporary file
    a batch at a time, so memory holds one batch, whatever the size of the workspace."""

    def __init__(self, database_url: str, *, batch_size: int = BATCH_SIZE) -> None:
        self._database_url = database_url
        self._batch_size = batch_size

    async def csv(self, team_id: str) -> tuple[BinaryIO, int]:
        """The workspace's kudos as CSV (UTF-8) in a temporary file, at its start, and how
        many there are. The caller closes the file (which deletes it)."""
        return await asyncio.to_thread(self._csv, team_id)

    def _csv(self, team_id: str) -> tuple[BinaryIO, int]:
        with contextlib.ExitStack() as on_failure:
            out = on_failure.enter_context(tempfile.TemporaryFile())
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            write = csv_writer(text)
            count = 0
            engine = make_sync_engine(self._database_url)
            try:
                with engine.connect() as connection:
                    batches = kudos_batches(
                        one_snapshot(connection), team_id=team_id, batch_size=self._batch_size
                    )
                    for batch in batches:
                        for kudos in batch:
                            write(kudos)
                        count += len(batch)
            finally:
                engine.dispose()
            text.detach()  # flushed into `out`, which stays open
            out.seek(0)
            on_failure.pop_all()  # built: the caller closes it
        return out, count
