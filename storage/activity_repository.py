"""What a team received: the kudos behind a digest, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, func, select
from sqlmodel import SQLModel

from bot.core.digest import Received
from bot.core.elements import Element
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database

KUDOS = SQLModel.metadata.tables["kudos"]
RECIPIENTS = SQLModel.metadata.tables["kudos_recipient"]
ELEMENTS = SQLModel.metadata.tables["kudos_element"]
ENDORSEMENTS = SQLModel.metadata.tables["kudos_endorsement"]
# Ids per IN list: far under every driver's parameter limit. A digest costs three queries per
# this many members (one query each for teams up to this size).
CHUNK = 5_000
T = TypeVar("T")


class SqlActivityRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def received(
        self, team_id: str, member_ids: Sequence[str], *, since: datetime, until: datetime
    ) -> list[Received]:
        if not member_ids:
            return []
        return await self._db.transaction(_received, team_id, member_ids, since, until)


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _received(
    connection: Connection,
    team_id: str,
    member_ids: Sequence[str],
    since: datetime,
    until: datetime,
) -> list[Received]:
    rows: list[Row[Any, Any, Any, Any, Any, Any]] = []
    for chunk in _chunks(list(dict.fromkeys(member_ids))):
        rows += connection.execute(
            select(
                RECIPIENTS.c.kudos_id,
                RECIPIENTS.c.recipient_id,
                RECIPIENTS.c.created_at,
                KUDOS.c.giver_id,
                KUDOS.c.story,
                KUDOS.c.private,
            )
            .join(KUDOS, KUDOS.c.id == RECIPIENTS.c.kudos_id)
            .where(
                RECIPIENTS.c.team_id == team_id,
                RECIPIENTS.c.recipient_id.in_(chunk),
                # Says what removed_at below says, in the index's own terms: with it, the
                # person's index serves the time range.
                RECIPIENTS.c.removed.is_(False),
                RECIPIENTS.c.created_at >= since,
                RECIPIENTS.c.created_at < until,
                KUDOS.c.removed_at.is_(None),  # withdrawn or removed: counts nowhere
            )
        ).all()
    kudos_ids = sorted({row.kudos_id for row in rows})
    elements: dict[int, set[str]] = defaultdict(set)
    endorsements: Counter[int] = Counter()
    for chunk in _chunks(kudos_ids):
        for kudos_id, element in connection.execute(
            select(ELEMENTS.c.kudos_id, ELEMENTS.c.element).where(ELEMENTS.c.kudos_id.in_(chunk))
        ):
            elements[kudos_id].add(element)
        for kudos_id, count in connection.execute(
            select(ENDORSEMENTS.c.kudos_id, func.count())
            .where(ENDORSEMENTS.c.kudos_id.in_(chunk))
            .group_by(ENDORSEMENTS.c.kudos_id)
        ):
            endorsements[kudos_id] = int(count)
    return [
        Received(
            kudos_id=row.kudos_id,
            recipient_id=row.recipient_id,
            giver_id=row.giver_id,
            story=row.story,
            created_at=row.created_at,
            elements=tuple(e for e in Element if e.value in elements[row.kudos_id]),
            endorsements=endorsements[row.kudos_id],
            private=bool(row.private),
        )
        for row in rows
    ]
