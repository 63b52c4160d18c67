"""A workspace's own tips, and the library tips it turned off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlmodel import SQLModel

from bot.core.elements import Element
from bot.core.tip_catalogue import CustomTip
from bot.core.tips import REFERENCE_LANGUAGE
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database, insert_or_merge

CUSTOM = SQLModel.metadata.tables["tip_custom"]
DISABLED = SQLModel.metadata.tables["tip_disabled"]


class SqlTipCustomisations:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def custom_tips(self, team_id: str, element: Element | None = None) -> list[CustomTip]:
        def work(connection: Connection) -> list[CustomTip]:
            query = select(CUSTOM).where(CUSTOM.c.team_id == team_id)
            if element is not None:
                query = query.where(CUSTOM.c.element == element.value)
            return [
                CustomTip(
                    id=row.id,
                    team_id=row.team_id,
                    element=Element(row.element),
                    title=row.title,
                    body=row.body,
                    enabled=row.enabled,
                    author_id=row.author_id,
                    language=row.language or REFERENCE_LANGUAGE,
                )
                for row in connection.execute(query.order_by(CUSTOM.c.id))
            ]

        return await self._db.transaction(work)

    async def disabled_tip_ids(self, team_id: str) -> frozenset[str]:
        def work(connection: Connection) -> frozenset[str]:
            return frozenset(
                connection.scalars(select(DISABLED.c.tip_id).where(DISABLED.c.team_id == team_id))
            )

        return await self._db.transaction(work)

    async def add_custom_tip(
        self,
        *,
        team_id: str,
        element: Element,
        title: str,
        body: str,
        author_id: str,
        at: datetime,
        language: str = REFERENCE_LANGUAGE,
    ) -> CustomTip:
        def work(connection: Connection) -> int:
            return int(
                connection.scalar(
                    insert(CUSTOM)
                    .values(
                        team_id=team_id,
                        element=element.value,
                        title=title,
                        body=body,
                        enabled=True,
                        author_id=author_id,
                        created_at=at,
                        language=language,
                    )
                    .returning(CUSTOM.c.id)
                )
                or 0
            )

        number = await self._db.transaction(work)
        return CustomTip(number, team_id, element, title, body, True, author_id, language)

    async def set_custom_enabled(self, team_id: str, number: int, *, enabled: bool) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(CUSTOM)
                .where(CUSTOM.c.team_id == team_id, CUSTOM.c.id == number)
                .values(enabled=enabled)
            )

        await self._db.transaction(work)

    async def delete_custom_tip(self, team_id: str, number: int) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                delete(CUSTOM).where(CUSTOM.c.team_id == team_id, CUSTOM.c.id == number)
            )

        await self._db.transaction(work)

    async def set_library_tip_enabled(
        self, team_id: str, tip_id: str, *, enabled: bool, at: datetime
    ) -> None:
        def work(connection: Connection) -> None:
            if enabled:
                connection.execute(
                    delete(DISABLED).where(
                        DISABLED.c.team_id == team_id, DISABLED.c.tip_id == tip_id
                    )
                )
                return
            connection.execute(
                insert_or_merge(connection, DISABLED)
                .values(team_id=team_id, tip_id=tip_id, disabled_at=at)
                .on_conflict_do_nothing()
            )

        await self._db.transaction(work)
