"""Kudos persistence: one transaction per nomination (the hot path), with Core statements."""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from bot.core.elements import Element
from bot.core.errors import DailyLimitReached, DuplicateNomination
from bot.core.model import DailyAllowance, Given, Kudos, Nomination, Source
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database

KUDOS = SQLModel.metadata.tables["kudos"]
RECIPIENTS = SQLModel.metadata.tables["kudos_recipient"]
ELEMENTS = SQLModel.metadata.tables["kudos_element"]
_GIVER_LOCKS = 0x6B75646F  # advisory lock namespace ("kudo"), so other locks cannot collide


class SqlKudosRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self, nomination: Nomination, *, created_at: datetime, allowance: DailyAllowance
    ) -> Given:
        try:
            return await self._db.transaction(self._add, nomination, created_at, allowance)
        except IntegrityError as exc:
            # Only the request key is unique: this delivery was stored before (maybe just now,
            # by a concurrent copy of the same request).
            raise DuplicateNomination(request_key=nomination.request_key) from exc

    def _add(
        self,
        connection: Connection,
        nomination: Nomination,
        created_at: datetime,
        allowance: DailyAllowance,
    ) -> Given:
        if self._db.is_postgres:
            # Count and insert as one step per giver across processes. SQLite needs no lock:
            # its single writer runs one transaction at a time.
            key = zlib.crc32(f"{nomination.team_id}:{nomination.giver_id}".encode())
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
                {"namespace": _GIVER_LOCKS, "key": key - 2**31},
            )
        used = connection.scalar(
            select(func.coalesce(func.sum(KUDOS.c.recipient_count), 0)).where(
                KUDOS.c.team_id == nomination.team_id,
                KUDOS.c.giver_id == nomination.giver_id,
                KUDOS.c.created_at >= allowance.since,
            )
        )
        try:
            remaining = allowance.remaining_after(
                used=int(used or 0), requested=len(nomination.recipient_ids)
            )
        except DailyLimitReached:
            # A repeat of the nomination that used the last slot is a repeat, not a refusal:
            # the person already got their confirmation.
            if _seen(connection, nomination):
                raise DuplicateNomination(request_key=nomination.request_key) from None
            raise
        kudos_id = _insert(connection, nomination, created_at)
        kudos = nomination.stored_as(kudos_id, created_at=created_at)
        return Given(kudos=kudos, remaining_today=remaining)

    async def record_announcement(self, *, kudos_id: int, channel_id: str, ts: str) -> None:
        await self._db.transaction(_record_announcement, kudos_id, channel_id, ts)

    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None:
        return await self._db.transaction(_get, team_id, kudos_id)


def _seen(connection: Connection, nomination: Nomination) -> bool:
    found = connection.scalar(
        select(KUDOS.c.id).where(
            KUDOS.c.team_id == nomination.team_id,
            KUDOS.c.request_key == nomination.request_key,
        )
    )
    return found is not None


def _insert(connection: Connection, nomination: Nomination, created_at: datetime) -> int:
    kudos_id = connection.scalar(
        insert(KUDOS)
        .values(
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
        .returning(KUDOS.c.id)
    )
    assert kudos_id is not None
    connection.execute(
        insert(RECIPIENTS),
        [
            {
                "kudos_id": kudos_id,
                "recipient_id": uid,
                "position": position,
                "team_id": nomination.team_id,
                "created_at": created_at,
            }
            for position, uid in enumerate(nomination.recipient_ids)
        ],
    )
    if nomination.elements:
        connection.execute(
            insert(ELEMENTS),
            [{"kudos_id": kudos_id, "element": e.value} for e in nomination.elements],
        )
    return int(kudos_id)


def _record_announcement(connection: Connection, kudos_id: int, channel_id: str, ts: str) -> None:
    connection.execute(
        update(KUDOS)
        .where(KUDOS.c.id == kudos_id)
        .values(announcement_channel_id=channel_id, announcement_ts=ts)
    )


def _get(connection: Connection, team_id: str, kudos_id: int) -> Kudos | None:
    row = connection.execute(
        select(KUDOS).where(KUDOS.c.id == kudos_id, KUDOS.c.team_id == team_id)
    ).first()
    if row is None:
        return None
    recipients = connection.scalars(
        select(RECIPIENTS.c.recipient_id)
        .where(RECIPIENTS.c.kudos_id == kudos_id)
        .order_by(RECIPIENTS.c.position)
    ).all()
    elements = set(
        connection.scalars(select(ELEMENTS.c.element).where(ELEMENTS.c.kudos_id == kudos_id))
    )
    return Kudos(
        id=row.id,
        team_id=row.team_id,
        giver_id=row.giver_id,
        recipient_ids=tuple(recipients),
        story=row.story,
        elements=tuple(e for e in Element if e.value in elements),
        source=Source(row.source),
        created_at=row.created_at,
        origin_channel_id=row.origin_channel_id,
        source_url=row.source_url,
        announcement_channel_id=row.announcement_channel_id,
        announcement_ts=row.announcement_ts,
    )
