"""The outbox's delivery side: claiming due entries for redelivery, and the backlog."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, delete, func, select, update
from sqlmodel import SQLModel

from bot.core.model import Retraction
from bot.core.outbox import Claimed, Owed, Settlement
from storage import tables
from storage.engine import Database
from storage.kudos_repository import KUDOS_BY_ID, SqlKudosRepository, load_kudos
from storage.outbox_rows import PLAN, entries_of

OUTBOX = SQLModel.metadata.tables["outbox"]

# Grouped by kudos, and in each kudos the giver's receipt last ("receipt" sorts after
# "announcement" and "dm"), so a batch cut short keeps the receipt for the next pass.
_DUE = (
    select(OUTBOX.c.kudos_id, OUTBOX.c.kind, OUTBOX.c.target, OUTBOX.c.attempts, OUTBOX.c.team_id)
    .where(OUTBOX.c.next_attempt_at <= bindparam("now", type_=tables.UTCDateTime()))
    .order_by(OUTBOX.c.kudos_id, OUTBOX.c.kind, OUTBOX.c.target)
    .limit(bindparam("limit"))
    # PostgreSQL: processes claiming at once take different rows instead of waiting. (SQLite
    # has no row locks; its single writer runs one claim at a time.)
    .with_for_update(skip_locked=True)
)
_CLAIM = (
    update(OUTBOX)
    .where(
        and_(
            OUTBOX.c.kudos_id == bindparam("which_kudos"),
            OUTBOX.c.kind == bindparam("which_kind"),
            OUTBOX.c.target == bindparam("which_target"),
        )
    )
    .values(next_attempt_at=bindparam("until", type_=tables.UTCDateTime()))
)
_FORGET_GIVEN_UP = delete(OUTBOX).where(
    OUTBOX.c.next_attempt_at.is_(None),
    OUTBOX.c.created_at < bindparam("before", type_=tables.UTCDateTime()),
)
# Messages, not rows: a plan row (storage/outbox_rows.py) counts as the messages it stands for.
_KUDOS = SQLModel.metadata.tables["kudos"]
_MESSAGES = case(
    (
        OUTBOX.c.kind == PLAN,
        _KUDOS.c.recipient_count + 1 + case((OUTBOX.c.target == "", 0), else_=1),
    ),
    else_=1,
)
_BACKLOG = select(
    func.coalesce(func.sum(_MESSAGES).filter(OUTBOX.c.next_attempt_at.is_not(None)), 0),
    func.count().filter(OUTBOX.c.next_attempt_at.is_(None)),
).select_from(OUTBOX.join(_KUDOS, _KUDOS.c.id == OUTBOX.c.kudos_id))


class SqlOutbox:
    def __init__(self, database: Database, kudos: SqlKudosRepository) -> None:
        self._db = database
        self._kudos = kudos

    async def claim_due(self, *, now: datetime, until: datetime, limit: int) -> list[Claimed]:
        return await self._db.transaction(_claim, now=now, until=until, limit=limit)

    async def settle(self, settlement: Settlement) -> Retraction | None:
        return await self._kudos.settle(settlement)

    async def forget_given_up(self, *, before: datetime) -> int:
        def forget(connection: Connection) -> int:
            return connection.execute(_FORGET_GIVEN_UP, {"before": before}).rowcount

        return await self._db.transaction(forget)

    async def backlog(self) -> tuple[int, int]:
        def count(connection: Connection) -> tuple[int, int]:
            waiting, given_up = connection.execute(_BACKLOG).one()
            return int(waiting), int(given_up)

        return await self._db.transaction(count)


def _claim(connection: Connection, *, now: datetime, until: datetime, limit: int) -> list[Claimed]:
    rows = connection.execute(_DUE, {"now": now, "limit": limit}).all()
    if not rows:
        return []
    connection.execute(
        _CLAIM,
        [
            {
                "which_kudos": r.kudos_id,
                "which_kind": r.kind,
                "which_target": r.target,
                "until": until,
            }
            for r in rows
        ],
    )
    stored: dict[tuple[str, int], list[Any]] = defaultdict(list)  # rows by kudos
    for r in rows:
        stored[(r.team_id, r.kudos_id)].append(r)
    claimed = []
    for (team_id, kudos_id), kudos_rows in stored.items():
        kudos = load_kudos(connection, KUDOS_BY_ID, team_id=team_id, kudos_id=kudos_id)
        if kudos is None:  # (a foreign key deletes the entries of a deleted kudos)
            continue
        owed = tuple(
            Owed(entry, attempts=r.attempts)
            for r in kudos_rows
            for entry in entries_of(kudos, r.kind, r.target)
        )
        claimed.append(Claimed(kudos=kudos, owed=owed))
    return claimed
