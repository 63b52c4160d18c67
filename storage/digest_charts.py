"""Digest charts kept for a while under a random token, for Teams to fetch the image from.

In the database rather than one process's memory: the clock process draws and keeps a chart,
and whichever web process Teams reaches serves it. Each keep also clears what has expired."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the table below)
from storage.engine import Database

CHARTS = SQLModel.metadata.tables["digest_chart"]
TOKEN_BYTES = 32  # 256 random bits: 43 URL-safe characters


class SqlDigestCharts:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def keep(self, workspace_id: str, png: bytes, *, now: datetime, until: datetime) -> str:
        """Store the PNG until `until`; its token."""
        token = secrets.token_urlsafe(TOKEN_BYTES)

        def work(connection: Connection) -> None:
            connection.execute(delete(CHARTS).where(CHARTS.c.expires_at <= now))
            connection.execute(
                insert(CHARTS).values(
                    token=token,
                    workspace_id=workspace_id,
                    png=png,
                    created_at=now,
                    expires_at=until,
                )
            )

        await self._db.transaction(work)
        return token

    async def find(self, token: str, *, now: datetime) -> bytes | None:
        """The PNG under `token`, unless it has expired (or never was)."""

        def work(connection: Connection) -> bytes | None:
            png = connection.execute(
                select(CHARTS.c.png).where(CHARTS.c.token == token, CHARTS.c.expires_at > now)
            ).scalar()
            return None if png is None else bytes(png)

        return await self._db.transaction(work)
