"""Reading a workspace's kudos out in batches, for `python -m bot export`.

Keyset pages by id (never OFFSET, which rereads every earlier page), each page made whole by
storage.kudos_queries.assembled (recipients and elements in one query each): memory stays at
one page, whatever the size of the workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, select
from sqlmodel import SQLModel

from bot.core.model import Kudos
from storage import tables  # noqa: F401  (registers the tables below)
from storage.kudos_queries import assembled

KUDOS = SQLModel.metadata.tables["kudos"]
BATCH_SIZE = 500


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
