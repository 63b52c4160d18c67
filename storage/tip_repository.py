"""Tip schedules and their delivery ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from bot.core.elements import Element
from bot.core.schedule import TipSchedule
from bot.core.tip_delivery import DueSchedule
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database
from storage.tables import UTCDateTime

SCHEDULES = SQLModel.metadata.tables["tip_schedule"]
DELIVERIES = SQLModel.metadata.tables["tip_delivery"]


class SqlTipScheduleRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self,
        *,
        team_id: str,
        channel_id: str,
        owner_id: str,
        weekdays: frozenset[int],
        at: time,
        timezone: str,
        start: date,
        created_at: datetime,
    ) -> TipSchedule:
        def work(connection: Connection) -> int:
            new_id = connection.scalar(
                insert(SCHEDULES)
                .values(
                    team_id=team_id,
                    channel_id=channel_id,
                    owner_id=owner_id,
                    weekdays=",".join(str(d) for d in sorted(weekdays)),
                    at=at.strftime("%H:%M"),
                    timezone=timezone,
                    start_date=start,
                    paused=False,
                    created_at=created_at,
                )
                .returning(SCHEDULES.c.id)
            )
            return int(new_id or 0)

        schedule_id = await self._db.transaction(work)
        return TipSchedule(
            id=schedule_id,
            team_id=team_id,
            weekdays=weekdays,
            at=at,
            timezone=timezone,
            start=start,
            channel_id=channel_id,
            owner_id=owner_id,
            created_at=created_at,
        )

    async def due_candidates(self) -> list[DueSchedule]:
        def work(connection: Connection) -> list[DueSchedule]:
            last = (
                select(
                    DELIVERIES.c.schedule_id,
                    # typed, so the aggregate comes back aware UTC like the column itself
                    func.max(DELIVERIES.c.occurrence, type_=UTCDateTime()).label("last"),
                )
                .group_by(DELIVERIES.c.schedule_id)
                .subquery()
            )
            rows = connection.execute(
                select(SCHEDULES, last.c.last)
                .outerjoin(last, last.c.schedule_id == SCHEDULES.c.id)
                .where(SCHEDULES.c.paused.is_(False))
            ).all()
            return [DueSchedule(_schedule(row), row.last) for row in rows]

        return await self._db.transaction(work)

    async def for_team(self, team_id: str, *, include_paused: bool = False) -> list[TipSchedule]:
        """A workspace's schedules, oldest first."""

        def work(connection: Connection) -> list[TipSchedule]:
            query = select(SCHEDULES).where(SCHEDULES.c.team_id == team_id)
            if not include_paused:
                query = query.where(SCHEDULES.c.paused.is_(False))
            return [_schedule(row) for row in connection.execute(query.order_by(SCHEDULES.c.id))]

        return await self._db.transaction(work)

    async def sent_tip_ids(self, schedule_id: int, element: Element) -> list[str]:
        def work(connection: Connection) -> list[str]:
            return list(
                connection.scalars(
                    select(DELIVERIES.c.tip_id)
                    .where(
                        DELIVERIES.c.schedule_id == schedule_id,
                        DELIVERIES.c.element == element.value,
                        DELIVERIES.c.status == "sent",
                    )
                    .order_by(DELIVERIES.c.id)
                )
            )

        return await self._db.transaction(work)

    async def claim(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        element: Element,
        tip_id: str | None,
        status: str,
        reason: str | None = None,
    ) -> bool:
        def work(connection: Connection) -> None:
            connection.execute(
                insert(DELIVERIES).values(
                    schedule_id=schedule_id,
                    occurrence=occurrence,
                    element=element.value,
                    tip_id=tip_id,
                    status=status,
                    reason=reason,
                    updated_at=datetime.now(UTC),
                )
            )

        try:
            await self._db.transaction(work)
        except IntegrityError:
            return False
        return True

    async def finish(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        status: str,
        reason: str | None = None,
        message_ts: str | None = None,
    ) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(DELIVERIES)
                .where(
                    DELIVERIES.c.schedule_id == schedule_id,
                    DELIVERIES.c.occurrence == occurrence,
                )
                .values(
                    status=status,
                    reason=reason,
                    message_ts=message_ts,
                    updated_at=datetime.now(UTC),
                )
            )

        await self._db.transaction(work)

    async def pause(self, schedule_id: int, *, reason: str) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.id == schedule_id)
                .values(paused=True, paused_reason=reason)
            )

        await self._db.transaction(work)

    async def pause_workspace(self, team_id: str, *, reason: str) -> int:
        def work(connection: Connection) -> int:
            return connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.team_id == team_id, SCHEDULES.c.paused.is_(False))
                .values(paused=True, paused_reason=reason)
            ).rowcount

        return await self._db.transaction(work)

    async def resume_workspace(self, team_id: str, *, reason: str) -> int:
        def work(connection: Connection) -> int:
            return connection.execute(
                update(SCHEDULES)
                .where(
                    SCHEDULES.c.team_id == team_id,
                    SCHEDULES.c.paused.is_(True),
                    SCHEDULES.c.paused_reason == reason,
                )
                .values(paused=False, paused_reason=None)
            ).rowcount

        return await self._db.transaction(work)


def _schedule(row: object) -> TipSchedule:
    values = row._mapping  # type: ignore[attr-defined]
    hours, minutes = (int(part) for part in values["at"].split(":"))
    return TipSchedule(
        id=values["id"],
        team_id=values["team_id"],
        weekdays=frozenset(int(d) for d in values["weekdays"].split(",") if d),
        at=time(hours, minutes),
        timezone=values["timezone"],
        start=values["start_date"],
        channel_id=values["channel_id"],
        owner_id=values["owner_id"],
        created_at=values["created_at"],
        paused_reason=(values["paused_reason"] or "paused") if values["paused"] else None,
    )
