"""The audit log: settings changes and removals, who and when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
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
