"""Remembers which events were handled, so Slack's retries are answered but not acted on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the table below)
from storage.engine import Database

EVENTS = SQLModel.metadata.tables["processed_event"]


class SqlEventLedger:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def first_delivery(self, *, team_id: str, event_id: str, at: datetime) -> bool:
        """Record the event; False when it was recorded before (a retry or a duplicate)."""
        return await self._db.first_time(_record, team_id, event_id, at)

    async def forget_before(self, moment: datetime) -> int:
        """Drop entries older than Slack's retry window; returns how many went."""
        return await self._db.transaction(_forget, moment)


def _record(connection: Connection, team_id: str, event_id: str, at: datetime) -> None:
    connection.execute(insert(EVENTS).values(team_id=team_id, event_id=event_id, received_at=at))


def _forget(connection: Connection, moment: datetime) -> int:
    return connection.execute(delete(EVENTS).where(EVENTS.c.received_at < moment)).rowcount
