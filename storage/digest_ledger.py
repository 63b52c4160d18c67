"""The digest ledger (one row per team, manager and week) and each workspace's digest day."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from bot.core.digest_delivery import Candidate, LedgerEntry, SentDigest, Status
from bot.core.digest_week import DigestSchedule
from bot.core.model import Posted
from bot.core.place_pauses import PausedTeam
from bot.core.words import stored
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database
from storage.tables import UTCDateTime
from storage.team_repository import CHANNEL, SOURCES

TEAMS = SQLModel.metadata.tables["manager_team"]
MANAGERS = SQLModel.metadata.tables["manager_team_manager"]
DELIVERIES = SQLModel.metadata.tables["digest_delivery"]
SCHEDULES = SQLModel.metadata.tables["digest_schedule"]


class SqlDigestLedger:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def candidates(self) -> list[Candidate]:
        def work(connection: Connection) -> list[Candidate]:
            rows = connection.execute(
                select(
                    MANAGERS.c.manager_team_id,
                    MANAGERS.c.team_id,
                    MANAGERS.c.user_id,
                    MANAGERS.c.tz,
                    TEAMS.c.created_at,
                )
                .join(TEAMS, TEAMS.c.id == MANAGERS.c.manager_team_id)
                .where(
                    TEAMS.c.paused_reason.is_(None),
                    ~exists().where(_paused(MANAGERS.c.team_id)),
                )
            ).all()
            # DM channels are stable: one found in the ledger spares a conversations.open
            # (Tier 3, the slowest step of a send) next time.
            channels: dict[str, str] = {}
            for manager, channel in connection.execute(
                select(DELIVERIES.c.manager_id, func.max(DELIVERIES.c.channel_id))
                .where(DELIVERIES.c.channel_id.is_not(None))
                .group_by(DELIVERIES.c.manager_id)
            ):
                channels[manager] = channel
            return [Candidate(r[0], r[1], r[2], r[3], r[4], channels.get(r[2])) for r in rows]

        return await self._db.transaction(work)

    async def schedules(self) -> dict[str, DigestSchedule]:
        def work(connection: Connection) -> dict[str, DigestSchedule]:
            return {
                r.team_id: DigestSchedule(r.team_id, r.weekday, r.hour, bool(r.charts))
                for r in connection.execute(select(SCHEDULES))
            }

        return await self._db.transaction(work)

    async def schedule(self, team_id: str) -> DigestSchedule:
        return (await self.schedules()).get(team_id) or DigestSchedule(team_id)

    async def save_schedule(self, schedule: DigestSchedule) -> None:
        def work(connection: Connection) -> None:
            values = {
                "weekday": schedule.weekday,
                "hour": schedule.hour,
                "charts": schedule.charts,
                "updated_at": datetime.now(UTC),
            }
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(SCHEDULES).values(team_id=schedule.team_id, **values)
            connection.execute(
                statement.on_conflict_do_update(index_elements=["team_id"], set_=values)
            )

        await self._db.transaction(work)

    async def pause_workspace(self, team_id: str, *, reason: str) -> int:
        """Stop the workspace's digests (1), unless they are already stopped (0)."""
        default = DigestSchedule(team_id)

        def work(connection: Connection) -> int:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            connection.execute(
                dialect.insert(SCHEDULES)
                .values(
                    team_id=team_id,
                    weekday=default.weekday,
                    hour=default.hour,
                    charts=default.charts,
                    updated_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing(index_elements=["team_id"])
            )
            return connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.team_id == team_id, SCHEDULES.c.paused_reason.is_(None))
                .values(paused_reason=reason)
            ).rowcount

        return await self._db.transaction(work)

    async def resume_workspace(self, team_id: str, *, reason: str, now: datetime) -> int:
        """Digests resume at the next due week (one missed meanwhile is recorded as skipped,
        as after any outage), so `now` needs no storing."""

        def work(connection: Connection) -> int:
            return connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.team_id == team_id, SCHEDULES.c.paused_reason == reason)
                .values(paused_reason=None)
            ).rowcount

        return await self._db.transaction(work)

    async def pause_places_listed(
        self, team_id: str, places: Collection[str], *, reason: str, posting_only: bool = False
    ) -> list[PausedTeam]:
        """Stop the digests of the teams whose members come from one of these places (a
        group read at each digest); a team of people picked one by one depends on none. The
        teams this call stopped, by name. Digests go to managers 1:1 and post in no place:
        `posting_only` stops none."""
        if posting_only:
            return []

        def work(connection: Connection) -> list[PausedTeam]:
            rows = connection.execute(
                update(TEAMS)
                .where(*_placed(team_id, places), TEAMS.c.paused_reason.is_(None))
                .values(paused_reason=stored(reason))
                .returning(TEAMS.c.name, TEAMS.c.created_by)
            )
            paused = [PausedTeam(name=row.name, created_by=row.created_by) for row in rows]
            return sorted(paused, key=lambda team: team.name)  # RETURNING keeps no order

        return await self._db.transaction(work)

    async def resume_places(
        self, team_id: str, places: Collection[str], *, reason: str, now: datetime
    ) -> int:
        """As resume_workspace: the next due week goes out, one missed meanwhile is skipped."""

        def work(connection: Connection) -> int:
            return connection.execute(
                update(TEAMS)
                .where(*_placed(team_id, places), TEAMS.c.paused_reason == stored(reason))
                .values(paused_reason=None)
            ).rowcount

        return await self._db.transaction(work)

    async def entries(self, weeks: Sequence[str]) -> dict[tuple[int, str, str], LedgerEntry]:
        def work(connection: Connection) -> dict[tuple[int, str, str], LedgerEntry]:
            rows = connection.execute(
                select(
                    DELIVERIES.c.manager_team_id,
                    DELIVERIES.c.manager_id,
                    DELIVERIES.c.week,
                    DELIVERIES.c.status,
                    DELIVERIES.c.attempts,
                    DELIVERIES.c.updated_at,
                ).where(DELIVERIES.c.week.in_(list(weeks)))
            )
            return {(r[0], r[1], r[2]): LedgerEntry(r[3], r[4], r[5]) for r in rows}

        return await self._db.transaction(work)

    async def claim(
        self, team_pk: int, manager_id: str, week: str, *, now: datetime, retry_before: datetime
    ) -> bool:
        if await self.record(team_pk, manager_id, week, status=Status.SENDING, reason="", now=now):
            return True

        def retake(connection: Connection) -> bool:
            # Only one process can move a row out of `retry`: the WHERE decides who.
            taken = connection.execute(
                update(DELIVERIES)
                .where(
                    *_key(team_pk, manager_id, week),
                    DELIVERIES.c.status == Status.RETRY,
                    DELIVERIES.c.updated_at <= retry_before,
                )
                .values(status=Status.SENDING, attempts=DELIVERIES.c.attempts + 1, updated_at=now)
            ).rowcount
            return bool(taken)

        return await self._db.transaction(retake)

    async def record(
        self, team_pk: int, manager_id: str, week: str, *, status: str, reason: str, now: datetime
    ) -> bool:
        def work(connection: Connection) -> None:
            connection.execute(
                insert(DELIVERIES).values(
                    manager_team_id=team_pk,
                    manager_id=manager_id,
                    week=week,
                    status=status,
                    attempts=1,
                    reason=reason or None,
                    updated_at=now,
                )
            )

        return await self._db.first_time(work)

    async def finish(
        self,
        team_pk: int,
        manager_id: str,
        week: str,
        *,
        status: str,
        now: datetime,
        reason: str | None = None,
        posted: Posted | None = None,
    ) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(DELIVERIES)
                .where(*_key(team_pk, manager_id, week))
                .values(
                    status=status,
                    reason=reason,
                    channel_id=posted.channel_id if posted else None,
                    message_id=posted.message_id if posted else None,
                    updated_at=now,
                )
            )

        await self._db.transaction(work)

    async def last_sent(self, team_id: str, manager_id: str) -> list[SentDigest]:
        def work(connection: Connection) -> list[SentDigest]:
            rows = connection.execute(
                select(
                    DELIVERIES.c.manager_team_id,
                    func.max(DELIVERIES.c.week),
                    func.max(DELIVERIES.c.updated_at, type_=UTCDateTime()),
                )
                .join(TEAMS, TEAMS.c.id == DELIVERIES.c.manager_team_id)
                .where(
                    TEAMS.c.team_id == team_id,
                    DELIVERIES.c.manager_id == manager_id,
                    DELIVERIES.c.status == Status.SENT,
                )
                .group_by(DELIVERIES.c.manager_team_id)
            )
            return [SentDigest(r[0], r[1], r[2]) for r in rows]

        return await self._db.transaction(work)

    async def save_tz(self, team_pk: int, manager_id: str, tz: str | None) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(MANAGERS)
                .where(MANAGERS.c.manager_team_id == team_pk, MANAGERS.c.user_id == manager_id)
                .values(tz=tz)
            )

        await self._db.transaction(work)


def _paused(team_id: ColumnElement[str]) -> ColumnElement[bool]:
    """The workspace's digests are stopped."""
    return (SCHEDULES.c.team_id == team_id) & SCHEDULES.c.paused_reason.is_not(None)


def _key(team_pk: int, manager_id: str, week: str) -> tuple[ColumnElement[bool], ...]:
    return (
        DELIVERIES.c.manager_team_id == team_pk,
        DELIVERIES.c.manager_id == manager_id,
        DELIVERIES.c.week == week,
    )


def _placed(team_id: str, places: Collection[str]) -> tuple[ColumnElement[bool], ...]:
    sourced = select(SOURCES.c.manager_team_id).where(
        SOURCES.c.kind == CHANNEL, SOURCES.c.ref_id.in_(list(places))
    )
    return (TEAMS.c.team_id == team_id, TEAMS.c.id.in_(sourced))
