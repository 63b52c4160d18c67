"""Tip schedules, their delivery ledger, and the ledger of member DMs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, Connection, Row, delete, func, insert, select, update
from sqlmodel import SQLModel

from bot.core.elements import Element
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_delivery import DueSchedule, Interrupted, LedgerEntry
from bot.core.words import restored, stored
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database
from storage.tables import UTCDateTime

SCHEDULES = SQLModel.metadata.tables["tip_schedule"]
DELIVERIES = SQLModel.metadata.tables["tip_delivery"]
DIRECT_MESSAGES = SQLModel.metadata.tables["tip_direct_message"]


def _delivery_id(schedule_id: int, occurrence: datetime) -> object:
    return (
        select(DELIVERIES.c.id)
        .where(DELIVERIES.c.schedule_id == schedule_id, DELIVERIES.c.occurrence == occurrence)
        .scalar_subquery()
    )


class SqlTipScheduleRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- schedules ----------------------------------------------------------------------------

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
        mode: DeliveryMode = DeliveryMode.CHANNEL,
    ) -> TipSchedule:
        schedule = TipSchedule(
            id=0,
            team_id=team_id,
            weekdays=weekdays,
            at=at,
            timezone=timezone,
            start=start,
            channel_id=channel_id,
            owner_id=owner_id,
            created_at=created_at,
            mode=mode,
            counts_from=created_at,
        )

        def work(connection: Connection) -> int:
            new_id = connection.scalar(
                insert(SCHEDULES)
                .values(
                    team_id=team_id,
                    owner_id=owner_id,
                    paused=False,
                    created_at=created_at,
                    **_settings(schedule),
                )
                .returning(SCHEDULES.c.id)
            )
            return int(new_id or 0)

        return replace(schedule, id=await self._db.transaction(work))

    async def get(self, team_id: str, schedule_id: int) -> TipSchedule | None:
        def work(connection: Connection) -> TipSchedule | None:
            row = connection.execute(
                select(SCHEDULES).where(
                    SCHEDULES.c.team_id == team_id, SCHEDULES.c.id == schedule_id
                )
            ).first()
            return None if row is None else _schedule(row)

        return await self._db.transaction(work)

    async def change(self, schedule: TipSchedule) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.team_id == schedule.team_id, SCHEDULES.c.id == schedule.id)
                .values(**_settings(schedule))
            )

        await self._db.transaction(work)

    async def set_paused(
        self, team_id: str, schedule_id: int, *, reason: str | None, counts_from: datetime
    ) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.team_id == team_id, SCHEDULES.c.id == schedule_id)
                .values(
                    paused=reason is not None,
                    paused_reason=stored(reason),
                    counts_from=counts_from,
                )
            )

        await self._db.transaction(work)

    async def delete(self, team_id: str, schedule_id: int) -> None:
        def work(connection: Connection) -> None:
            # Explicit rather than trusting ON DELETE CASCADE to be switched on everywhere.
            deliveries = select(DELIVERIES.c.id).where(DELIVERIES.c.schedule_id == schedule_id)
            owned = select(SCHEDULES.c.id).where(
                SCHEDULES.c.team_id == team_id, SCHEDULES.c.id == schedule_id
            )
            if connection.scalar(owned) is None:
                return
            connection.execute(
                delete(DIRECT_MESSAGES).where(DIRECT_MESSAGES.c.delivery_id.in_(deliveries))
            )
            connection.execute(delete(DELIVERIES).where(DELIVERIES.c.schedule_id == schedule_id))
            connection.execute(delete(SCHEDULES).where(SCHEDULES.c.id == schedule_id))

        await self._db.transaction(work)

    async def due_candidates(self) -> list[DueSchedule]:
        def work(connection: Connection) -> list[DueSchedule]:
            last = (
                select(
                    DELIVERIES.c.schedule_id,
                    # typed, so the aggregate comes back aware UTC like the column itself
                    func.max(DELIVERIES.c.occurrence, type_=UTCDateTime()).label("last"),
                )
                # An admin's "send now" is not a scheduled occurrence: the schedule's own
                # times before it must still be found.
                .where(DELIVERIES.c.request_key.is_(None))
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

    async def pause(self, schedule_id: int, *, reason: str) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.id == schedule_id)
                .values(paused=True, paused_reason=stored(reason))
            )

        await self._db.transaction(work)

    # --- the delivery ledger ------------------------------------------------------------------

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
        at: datetime,
        reason: str | None = None,
        request_key: str | None = None,
    ) -> bool:
        def work(connection: Connection) -> None:
            connection.execute(
                insert(DELIVERIES).values(
                    schedule_id=schedule_id,
                    occurrence=occurrence,
                    element=element.value,
                    tip_id=tip_id,
                    status=status,
                    reason=stored(reason),
                    request_key=request_key,
                    updated_at=at,
                )
            )

        return await self._db.first_time(work)

    async def finish(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        status: str,
        at: datetime,
        reason: str | None = None,
        message_id: str | None = None,
    ) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(DELIVERIES)
                .where(
                    DELIVERIES.c.schedule_id == schedule_id,
                    DELIVERIES.c.occurrence == occurrence,
                )
                .values(status=status, reason=stored(reason), message_id=message_id, updated_at=at)
            )

        await self._db.transaction(work)

    async def recent(self, schedule_ids: list[int], *, limit: int) -> dict[int, list[LedgerEntry]]:
        if not schedule_ids:
            return {}

        def work(connection: Connection) -> dict[int, list[LedgerEntry]]:
            ranked = (
                select(
                    DELIVERIES,
                    func.row_number()
                    .over(
                        partition_by=DELIVERIES.c.schedule_id,
                        order_by=DELIVERIES.c.occurrence.desc(),
                    )
                    .label("position"),
                )
                .where(DELIVERIES.c.schedule_id.in_(schedule_ids))
                .subquery()
            )
            rows = connection.execute(
                select(ranked)
                .where(ranked.c.position <= limit)
                .order_by(ranked.c.schedule_id, ranked.c.position)
            )
            found: dict[int, list[LedgerEntry]] = {}
            for row in rows:
                found.setdefault(row.schedule_id, []).append(_entry(row))
            return found

        return await self._db.transaction(work)

    async def ledger_size(self, schedule_id: int) -> int:
        def work(connection: Connection) -> int:
            return int(
                connection.scalar(
                    select(func.count()).where(DELIVERIES.c.schedule_id == schedule_id)
                )
                or 0
            )

        return await self._db.transaction(work)

    async def interrupted(self, *, idle_since: datetime) -> list[Interrupted]:
        def work(connection: Connection) -> list[Interrupted]:
            ledger = [c for c in DELIVERIES.c if c.name not in ("id", "message_id", "updated_at")]
            rows = connection.execute(
                select(SCHEDULES, *ledger)
                .join(SCHEDULES, SCHEDULES.c.id == DELIVERIES.c.schedule_id)
                .where(DELIVERIES.c.status == "sending", DELIVERIES.c.updated_at < idle_since)
                .order_by(DELIVERIES.c.id)
            ).all()
            return [Interrupted(_schedule(row), _entry(row)) for row in rows]

        return await self._db.transaction(work)

    # --- member DMs -------------------------------------------------------------------------

    async def claim_recipient(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        team_id: str,
        recipient_id: str,
        at: datetime,
    ) -> bool:
        def work(connection: Connection) -> None:
            delivery = _delivery_id(schedule_id, occurrence)
            connection.execute(
                insert(DIRECT_MESSAGES).values(
                    delivery_id=delivery,
                    team_id=team_id,
                    recipient_id=recipient_id,
                    status="sending",
                    updated_at=at,
                )
            )
            # A sign of life, so the fan-out isn't taken for one that was cut off.
            connection.execute(
                update(DELIVERIES).where(DELIVERIES.c.id == delivery).values(updated_at=at)
            )

        return await self._db.first_time(work)

    async def finish_recipient(
        self,
        schedule_id: int,
        occurrence: datetime,
        *,
        recipient_id: str,
        status: str,
        at: datetime,
        reason: str | None = None,
    ) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(DIRECT_MESSAGES)
                .where(
                    DIRECT_MESSAGES.c.delivery_id == _delivery_id(schedule_id, occurrence),
                    DIRECT_MESSAGES.c.recipient_id == recipient_id,
                )
                .values(status=status, reason=stored(reason), updated_at=at)
            )

        await self._db.transaction(work)

    async def pause_workspace(self, team_id: str, *, reason: str) -> int:
        return len(await self._pause(reason, SCHEDULES.c.team_id == team_id))

    async def resume_workspace(self, team_id: str, *, reason: str, now: datetime) -> int:
        """Resume what was paused for `reason`; occurrences before `now` are not missed."""
        return await self._resume(reason, now, SCHEDULES.c.team_id == team_id)

    async def pause_places_listed(
        self, team_id: str, places: Collection[str], *, reason: str, posting_only: bool = False
    ) -> list[TipSchedule]:
        """A schedule delivers through the channel it posts in, or (1:1s) whose people it
        reads: both are its channel_id; `posting_only` leaves the 1:1 ones running. The
        schedules this call paused, for their owners to be told (bot/core/place_pauses.py)."""
        where = _placed(team_id, places)
        if posting_only:
            where += (SCHEDULES.c.mode == DeliveryMode.CHANNEL.value,)
        return await self._pause(reason, *where)

    async def resume_places(
        self, team_id: str, places: Collection[str], *, reason: str, now: datetime
    ) -> int:
        return await self._resume(reason, now, *_placed(team_id, places))

    async def _pause(self, reason: str, *where: ColumnElement[bool]) -> list[TipSchedule]:
        """The schedules this call paused: one running until now is returned to one caller
        only, however many pause it at once."""

        def work(connection: Connection) -> list[TipSchedule]:
            rows = connection.execute(
                update(SCHEDULES)
                .where(*where, SCHEDULES.c.paused.is_(False))
                .values(paused=True, paused_reason=stored(reason))
                .returning(*SCHEDULES.c)
            )
            return [_schedule(row) for row in rows]

        return await self._db.transaction(work)

    async def _resume(self, reason: str, now: datetime, *where: ColumnElement[bool]) -> int:
        def work(connection: Connection) -> int:
            return connection.execute(
                update(SCHEDULES)
                .where(
                    *where,
                    SCHEDULES.c.paused.is_(True),
                    SCHEDULES.c.paused_reason == stored(reason),
                )
                .values(paused=False, paused_reason=None, counts_from=now)
            ).rowcount

        return await self._db.transaction(work)

    async def recipient_tally(self, schedule_id: int, occurrence: datetime) -> dict[str, int]:
        def work(connection: Connection) -> dict[str, int]:
            rows = connection.execute(
                select(DIRECT_MESSAGES.c.status, func.count())
                .where(DIRECT_MESSAGES.c.delivery_id == _delivery_id(schedule_id, occurrence))
                .group_by(DIRECT_MESSAGES.c.status)
            )
            return {str(status): int(count) for status, count in rows}

        return await self._db.transaction(work)


def _placed(team_id: str, places: Collection[str]) -> tuple[ColumnElement[bool], ...]:
    return (SCHEDULES.c.team_id == team_id, SCHEDULES.c.channel_id.in_(list(places)))


def _settings(schedule: TipSchedule) -> dict[str, object]:
    """The columns an admin sets."""
    return {
        "channel_id": schedule.channel_id,
        "weekdays": ",".join(str(d) for d in sorted(schedule.weekdays)),
        "at": schedule.at.strftime("%H:%M"),
        "timezone": schedule.timezone,
        "start_date": schedule.start,
        "mode": schedule.mode.value,
        "counts_from": schedule.counts_from,
    }


def _schedule(row: Row[object]) -> TipSchedule:
    values = row._mapping
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
        paused_reason=restored(values["paused_reason"] or "paused") if values["paused"] else None,
        mode=DeliveryMode(values["mode"]),
        counts_from=values["counts_from"],
    )


def _entry(row: Row[object]) -> LedgerEntry:
    values = row._mapping
    return LedgerEntry(
        schedule_id=values["schedule_id"],
        occurrence=values["occurrence"],
        element=Element(values["element"]),
        tip_id=values["tip_id"],
        status=values["status"],
        reason=restored(values["reason"]),
        manual=values["request_key"] is not None,
    )
