"""Each person's own choices (for now: whether kudos about them are announced publicly)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database, insert_or_merge

PREFERENCES = SQLModel.metadata.tables["user_preference"]


class SqlPreferences:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def public_announcements(self, *, team_id: str, user_id: str) -> bool:
        def work(connection: Connection) -> bool:
            chosen = connection.scalar(
                select(PREFERENCES.c.public_announcements).where(
                    PREFERENCES.c.team_id == team_id, PREFERENCES.c.user_id == user_id
                )
            )
            return True if chosen is None else bool(chosen)

        return await self._db.transaction(work)

    async def set_public_announcements(
        self, *, team_id: str, user_id: str, public: bool, at: datetime
    ) -> None:
        def work(connection: Connection) -> None:
            values = {"public_announcements": public, "updated_at": at}
            connection.execute(
                insert_or_merge(connection, PREFERENCES)
                .values(team_id=team_id, user_id=user_id, **values)
                .on_conflict_do_update(index_elements=["team_id", "user_id"], set_=values)
            )

        await self._db.transaction(work)
