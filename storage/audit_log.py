"""The audit log: settings changes and removals, who and when."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database

AUDIT = SQLModel.metadata.tables["audit_log"]


class SqlAuditLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def record(
        self, *, team_id: str, actor_id: str, action: str, detail: dict[str, Any], at: datetime
    ) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                insert(AUDIT).values(
                    team_id=team_id,
                    actor_id=actor_id,
                    action=action,
                    detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
                    created_at=at,
                )
            )

        await self._db.transaction(work)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor_id: str
    action: str
    detail: dict[str, Any]


def audit_entries(
    connection: Connection, *, team_id: str, since: datetime | None = None
) -> Iterator[AuditEntry]:
    """A workspace's audit log, oldest first (from `since` on), read as it is iterated."""
    query = select(AUDIT).where(AUDIT.c.team_id == team_id)
    if since is not None:
        query = query.where(AUDIT.c.created_at >= since)
    rows = connection.execution_options(yield_per=500).execute(
        query.order_by(AUDIT.c.created_at, AUDIT.c.id)
    )
    for row in rows:
        try:
            detail = json.loads(row.detail)
        except ValueError:
            detail = {"unreadable": row.detail}
        yield AuditEntry(
            at=row.created_at,
            actor_id=row.actor_id,
            action=row.action,
            detail=detail if isinstance(detail, dict) else {"detail": detail},
        )
