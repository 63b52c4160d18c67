"""Remembers which events were handled, so Slack's retries are answered but not acted on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ProcessedEventRow


class SqlEventLedger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def first_delivery(self, *, team_id: str, event_id: str, at: datetime) -> bool:
        """Record the event; False when it was recorded before (a retry or a duplicate)."""
        async with self._sessions() as session:
            session.add(ProcessedEventRow(team_id=team_id, event_id=event_id, received_at=at))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def forget_before(self, moment: datetime) -> int:
        """Drop entries older than Slack's retry window; returns how many went."""
        async with self._sessions() as session:
            result = await session.exec(
                delete(ProcessedEventRow).where(
                    ProcessedEventRow.received_at < moment  # type: ignore[arg-type]
                )
            )
            await session.commit()
            return int(result.rowcount)
