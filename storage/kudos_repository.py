"""Kudos persistence: stores nominations and answers the questions the rules ask."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.elements import Element
from bot.core.errors import DuplicateNomination
from bot.core.model import Kudos, Nomination, Source
from storage.tables import KudosElementRow, KudosRecipientRow, KudosRow


class SqlKudosRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, nomination: Nomination, *, created_at: datetime) -> Kudos:
        row = KudosRow(
            team_id=nomination.team_id,
            giver_id=nomination.giver_id,
            story=nomination.story,
            source=nomination.source.value,
            request_key=nomination.request_key,
            recipient_count=len(nomination.recipient_ids),
            origin_channel_id=nomination.origin_channel_id,
            source_url=nomination.source_url,
            created_at=created_at,
        )
        async with self._sessions() as session:
            try:
                session.add(row)
                await session.flush()  # assigns the id, and hits the unique key on a repeat
                assert row.id is not None
                session.add_all(
                    KudosRecipientRow(
                        kudos_id=row.id,
                        recipient_id=uid,
                        position=position,
                        team_id=nomination.team_id,
                        created_at=created_at,
                    )
                    for position, uid in enumerate(nomination.recipient_ids)
                )
                session.add_all(
                    KudosElementRow(kudos_id=row.id, element=element.value)
                    for element in nomination.elements
                )
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                if await self.request_seen(
                    team_id=nomination.team_id, request_key=nomination.request_key
                ):
                    raise DuplicateNomination(request_key=nomination.request_key) from exc
                raise
        return _kudos(row, nomination.recipient_ids, nomination.elements)

    async def request_seen(self, *, team_id: str, request_key: str) -> bool:
        async with self._sessions() as session:
            found = await session.exec(
                select(KudosRow.id).where(
                    KudosRow.team_id == team_id, KudosRow.request_key == request_key
                )
            )
            return found.first() is not None

    async def count_recognitions_given(
        self, *, team_id: str, giver_id: str, since: datetime
    ) -> int:
        async with self._sessions() as session:
            total = await session.exec(
                select(func.coalesce(func.sum(KudosRow.recipient_count), 0)).where(
                    KudosRow.team_id == team_id,
                    KudosRow.giver_id == giver_id,
                    KudosRow.created_at >= since,
                )
            )
            return int(total.one())

    async def record_announcement(self, *, kudos_id: int, channel_id: str, ts: str) -> None:
        async with self._sessions() as session:
            await session.exec(
                update(KudosRow)
                .where(KudosRow.id == kudos_id)  # type: ignore[arg-type]
                .values(announcement_channel_id=channel_id, announcement_ts=ts)
            )
            await session.commit()

    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None:
        async with self._sessions() as session:
            row = (
                await session.exec(
                    select(KudosRow).where(KudosRow.id == kudos_id, KudosRow.team_id == team_id)
                )
            ).first()
            if row is None:
                return None
            recipients = (
                await session.exec(
                    select(KudosRecipientRow.recipient_id)
                    .where(KudosRecipientRow.kudos_id == kudos_id)
                    .order_by(KudosRecipientRow.position)  # type: ignore[arg-type]
                )
            ).all()
            elements = set(
                (
                    await session.exec(
                        select(KudosElementRow.element).where(KudosElementRow.kudos_id == kudos_id)
                    )
                ).all()
            )
        return _kudos(row, tuple(recipients), tuple(e for e in Element if e.value in elements))


def _kudos(row: KudosRow, recipients: tuple[str, ...], elements: tuple[Element, ...]) -> Kudos:
    assert row.id is not None
    return Kudos(
        id=row.id,
        team_id=row.team_id,
        giver_id=row.giver_id,
        recipient_ids=recipients,
        story=row.story,
        elements=elements,
        source=Source(row.source),
        created_at=row.created_at,
        origin_channel_id=row.origin_channel_id,
        source_url=row.source_url,
        announcement_channel_id=row.announcement_channel_id,
        announcement_ts=row.announcement_ts,
    )
