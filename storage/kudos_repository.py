"""Kudos persistence: giving (the hot path), delivery records, removal and endorsements.

The statements are built once, at import, with bound parameters: building a statement per
call cost more than executing it.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    delete,
    func,
    literal_column,
    null,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlmodel import SQLModel

from bot.core.elements import Element
from bot.core.errors import DailyLimitReached, DelightError, DuplicateNomination
from bot.core.model import (
    DailyAllowance,
    Given,
    Kudos,
    MessageRef,
    Nomination,
    Notification,
    Retraction,
    Source,
)
from bot.core.outbox import Settlement
from bot.core.ports import Planner
from storage import outbox_rows, tables
from storage.driver_sql import DriverCursor, DriverStatement, InQuery, RowsStatement, arrays
from storage.engine import Database, insert_or_merge
from storage.group_commit import GroupCommit

KUDOS = SQLModel.metadata.tables["kudos"]
RECIPIENTS = SQLModel.metadata.tables["kudos_recipient"]
ELEMENTS = SQLModel.metadata.tables["kudos_element"]
ENDORSEMENTS = SQLModel.metadata.tables["kudos_endorsement"]
PREFERENCES = SQLModel.metadata.tables["user_preference"]
OUTBOX = SQLModel.metadata.tables["outbox"]
_GIVER_LOCKS = 0x6B75646F  # advisory lock namespace ("kudo"), so other locks cannot collide

# Every giver of a group locked in one round trip, in the order of the (sorted) array.
_LOCK_GIVERS = DriverStatement(
    text("SELECT pg_advisory_xact_lock(:namespace, key) FROM unnest(CAST(:keys AS integer[])) key")
)
# (The 0 written out: bound, it was one more parameter to pass on every count.)
USED_SINCE = select(func.coalesce(func.sum(KUDOS.c.recipient_count), literal_column("0"))).where(
    KUDOS.c.team_id == bindparam("team_id"),
    KUDOS.c.giver_id == bindparam("giver_id"),
    KUDOS.c.created_at >= bindparam("since", type_=tables.UTCDateTime()),
    # Withdrawn and removed kudos count too: they may have notified people already, and
    # giving and withdrawing again must not buy more notifications than the limit.
)
# Everyone in a group of new kudos who prefers DMs, in one query (it may return a few
# people of another workspace with the same id: the caller keeps the right pairs).
# Which of a group's settled kudos were withdrawn or removed meanwhile: read after the
# settlement's own updates, whose row locks order it with removal's (see `remove`).
_TAKEN_BACK = InQuery(
    "SELECT id, giver_id, removed_by FROM kudos WHERE id {ids} AND removed_at IS NOT NULL"
)
_PREFER_DM = InQuery(
    "SELECT team_id, user_id FROM " + PREFERENCES.name + " "
    "WHERE team_id {team_ids} AND user_id {user_ids} AND public_announcements = false"
)
_SEEN = select(KUDOS.c.id).where(
    KUDOS.c.team_id == bindparam("team_id"), KUDOS.c.request_key == bindparam("request_key")
)
# A repeated request key inserts nothing, without an error that would abort the other
# nominations committed in the same group (SQLite: `DriverCursor.insert` says which).
_INSERT_NEW_KUDOS = sqlite.insert(KUDOS).on_conflict_do_nothing(
    index_elements=["team_id", "request_key"]
)
_ONE_ENTRY = (
    OUTBOX.c.kudos_id == bindparam("which_kudos"),
    OUTBOX.c.kind == bindparam("which_kind"),
    OUTBOX.c.target == bindparam("which_target"),
)
_SENT = delete(OUTBOX).where(*_ONE_ENTRY)
_ALL_SENT = delete(OUTBOX).where(OUTBOX.c.kudos_id == bindparam("which_kudos"))
_RETRY = (
    update(OUTBOX)
    .where(*_ONE_ENTRY)
    .values(
        attempts=bindparam("attempts"),
        next_attempt_at=bindparam("at", type_=tables.UTCDateTime()),
        last_error=bindparam("error"),
    )
)
_GIVE_UP = (
    update(OUTBOX)
    .where(*_ONE_ENTRY)
    .values(attempts=OUTBOX.c.attempts + 1, next_attempt_at=null(), last_error=bindparam("error"))
)
_RECORD_ANNOUNCEMENT = (
    update(KUDOS)
    .where(KUDOS.c.id == bindparam("kudos_id"))
    .values(
        announcement_channel_id=bindparam("channel_id"),
        announcement_message_id=bindparam("message_id"),
    )
)
_RECORD_DM = (
    update(RECIPIENTS)
    .where(
        RECIPIENTS.c.kudos_id == bindparam("which_kudos"),
        RECIPIENTS.c.recipient_id == bindparam("which_recipient"),
    )
    .values(dm_channel_id=bindparam("channel_id"), dm_message_id=bindparam("message_id"))
)
# The hot path's statements, run on the driver's cursor (storage/driver_sql.py).
_KUDOS_COLUMNS = (
    "team_id",
    "giver_id",
    "story",
    "source",
    "request_key",
    "recipient_count",
    "origin_channel_id",
    "source_url",
    "private",
    "created_at",
)
_FAST_USED_SINCE = DriverStatement(USED_SINCE)
_FAST_INSERT_KUDOS = DriverStatement(_INSERT_NEW_KUDOS, columns=_KUDOS_COLUMNS)  # SQLite
# PostgreSQL: the allowance's count and the insert in one statement (SQLite, on the loop,
# has no round trip to save, and no INSERT inside WITH). The count's time condition is a row
# comparison that ix_kudos_giver serves as a range: with the plain conditions and no
# statistics (autovacuum off), the planner took ix_kudos_team_created and read every kudos of
# the workspace that day to find the giver's few. Not a guarantee: a plan cached while the
# table was nearly empty can still pick another index, until autovacuum's ANALYZE
# invalidates it.
_COUNT_AND_INSERT = DriverStatement(
    text(
        "WITH used AS ("
        " SELECT coalesce(sum(recipient_count), 0) AS n FROM kudos"
        " WHERE (team_id, giver_id, created_at) >= (:team_id, :giver_id, :since)"
        " AND team_id = :team_id AND giver_id = :giver_id"
        "), added AS ("
        " INSERT INTO kudos (" + ", ".join(_KUDOS_COLUMNS) + ")"
        " SELECT " + ", ".join(f":{c}" for c in _KUDOS_COLUMNS) + " FROM used"
        " WHERE used.n + :recipient_count <= :limit"
        " ON CONFLICT (team_id, request_key) DO NOTHING RETURNING id"
        ") SELECT used.n, (SELECT id FROM added) FROM used"
    )
)
# A group's child rows and most of its settlements: one statement each, for all the rows.
_ANNOUNCED_AS = {
    "kudos_id": "id",
    "channel_id": "announcement_channel_id",
    "message_id": "announcement_message_id",
}
_DM_AS = {
    "which_kudos": "kudos_id",
    "which_recipient": "recipient_id",
    "channel_id": "dm_channel_id",
    "message_id": "dm_message_id",
}
_FAST_INSERT_RECIPIENT = RowsStatement.insert(
    RECIPIENTS, ("kudos_id", "recipient_id", "position", "team_id", "created_at", "removed")
)
_FAST_INSERT_ELEMENT = RowsStatement.insert(ELEMENTS, ("kudos_id", "element"))
_FAST_INSERT_OUTBOX = RowsStatement.insert(
    OUTBOX,
    (
        "kudos_id",
        "kind",
        "target",
        "team_id",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
    ),
)
_FAST_RECORD_ANNOUNCEMENT = RowsStatement(
    DriverStatement(_RECORD_ANNOUNCEMENT),
    "UPDATE kudos SET announcement_channel_id = u.channel_id,"
    " announcement_message_id = u.message_id"
    f" FROM unnest({arrays(KUDOS, _ANNOUNCED_AS)})"
    " AS u(kudos_id, channel_id, message_id) WHERE kudos.id = u.kudos_id",
    tuple(_ANNOUNCED_AS),
)
_FAST_RECORD_DM = RowsStatement(
    DriverStatement(_RECORD_DM),
    "UPDATE kudos_recipient SET dm_channel_id = u.channel_id, dm_message_id = u.message_id"
    f" FROM unnest({arrays(RECIPIENTS, _DM_AS)})"
    " AS u(kudos_id, recipient_id, channel_id, message_id)"
    " WHERE kudos_recipient.kudos_id = u.kudos_id"
    " AND kudos_recipient.recipient_id = u.recipient_id",
    tuple(_DM_AS),
)
_FAST_ALL_SENT = RowsStatement(
    DriverStatement(_ALL_SENT),
    "DELETE FROM outbox WHERE kudos_id = ANY(%(which_kudos)b::INTEGER[])",
    ("which_kudos",),
)
_FAST_SENT = DriverStatement(_SENT)
_FAST_RETRY = DriverStatement(_RETRY)
_FAST_GIVE_UP = DriverStatement(_GIVE_UP)
KUDOS_BY_ID = select(KUDOS).where(
    KUDOS.c.id == bindparam("kudos_id"), KUDOS.c.team_id == bindparam("team_id")
)
_KUDOS_BY_ANNOUNCEMENT = select(KUDOS).where(
    KUDOS.c.team_id == bindparam("team_id"),
    KUDOS.c.announcement_message_id == bindparam("message_id"),
    KUDOS.c.announcement_channel_id == bindparam("channel_id"),
)
_RECIPIENTS_OF = (
    select(RECIPIENTS.c.recipient_id, RECIPIENTS.c.dm_channel_id, RECIPIENTS.c.dm_message_id)
    .where(RECIPIENTS.c.kudos_id == bindparam("kudos_id"))
    .order_by(RECIPIENTS.c.position)
)
_RECIPIENT_IDS_OF = (
    select(RECIPIENTS.c.recipient_id)
    .where(RECIPIENTS.c.kudos_id == bindparam("kudos_id"))
    .order_by(RECIPIENTS.c.position)
)
_ELEMENTS_OF = select(ELEMENTS.c.element).where(ELEMENTS.c.kudos_id == bindparam("kudos_id"))
_LATEST_GIVEN = (
    select(KUDOS.c.id)
    .where(
        KUDOS.c.team_id == bindparam("team_id"),
        KUDOS.c.giver_id == bindparam("giver_id"),
        KUDOS.c.created_at >= bindparam("since", type_=tables.UTCDateTime()),
        KUDOS.c.removed_at.is_(None),
    )
    .order_by(KUDOS.c.created_at.desc(), KUDOS.c.id.desc())
    .limit(1)
)
_REMOVE = (
    update(KUDOS)
    .where(
        KUDOS.c.id == bindparam("which_kudos"),
        KUDOS.c.team_id == bindparam("which_team"),
        KUDOS.c.removed_at.is_(None),
    )
    .values(removed_at=bindparam("at", type_=tables.UTCDateTime()), removed_by=bindparam("by"))
)
_REMOVE_RECEIVED = (
    update(RECIPIENTS).where(RECIPIENTS.c.kudos_id == bindparam("which_kudos")).values(removed=True)
)
_UNENDORSE = delete(ENDORSEMENTS).where(
    ENDORSEMENTS.c.kudos_id == bindparam("kudos_id"),
    ENDORSEMENTS.c.user_id == bindparam("user_id"),
)
_COUNT_ENDORSEMENTS = select(func.count()).where(ENDORSEMENTS.c.kudos_id == bindparam("kudos_id"))


class _Addition(NamedTuple):  # built for every kudos: cheaper as a tuple than a frozen dataclass
    nomination: Nomination
    created_at: datetime
    allowance: DailyAllowance
    plan: Planner


@dataclass(slots=True)
class _Rows:
    """The child rows of a group of new kudos, inserted together after the kudos rows."""

    recipients: list[dict[str, Any]]
    elements: list[dict[str, Any]]
    outbox: list[dict[str, Any]]


class SqlKudosRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        # One group written at a time, on both databases: larger groups, more kudos/s.
        # SQLite's transactions run on the loop, so nothing can join a group while one is
        # written: under load a group waits 2 ms for company. PostgreSQL's groups fill up
        # while the server answers.
        window = 0.0 if database.is_postgres else 0.002
        # New kudos and settlements of earlier ones share one queue, so under load both go
        # in the same transactions: one commit (and its round trips) for both.
        self._writes: GroupCommit[_Addition | Settlement, Given | Retraction | None] = GroupCommit(
            database, self._write_all, window=window
        )

    async def add(
        self,
        nomination: Nomination,
        *,
        created_at: datetime,
        allowance: DailyAllowance,
        plan: Planner,
    ) -> Given:
        given = await self._writes.write(_Addition(nomination, created_at, allowance, plan))
        assert isinstance(given, Given)
        return given

    def _write_all(
        self, connection: Connection, items: Sequence[_Addition | Settlement]
    ) -> list[Given | Retraction | DelightError | None]:
        additions = [item for item in items if isinstance(item, _Addition)]
        settlements = [item for item in items if isinstance(item, Settlement)]
        cursor = DriverCursor(connection)
        rows = _Rows(recipients=[], elements=[], outbox=[])
        added = iter(self._add_all(connection, cursor, additions, rows) if additions else [])
        # A settlement that leaves its kudos owing something acts on single entries.
        unfolding = [s.kudos_id for s in settlements if not s.all_done and s.names_entries]
        if unfolding:
            outbox_rows.unfold_plans(connection, unfolding)
        # Writes whose results nobody reads: on PostgreSQL, one round trip for them all.
        with cursor.batched():
            # One statement per table for the whole group (each an executemany).
            for statement, params in (
                (_FAST_INSERT_RECIPIENT, rows.recipients),
                (_FAST_INSERT_ELEMENT, rows.elements),
                (_FAST_INSERT_OUTBOX, rows.outbox),
            ):
                if params:
                    cursor.execute_many(statement, params)
            if settlements:
                _record_settlements(cursor, settlements)
        taken_back = _taken_back(cursor, settlements)
        return [
            next(added) if isinstance(item, _Addition) else taken_back.get(item.kudos_id)
            for item in items
        ]

    def _add_all(
        self,
        connection: Connection,
        cursor: DriverCursor,
        additions: Sequence[_Addition],
        rows: _Rows,
    ) -> list[Given | DelightError]:
        """Count and insert each kudos; its child rows go to `rows`, for the caller to write."""
        with cursor.batched():  # the locks go with the inserts, in one round trip
            if self._db.is_postgres:
                # Count and insert as one step per giver across processes; locks taken in
                # one global order, so two groups can never deadlock. SQLite needs no lock:
                # its single writer runs one transaction at a time.
                keys = sorted({_giver_lock(a.nomination) for a in additions})
                cursor.execute_many(_LOCK_GIVERS, [{"namespace": _GIVER_LOCKS, "keys": keys}])
            kudos_rows = [_kudos_row(cursor, addition) for addition in additions]
            counted = self._count_and_insert(cursor, additions, kudos_rows)
        prefer_dm = _preferring_dm(cursor, additions)
        return [
            self._add_one(connection, cursor, a, found, rows, prefer_dm, row["created_at"])
            for a, found, row in zip(additions, counted, kudos_rows, strict=True)
        ]

    def _add_one(
        self,
        connection: Connection,
        cursor: DriverCursor,
        addition: _Addition,
        counted: tuple[int, int | None],
        rows: _Rows,
        preferring_dm: set[tuple[str, str]],
        stored_at: Any,  # its created_at as the driver took it
    ) -> Given | DelightError:
        nomination, allowance = addition.nomination, addition.allowance
        used, kudos_id = counted
        try:
            remaining = allowance.remaining_after(
                used=used, requested=len(nomination.recipient_ids)
            )
        except DailyLimitReached as refused:
            # A repeat of the nomination that used the last slot is a repeat, not a refusal:
            # the person already got their confirmation.
            return _duplicate(nomination) if _seen(connection, nomination) else refused
        if kudos_id is None:
            # Only the request key is unique: this delivery was stored before (maybe just
            # now, by a concurrent copy of the same request).
            return _duplicate(nomination)
        team = nomination.team_id
        prefer_dm = (
            tuple(uid for uid in nomination.recipient_ids if (team, uid) in preferring_dm)
            if preferring_dm
            else ()
        )
        kudos = nomination.stored_as(kudos_id, created_at=addition.created_at)
        plan = addition.plan(prefer_dm)
        _child_rows(
            rows, kudos, plan.announce_in, created_at=stored_at, due=cursor.time(plan.retry_from)
        )
        return Given(kudos=kudos, remaining_today=remaining, plan=plan)

    def _count_and_insert(
        self,
        cursor: DriverCursor,
        additions: Sequence[_Addition],
        rows: Sequence[dict[str, Any]],
    ) -> list[tuple[int, int | None]]:
        """For each addition and its kudos row, in order: what the giver used today before
        it, and the new kudos' id: None when it was not inserted (the allowance doesn't
        cover it, or its request key was seen before)."""
        if self._db.is_postgres:  # one statement each, all in one round trip
            found = cursor.row_each(
                _COUNT_AND_INSERT,
                [
                    {**row, "since": cursor.time(a.allowance.since), "limit": a.allowance.limit}
                    for a, row in zip(additions, rows, strict=True)
                ],
            )
            return [
                (int(used), None if kudos_id is None else int(kudos_id)) for used, kudos_id in found
            ]
        # The start of the givers' day as SQLite stores it, once for each distinct one (a
        # group's givers mostly share a timezone).
        since = {day: cursor.time(day) for day in {a.allowance.since for a in additions}}
        return [
            _count_then_insert(cursor, a, row, since=since[a.allowance.since])
            for a, row in zip(additions, rows, strict=True)
        ]

    async def settle(self, settlement: Settlement) -> Retraction | None:
        """Where messages were posted (endorsements and undo find them by it) and what the
        outbox still owes, in one write shared with the settlements that arrive with it.
        Returns how the kudos was taken back if it was meanwhile: what was just posted is
        then the caller's to retract (removal itself retracted what it found recorded)."""
        if not settlement.changes_anything:
            return None
        taken_back = await self._writes.write(settlement)
        assert taken_back is None or isinstance(taken_back, Retraction)
        return taken_back

    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None:
        return await self._db.transaction(
            load_kudos, KUDOS_BY_ID, team_id=team_id, kudos_id=kudos_id
        )

    async def used_since(self, *, team_id: str, giver_id: str, since: datetime) -> int:
        """The daily allowance's count, outside the transaction that applies it."""
        return await self._db.transaction(
            count_used_since, team_id=team_id, giver_id=giver_id, since=since
        )

    async def by_announcement(self, *, team_id: str, message: MessageRef) -> Kudos | None:
        return await self._db.transaction(
            load_kudos,
            _KUDOS_BY_ANNOUNCEMENT,
            team_id=team_id,
            channel_id=message.channel_id,
            message_id=message.message_id,
        )

    async def latest_given(self, *, team_id: str, giver_id: str, since: datetime) -> Kudos | None:
        """The giver's newest kudos still standing, given at or after `since`."""

        def work(connection: Connection) -> Kudos | None:
            kudos_id = connection.scalar(
                _LATEST_GIVEN, {"team_id": team_id, "giver_id": giver_id, "since": since}
            )
            if kudos_id is None:
                return None
            return load_kudos(connection, KUDOS_BY_ID, team_id=team_id, kudos_id=kudos_id)

        return await self._db.transaction(work)

    async def remove(
        self, *, team_id: str, kudos_id: int, removed_by: str, at: datetime
    ) -> tuple[Kudos, dict[str, MessageRef]] | None:
        """Mark a kudos removed; returns it with the DMs it was delivered as, or None when it
        does not exist in this workspace or was removed already (so a repeat does nothing)."""

        def work(connection: Connection) -> tuple[Kudos, dict[str, MessageRef]] | None:
            changed = connection.execute(
                _REMOVE,
                {"which_team": team_id, "which_kudos": kudos_id, "by": removed_by, "at": at},
            ).rowcount
            if changed != 1:
                return None
            connection.execute(_REMOVE_RECEIVED, {"which_kudos": kudos_id})
            connection.execute(_ALL_SENT, {"which_kudos": kudos_id})  # nothing more is owed
            kudos = load_kudos(connection, KUDOS_BY_ID, team_id=team_id, kudos_id=kudos_id)
            assert kudos is not None
            dms = {
                row.recipient_id: MessageRef(row.dm_channel_id, row.dm_message_id)
                for row in connection.execute(_RECIPIENTS_OF, {"kudos_id": kudos_id})
                if row.dm_channel_id and row.dm_message_id
            }
            return kudos, dms

        return await self._db.transaction(work)

    async def endorse(
        self, *, team_id: str, kudos_id: int, user_id: str, via: str, at: datetime
    ) -> tuple[bool, int]:
        """Add one person's endorsement (a repeat changes nothing): (added, new count)."""

        def work(connection: Connection) -> tuple[bool, int]:
            added = connection.scalar(  # (rowcount is not reliable for an INSERT)
                insert_or_merge(connection, ENDORSEMENTS)
                .values(kudos_id=kudos_id, user_id=user_id, team_id=team_id, via=via, created_at=at)
                .on_conflict_do_nothing()
                .returning(ENDORSEMENTS.c.user_id)
            )
            return added is not None, _endorsements(connection, kudos_id)

        return await self._db.transaction(work)

    async def unendorse(self, *, kudos_id: int, user_id: str) -> tuple[bool, int]:
        """Take one person's endorsement back: (removed, new count)."""

        def work(connection: Connection) -> tuple[bool, int]:
            removed = connection.execute(
                _UNENDORSE, {"kudos_id": kudos_id, "user_id": user_id}
            ).rowcount
            return removed == 1, _endorsements(connection, kudos_id)

        return await self._db.transaction(work)


def count_used_since(
    connection: Connection, *, team_id: str, giver_id: str, since: datetime
) -> int:
    params = {"team_id": team_id, "giver_id": giver_id, "since": since}
    return int(connection.scalar(USED_SINCE, params) or 0)


def _endorsements(connection: Connection, kudos_id: int) -> int:
    return int(connection.scalar(_COUNT_ENDORSEMENTS, {"kudos_id": kudos_id}) or 0)


def _giver_lock(nomination: Nomination) -> int:
    return zlib.crc32(f"{nomination.team_id}:{nomination.giver_id}".encode()) - 2**31


def _kudos_row(cursor: DriverCursor, addition: _Addition) -> dict[str, Any]:
    nomination = addition.nomination
    return {
        "team_id": nomination.team_id,
        "giver_id": nomination.giver_id,
        "story": nomination.story,
        "source": str(nomination.source),  # a StrEnum's str(): its value, with no property call
        "request_key": nomination.request_key,
        "recipient_count": len(nomination.recipient_ids),
        "origin_channel_id": nomination.origin_channel_id,
        "source_url": nomination.source_url,
        "private": nomination.private,
        "created_at": cursor.time(addition.created_at),
    }


def _count_then_insert(
    cursor: DriverCursor, addition: _Addition, row: dict[str, Any], *, since: str
) -> tuple[int, int | None]:
    """SQLite's count and insert, as two statements (on the loop there is no round trip to
    save, and SQLite has no INSERT inside WITH)."""
    params = {"team_id": row["team_id"], "giver_id": row["giver_id"], "since": since}
    used = int(cursor.scalar(_FAST_USED_SINCE, params))
    if used + row["recipient_count"] > addition.allowance.limit:
        return used, None
    return used, cursor.insert(_FAST_INSERT_KUDOS, row)


def _duplicate(nomination: Nomination) -> DuplicateNomination:
    return DuplicateNomination(request_key=nomination.request_key)


def _seen(connection: Connection, nomination: Nomination) -> bool:
    params = {"team_id": nomination.team_id, "request_key": nomination.request_key}
    return connection.scalar(_SEEN, params) is not None


def _taken_back(cursor: DriverCursor, settlements: Sequence[Settlement]) -> dict[int, Retraction]:
    """The settled kudos that were withdrawn (by their giver) or removed (by an admin)."""
    posted = sorted({s.kudos_id for s in settlements if s.announcement or s.direct_messages})
    if not posted:
        return {}
    return {
        kudos_id: Retraction.WITHDRAWN if removed_by == giver_id else Retraction.REMOVED
        for kudos_id, giver_id, removed_by in cursor.all_in(_TAKEN_BACK, {"ids": posted})
    }


def _preferring_dm(cursor: DriverCursor, additions: Sequence[_Addition]) -> set[tuple[str, str]]:
    """(team, user) of the recipients who prefer DMs, read in the transaction that stores
    the kudos, so an opt-out made a moment before counts. Private kudos need not ask."""
    public = [a.nomination for a in additions if not a.nomination.private]
    if not public:
        return set()
    found = cursor.all_in(
        _PREFER_DM,
        {
            "team_ids": sorted({n.team_id for n in public}),
            "user_ids": sorted({uid for n in public for uid in n.recipient_ids}),
        },
    )
    return {(team_id, user_id) for team_id, user_id in found}


def _child_rows(
    rows: _Rows,
    kudos: Kudos,
    announce_in: str | None,
    *,
    created_at: Any,  # times as the driver takes them (DriverCursor.time)
    due: Any,
) -> None:
    rows.recipients.extend(
        {
            "kudos_id": kudos.id,
            "recipient_id": uid,
            "position": position,
            "team_id": kudos.team_id,
            "created_at": created_at,
            "removed": False,
        }
        for position, uid in enumerate(kudos.recipient_ids)
    )
    rows.elements.extend({"kudos_id": kudos.id, "element": str(e)} for e in kudos.elements)
    rows.outbox.append(
        {
            "kudos_id": kudos.id,
            "kind": outbox_rows.PLAN,  # what a new kudos owes is always the usual
            "target": announce_in or "",
            "team_id": kudos.team_id,
            "attempts": 0,
            "next_attempt_at": due,
            "last_error": None,
            "created_at": created_at,
        }
    )


def _entry(kudos_id: int, notification: Notification) -> dict[str, Any]:
    return {
        "which_kudos": kudos_id,
        "which_kind": notification.kind.value,
        "which_target": notification.target,
    }


def _record_settlements(cursor: DriverCursor, settlements: Sequence[Settlement]) -> None:
    """Each statement once for the whole group (an executemany), skipped when unused."""
    params: dict[DriverStatement | RowsStatement, list[dict[str, Any]]] = {
        _FAST_RECORD_ANNOUNCEMENT: [
            {
                "kudos_id": s.kudos_id,
                "channel_id": s.announcement.channel_id,
                "message_id": s.announcement.message_id,
            }
            for s in settlements
            if s.announcement is not None
        ],
        _FAST_RECORD_DM: [
            {
                "which_kudos": s.kudos_id,
                "which_recipient": uid,
                "channel_id": p.channel_id,
                "message_id": p.message_id,
            }
            for s in settlements
            for uid, p in s.direct_messages.items()
        ],
        _FAST_ALL_SENT: [{"which_kudos": s.kudos_id} for s in settlements if s.all_done],
        _FAST_SENT: [_entry(s.kudos_id, n) for s in settlements if not s.all_done for n in s.done],
        _FAST_RETRY: [
            {
                **_entry(s.kudos_id, n),
                "attempts": r.attempts,
                "at": cursor.time(r.at),
                "error": r.error,
            }
            for s in settlements
            for n, r in s.retry.items()
        ],
        _FAST_GIVE_UP: [
            {**_entry(s.kudos_id, n), "error": error}
            for s in settlements
            for n, error in s.given_up.items()
        ],
    }
    for statement, rows in params.items():
        if rows:
            cursor.execute_many(statement, rows)


def load_kudos(connection: Connection, statement: Any, **params: Any) -> Kudos | None:
    row = connection.execute(statement, params).first()
    if row is None:
        return None
    recipients = connection.scalars(_RECIPIENT_IDS_OF, {"kudos_id": row.id}).all()
    elements = set(connection.scalars(_ELEMENTS_OF, {"kudos_id": row.id}))
    return kudos_from_row(row, tuple(recipients), elements)


def kudos_from_row(row: Row[Any], recipients: tuple[str, ...], elements: set[str]) -> Kudos:
    return Kudos(
        id=row.id,
        team_id=row.team_id,
        giver_id=row.giver_id,
        recipient_ids=recipients,
        story=row.story,
        elements=tuple(e for e in Element if e.value in elements),
        source=Source(row.source),
        created_at=row.created_at,
        origin_channel_id=row.origin_channel_id,
        source_url=row.source_url,
        announcement=(
            MessageRef(row.announcement_channel_id, row.announcement_message_id)
            if row.announcement_channel_id and row.announcement_message_id
            else None
        ),
        private=row.private,
        removed_at=row.removed_at,
        removed_by=row.removed_by,
    )
