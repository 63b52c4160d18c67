"""Reading a workspace's kudos out in batches, for `python -m bot export`.

Keyset pages by id (never OFFSET, which rereads every earlier page), with each page's
recipients and elements fetched in one query each: memory stays at one page, whatever the
size of the workspace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, select
from sqlmodel import SQLModel

from bot.core.elements import Element
from bot.core.model import Kudos, Source
from storage import tables  # noqa: F401  (registers the tables below)

KUDOS = SQLModel.metadata.tables["kudos"]
RECIPIENTS = SQLModel.metadata.tables["kudos_recipient"]
ELEMENTS = SQLModel.metadata.tables["kudos_element"]
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
        ids = [row.id for row in rows]
        recipients: dict[int, list[str]] = defaultdict(list)
        for kudos_id, recipient_id in connection.execute(
            select(RECIPIENTS.c.kudos_id, RECIPIENTS.c.recipient_id)
            .where(RECIPIENTS.c.kudos_id.in_(ids))
            .order_by(RECIPIENTS.c.kudos_id, RECIPIENTS.c.position)
        ):
            recipients[kudos_id].append(recipient_id)
        elements: dict[int, set[str]] = defaultdict(set)
        for kudos_id, element in connection.execute(
            select(ELEMENTS.c.kudos_id, ELEMENTS.c.element).where(ELEMENTS.c.kudos_id.in_(ids))
        ):
            elements[kudos_id].add(element)
        yield [
            Kudos(
                id=row.id,
                team_id=row.team_id,
                giver_id=row.giver_id,
                recipient_ids=tuple(recipients[row.id]),
                story=row.story,
                # definition order, like everywhere else
                elements=tuple(e for e in Element if e.value in elements[row.id]),
                source=Source(row.source),
                created_at=row.created_at,
                origin_channel_id=row.origin_channel_id,
                source_url=row.source_url,
                announcement_channel_id=row.announcement_channel_id,
                announcement_ts=row.announcement_ts,
            )
            for row in rows
        ]
        after = ids[-1]
