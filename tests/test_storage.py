"""Repositories and migrations, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from bot.core.elements import Element
from bot.core.errors import DailyLimitReached, DuplicateNomination
from bot.core.model import (
    DailyAllowance,
    DeliveryReport,
    Given,
    Kudos,
    MessageRef,
    Nomination,
    NotificationKind,
    Posted,
    PostOutcome,
    Retraction,
    Source,
)
from bot.core.outbox import Claimed, Redelivery, Retry, Settlement
from storage.driver_sql import DriverStatement, InQuery
from storage.engine import Database, alembic_config, make_sync_engine, upgrade_schema
from storage.event_ledger import SqlEventLedger
from storage.forget import forget_user
from storage.kudos_queries import SqlKudosQueries
from storage.kudos_repository import SqlKudosRepository
from storage.outbox import SqlOutbox
from storage.settings_repository import SqlSettingsRepository
from storage.tables import SQLModel
from tests.conftest import FakeClock
from tests.helpers import query, record_announcement, store

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PLENTY = DailyAllowance(limit=1000, since=NOON - timedelta(days=1))


def run(database_url: str, work: Callable[[Database], Awaitable[Any]]) -> Any:
    """Run `work(database)` on a fresh Database and loop, and close both."""

    async def main() -> Any:
        database = Database(database_url)
        try:
            return await work(database)
        finally:
            await database.close()

    return asyncio.run(main())


def run_kudos(database_url: str, work: Callable[[SqlKudosRepository], Awaitable[Any]]) -> Any:
    return run(database_url, lambda database: work(SqlKudosRepository(database)))


def nomination(
    key: str = "k1", *, team: str = "T0001", giver: str = "U0001", **kw: object
) -> Nomination:
    fields: dict[str, object] = {
        "team_id": team,
        "giver_id": giver,
        "recipient_ids": ("U0002", "U0003"),
        "story": "covered the phones “all day” 🎉",
        "elements": (Element.VOLUNTARY, Element.CUSTOMER),
        "source": Source.COMMAND,
        "request_key": key,
        "origin_channel_id": "C0001",
    }
    fields.update(kw)
    return Nomination(**fields)  # type: ignore[arg-type]


def test_migrations_build_exactly_the_tables_the_code_declares(database_url: str) -> None:
    """No drift between Alembic and SQLModel: the schema comes only from migrations."""
    engine = make_sync_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), SQLModel.metadata
        )
    engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent_and_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_schema(url)
    upgrade_schema(url)

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert query(url, "SELECT version_num FROM alembic_version") == [{"version_num": head}]
    assert query(url, "PRAGMA journal_mode") == [{"journal_mode": "wal"}]
    assert query(url, "PRAGMA wal_autocheckpoint") == [{"wal_autocheckpoint": 10_000}]
    assert query(url, "PRAGMA cache_size") == [{"cache_size": -65_536}]


def test_kudos_round_trip_with_aware_utc_times(database_url: str) -> None:
    async def work(repo: SqlKudosRepository) -> Any:
        given = await store(
            repo,
            nomination(),
            created_at=NOON.astimezone(ZoneInfo("Pacific/Auckland")),
            allowance=PLENTY,
        )
        return given, await repo.get(team_id="T0001", kudos_id=given.kudos.id)

    given, loaded = run_kudos(database_url, work)

    assert given.remaining_today == 998
    assert loaded is not None
    assert loaded.id == given.kudos.id
    assert loaded.created_at == NOON
    assert loaded.created_at.tzinfo is not None
    assert loaded.recipient_ids == ("U0002", "U0003")
    assert loaded.elements == (Element.VOLUNTARY, Element.CUSTOMER)
    assert loaded.story == "covered the phones “all day” 🎉"


def test_pages_run_newest_first_by_time_and_a_deleted_cursor_starts_over(database_url: str) -> None:
    """Pages follow the kudos' times even where ids disagree (a group may commit an older
    request after a newer one); a cursor whose kudos was deleted meanwhile starts over."""
    minutes = [5, 1, 4, 2, 3]  # in the order they are stored

    async def work(database: Database) -> Any:
        repo, queries = SqlKudosRepository(database), SqlKudosQueries(database)
        ids = {}
        for n in minutes:
            given = await store(
                repo,
                nomination(f"k{n}", story=f"story {n}"),
                created_at=NOON + timedelta(minutes=n),
                allowance=PLENTY,
            )
            ids[n] = given.kudos.id
        await store(repo, nomination("other", team="T0002"), created_at=NOON, allowance=PLENTY)
        pages = []
        for pages_of, who in ((queries.received, "U0003"), (queries.given, "U0001")):
            first = await pages_of(team_id="T0001", user_id=who, limit=2)
            second = await pages_of(team_id="T0001", user_id=who, before=first.older, limit=2)
            third = await pages_of(team_id="T0001", user_id=who, before=second.older, limit=2)
            pages.append([[item.kudos.story for item in p.items] for p in (first, second, third)])
        await database.transaction(
            lambda connection: connection.exec_driver_sql(f"DELETE FROM kudos WHERE id = {ids[4]}")
        )
        after_deleted = await queries.received(
            team_id="T0001", user_id="U0003", before=ids[4], limit=2
        )
        return pages, [item.kudos.story for item in after_deleted.items]

    pages, after_deleted = run(database_url, work)

    newest_first = [["story 5", "story 4"], ["story 3", "story 2"], ["story 1"]]
    assert pages == [newest_first, newest_first]
    assert after_deleted == ["story 5", "story 3"]


def test_naive_times_are_refused(database_url: str) -> None:
    async def work(repo: SqlKudosRepository) -> Any:
        await store(repo, nomination(), created_at=datetime(2026, 1, 1), allowance=PLENTY)

    with pytest.raises(Exception, match="naive"):
        run_kudos(database_url, work)


def test_a_repeated_request_key_is_a_duplicate_only_within_its_workspace(database_url: str) -> None:
    async def work(repo: SqlKudosRepository) -> Any:
        await store(repo, nomination("same"), created_at=NOON, allowance=PLENTY)
        with pytest.raises(DuplicateNomination):
            await store(repo, nomination("same"), created_at=NOON, allowance=PLENTY)
        await store(repo, nomination("same", team="T0002"), created_at=NOON, allowance=PLENTY)

    run_kudos(database_url, work)

    assert len(query(database_url, "SELECT id FROM kudos")) == 2
    assert len(query(database_url, "SELECT kudos_id FROM kudos_recipient")) == 4


def test_concurrent_repeats_store_exactly_one(database_url: str) -> None:
    async def work(repo: SqlKudosRepository) -> Any:
        return await asyncio.gather(
            *(store(repo, nomination("race"), created_at=NOON, allowance=PLENTY) for _ in range(6)),
            return_exceptions=True,
        )

    outcomes = run_kudos(database_url, work)

    assert sum(isinstance(o, Given) for o in outcomes) == 1
    assert all(isinstance(o, DuplicateNomination) for o in outcomes if not isinstance(o, Given))
    assert len(query(database_url, "SELECT id FROM kudos")) == 1


def test_concurrent_nominations_cannot_together_pass_the_daily_limit(database_url: str) -> None:
    """Count and insert are one step per giver (an advisory lock on PostgreSQL, the single
    writer on SQLite), so five at once with room for two store exactly two."""
    allowance = DailyAllowance(limit=2, since=NOON - timedelta(hours=1))

    async def work(repo: SqlKudosRepository) -> Any:
        return await asyncio.gather(
            *(
                store(
                    repo,
                    nomination(f"n{n}", recipient_ids=("U0002",)),
                    created_at=NOON,
                    allowance=allowance,
                )
                for n in range(5)
            ),
            return_exceptions=True,
        )

    outcomes = run_kudos(database_url, work)

    assert sum(isinstance(o, Given) for o in outcomes) == 2
    assert all(isinstance(o, DailyLimitReached) for o in outcomes if not isinstance(o, Given))
    assert len(query(database_url, "SELECT id FROM kudos")) == 2


def test_the_allowance_counts_recipients_per_giver_workspace_and_day(database_url: str) -> None:
    today = DailyAllowance(limit=4, since=NOON - timedelta(hours=1))

    async def work(repo: SqlKudosRepository) -> Any:
        yesterday = NOON - timedelta(days=1)
        await store(repo, nomination("a"), created_at=yesterday, allowance=PLENTY)
        await store(repo, nomination("d", giver="U0009"), created_at=NOON, allowance=PLENTY)
        await store(repo, nomination("e", team="T0002"), created_at=NOON, allowance=PLENTY)
        first = await store(repo, nomination("b"), created_at=NOON, allowance=today)
        second = await store(
            repo, nomination("c", recipient_ids=("U0004",)), created_at=NOON, allowance=today
        )
        with pytest.raises(DailyLimitReached) as refused:
            await store(repo, nomination("f"), created_at=NOON, allowance=today)
        # the nomination that used the last slot, delivered again, is a repeat, not a refusal
        with pytest.raises(DuplicateNomination):
            await store(
                repo, nomination("c", recipient_ids=("U0004",)), created_at=NOON, allowance=today
            )
        return first.remaining_today, second.remaining_today, refused.value

    first, second, refused = run_kudos(database_url, work)

    assert (first, second) == (2, 1)  # yesterday's, another giver's, another workspace's: not
    assert (refused.remaining, refused.requested) == (1, 2)


def test_get_is_scoped_to_the_workspace(database_url: str) -> None:
    async def work(repo: SqlKudosRepository) -> Any:
        given = await store(repo, nomination(), created_at=NOON, allowance=PLENTY)
        await record_announcement(repo, given.kudos.id, Posted(channel_id="C9", message_id="1.2"))
        return (
            await repo.get(team_id="T0002", kudos_id=given.kudos.id),
            await repo.get(team_id="T0001", kudos_id=given.kudos.id),
        )

    elsewhere, here = run_kudos(database_url, work)

    assert elsewhere is None
    assert here.announcement == MessageRef("C9", "1.2")


def test_event_ledger_remembers_and_forgets(database_url: str) -> None:
    async def work(database: Database) -> Any:
        ledger = SqlEventLedger(database)
        first = await ledger.first_delivery(team_id="T1", event_id="Ev1", at=NOON)
        again = await ledger.first_delivery(team_id="T1", event_id="Ev1", at=NOON)
        other_team = await ledger.first_delivery(team_id="T2", event_id="Ev1", at=NOON)
        forgotten = await ledger.forget_before(NOON + timedelta(seconds=1))
        after = await ledger.first_delivery(team_id="T1", event_id="Ev1", at=NOON)
        return first, again, other_team, forgotten, after

    assert run(database_url, work) == (True, False, True, 2, True)


def test_settings_fall_back_to_the_deployment_defaults(database_url: str) -> None:
    async def work(database: Database) -> Any:
        repo = SqlSettingsRepository(
            database, default_recognition_channel="CDEFAULT", default_daily_limit=10
        )
        before = await repo.get("T0001")
        await repo.save("T0001", recognition_channel_id="CKUDOS", daily_limit=3)
        after = await repo.get("T0001")
        await repo.save("T0001", recognition_channel_id=None, daily_limit=None)
        reset = await repo.get("T0001")
        return before, after, reset

    before, after, reset = run(database_url, work)

    assert (before.recognition_channel_id, before.daily_limit) == ("CDEFAULT", 10)
    assert (after.recognition_channel_id, after.daily_limit) == ("CKUDOS", 3)
    assert (reset.recognition_channel_id, reset.daily_limit) == ("CDEFAULT", 10)


def test_settings_asked_for_at_once_are_read_once_and_a_save_is_never_undone(
    database_url: str,
) -> None:
    async def work(database: Database) -> Any:
        repo = SqlSettingsRepository(
            database, default_recognition_channel="CDEFAULT", default_daily_limit=10
        )
        reads = 0
        transaction = database.transaction

        async def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            return await transaction(*args, **kwargs)

        database.transaction = counted  # type: ignore[method-assign]
        at_once = await asyncio.gather(*(repo.get("T0001") for _ in range(20)))
        reads_at_once = reads
        # A save while a read is under way: that read's value is not the one kept.
        asked_before = asyncio.ensure_future(repo.get("T0002"))
        await asyncio.sleep(0)
        saved = await repo.save("T0002", daily_limit=3)
        await asked_before
        return at_once, reads_at_once, saved, await repo.get("T0002")

    at_once, reads_at_once, saved, after = run(database_url, work)

    assert reads_at_once == 1
    assert {s.daily_limit for s in at_once} == {10}
    assert saved.daily_limit == after.daily_limit == 3


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 4, 5, 6, 7, tzinfo=ZoneInfo("Europe/Amsterdam")),  # no µs
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_times_written_on_the_driver_path_read_and_compare_as_sqlalchemy_writes_them(
    database_url: str, moment: datetime
) -> None:
    """The hot path writes through the driver's cursor (storage/driver_sql.py): its times
    must come back equal, and compare in SQL, exactly as tables.UTCDateTime's do."""

    async def work(repo: SqlKudosRepository) -> Any:
        return await store(repo, nomination(), created_at=moment, allowance=PLENTY)

    given = run_kudos(database_url, work)
    engine = make_sync_engine(database_url)
    kudos = SQLModel.metadata.tables["kudos"]
    try:
        with engine.connect() as connection:
            stored = connection.scalar(
                select(kudos.c.created_at).where(kudos.c.id == given.kudos.id)
            )
            at_or_after = [
                connection.scalar(
                    select(func.count()).where(kudos.c.created_at >= since)  # as USED_SINCE
                )
                for since in (moment, moment + timedelta(microseconds=1))
            ]
    finally:
        engine.dispose()
    assert stored == moment
    assert at_or_after == [1, 0]


class CountingNotifier:
    """A Notifier that takes a moment per post and counts what it was asked to post."""

    def __init__(self) -> None:
        self.posted: Counter[tuple[int, str]] = Counter()

    async def _post(self, kudos_id: int, target: str) -> PostOutcome:
        await asyncio.sleep(0.01)
        self.posted[(kudos_id, target)] += 1
        return Posted(channel_id=target, message_id=f"{kudos_id}.{target}")

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
        return await self._post(kudos.id, channel_id)

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
        return await self._post(kudos.id, recipient_id)

    async def update_giver(self, report: DeliveryReport) -> PostOutcome:
        return await self._post(report.kudos.id, report.kudos.giver_id)

    async def retract(self, kudos: Kudos, **_: Any) -> None:
        raise AssertionError(f"kudos {kudos.id} stands: nothing to retract")


def test_two_drainers_deliver_each_owed_message_once(database_url: str) -> None:
    """Processes draining the outbox at once (on PostgreSQL they claim with FOR UPDATE SKIP
    LOCKED) never both take a message."""
    owed = 30

    async def main() -> tuple[CountingNotifier, list[Claimed]]:
        databases = [Database(database_url) for _ in range(3)]
        notifier = CountingNotifier()
        try:
            repo = SqlKudosRepository(databases[0])
            for n in range(owed):  # their process died: nothing was delivered
                await store(repo, nomination(f"k{n}"), created_at=NOON, allowance=PLENTY)
            drainers = [
                Redelivery(
                    outbox=SqlOutbox(db, SqlKudosRepository(db)),
                    notifier=notifier,
                    retractor=notifier,
                    clock=FakeClock(NOON + timedelta(minutes=5)),
                    batch=7,  # several passes each, interleaved
                )
                for db in databases[1:]
            ]

            async def drain(redelivery: Redelivery) -> None:
                while await redelivery.deliver_due():
                    pass

            await asyncio.gather(*(drain(d) for d in drainers))
            left = await SqlOutbox(databases[0], repo).claim_due(
                now=NOON + timedelta(days=2), until=NOON + timedelta(days=3), limit=1000
            )
            return notifier, left
        finally:
            for db in databases:
                await db.close()

    notifier, left = asyncio.run(main())

    # Each kudos: its announcement, two DMs and the giver's receipt, once each.
    assert len(notifier.posted) == owed * 4
    assert set(notifier.posted.values()) == {1}
    assert left == []


def test_a_query_in_lists_is_one_array_each_on_postgresql_and_placeholders_on_sqlite() -> None:
    query = InQuery("SELECT 1 FROM t WHERE a {teams} AND b {users}")
    lists = {"teams": ["T1"], "users": ["U1", "U2"]}

    assert query.sql("postgresql", lists) == (
        "SELECT 1 FROM t WHERE a = ANY(%(teams)s) AND b = ANY(%(users)s)",
        {"teams": ["T1"], "users": ["U1", "U2"]},
    )
    assert query.sql("sqlite", lists) == (
        "SELECT 1 FROM t WHERE a IN (?) AND b IN (?, ?)",
        ["T1", "U1", "U2"],
    )


def test_sqlite_gets_a_statements_named_parameters_in_its_order_and_postgresql_by_name() -> None:
    table = sa.table("t", sa.column("a"), sa.column("b"))
    statement = DriverStatement(
        sa.select(sa.func.coalesce(table.c.a, 0)).where(
            table.c.b == sa.bindparam("b"), table.c.a > sa.bindparam("a")
        )
    )
    one = DriverStatement(sa.select(table.c.a).where(table.c.b == sa.bindparam("b")))

    on_sqlite = statement.sql("sqlite")
    assert on_sqlite.sql.count("?") == 3
    assert on_sqlite.params({"a": 1, "b": "x"}) == (0, "x", 1)  # the fixed 0 first, in place
    assert list(on_sqlite.each([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])) == [
        (0, "x", 1),
        (0, "y", 2),
    ]
    assert list(one.sql("sqlite").each([{"b": "x"}])) == [("x",)]
    by_name = statement.sql("postgresql").params({"a": 1, "b": "x"})
    assert by_name.pop("a") == 1
    assert by_name.pop("b") == "x"
    assert list(by_name.values()) == [0]  # the fixed value, under the name SQLAlchemy gave it


def test_sqlite_binds_none_as_null_and_booleans_as_integers() -> None:
    # storage.driver_sql, imported above, registers the adapters that make it faster.
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (a, b, c)")
    connection.execute("INSERT INTO t VALUES (?, ?, ?)", (None, True, False))
    assert connection.execute("SELECT a, typeof(a), b, typeof(b), c FROM t").fetchall() == [
        (None, "null", 1, "integer", 0)
    ]


def outbox_rows(database_url: str) -> list[tuple[str, str, int, bool, str | None]]:
    """(kind, target, attempts, due (not given up), last_error) of every outbox row."""
    return [
        (r["kind"], r["target"], r["attempts"], r["next_attempt_at"] is not None, r["last_error"])
        for r in query(database_url, "SELECT * FROM outbox ORDER BY kind, target")
    ]


def test_a_usual_delivery_is_one_outbox_row_claimed_as_each_of_its_messages(
    database_url: str,
) -> None:
    async def work(database: Database) -> tuple[Given, Given, list[Claimed], tuple[int, int]]:
        repo = SqlKudosRepository(database)
        announced = await store(repo, nomination("k1"), created_at=NOON, allowance=PLENTY)
        private = await store(
            repo, nomination("k2", private=True), created_at=NOON, allowance=PLENTY
        )
        outbox = SqlOutbox(database, repo)
        backlog = await outbox.backlog()
        later = NOON + timedelta(minutes=2)
        claimed = await outbox.claim_due(now=later, until=later + timedelta(minutes=1), limit=10)
        return announced, private, claimed, backlog

    announced, private, claimed, backlog = run(database_url, work)

    assert outbox_rows(database_url) == [
        ("plan", "", 0, True, None),
        ("plan", "C0001", 0, True, None),
    ]
    assert backlog == (4 + 3, 0)  # messages, not rows
    by_kudos = {c.kudos.id: [o.notification for o in c.owed] for c in claimed}
    assert by_kudos == {
        announced.kudos.id: list(announced.notifications),
        private.kudos.id: list(private.notifications),
    }
    assert [n.kind for n in by_kudos[announced.kudos.id]] == [
        NotificationKind.ANNOUNCEMENT,
        NotificationKind.DIRECT_MESSAGE,
        NotificationKind.DIRECT_MESSAGE,
        NotificationKind.RECEIPT,
    ]


def test_a_settlement_that_leaves_messages_owed_keeps_a_row_for_each(database_url: str) -> None:
    async def work(repo: SqlKudosRepository) -> None:
        given = await store(repo, nomination("k1"), created_at=NOON, allowance=PLENTY)
        announcement, to_bob, to_carol, receipt = given.notifications
        await repo.settle(
            Settlement(
                kudos_id=given.kudos.id,
                announcement=Posted("C0001", "1.1"),
                done=(announcement, receipt),
                retry={to_bob: Retry(at=NOON + timedelta(minutes=5), attempts=1, error="down")},
                given_up={to_carol: "recipient_unavailable"},
            )
        )

    run_kudos(database_url, work)

    assert outbox_rows(database_url) == [
        ("dm", "U0002", 1, True, "down"),
        ("dm", "U0003", 1, False, "recipient_unavailable"),
    ]


def test_forgetting_a_giver_drops_their_receipt_from_a_delivery_under_way(
    database_url: str,
) -> None:
    run_kudos(
        database_url,
        lambda repo: store(repo, nomination("k1"), created_at=NOON, allowance=PLENTY),
    )
    engine = make_sync_engine(database_url)
    try:
        with engine.begin() as connection:
            forget_user(connection, team_id="T0001", user_id="U0001")
    finally:
        engine.dispose()

    assert [(kind, target) for kind, target, *_ in outbox_rows(database_url)] == [
        ("announcement", "C0001"),
        ("dm", "U0002"),
        ("dm", "U0003"),
    ]


def test_a_settlement_of_a_kudos_taken_back_meanwhile_says_how(database_url: str) -> None:
    """What a delivery posted after the kudos was withdrawn or removed is the deliverer's to
    retract: its settlement says so (read after its own writes, so no removal slips by)."""

    async def work(repo: SqlKudosRepository) -> Any:
        withdrawn = await store(repo, nomination("w"), created_at=NOON, allowance=PLENTY)
        removed = await store(repo, nomination("r"), created_at=NOON, allowance=PLENTY)
        standing = await store(repo, nomination("s"), created_at=NOON, allowance=PLENTY)
        for given, by in ((withdrawn, "U0001"), (removed, "UADMIN")):
            await repo.remove(team_id="T0001", kudos_id=given.kudos.id, removed_by=by, at=NOON)
        return [
            await repo.settle(
                Settlement(kudos_id=g.kudos.id, announcement=MessageRef("C1", f"{g.kudos.id}.1"))
            )
            for g in (withdrawn, removed, standing)
        ]

    assert run_kudos(database_url, work) == [Retraction.WITHDRAWN, Retraction.REMOVED, None]
