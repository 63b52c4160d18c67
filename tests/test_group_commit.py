"""Writes that share a transaction: one item's failure is its own, and a delivery whose record
failed to write is written later, never posted twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.core.elements import Element
from bot.core.model import DailyAllowance, Given, Nomination, Posted, Source
from bot.core.outbox import Settlement
from storage import kudos_repository
from storage.engine import Database
from storage.kudos_repository import SqlKudosRepository
from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import give, posts, query, store

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PLENTY = DailyAllowance(limit=1000, since=NOON - timedelta(days=1))


def nomination(key: str, *, giver: str, recipients: tuple[str, ...] = ("U0002",)) -> Nomination:
    return Nomination(
        team_id="T0001",
        giver_id=giver,
        recipient_ids=recipients,
        story="answered every call while the phones were down",
        elements=(Element.VOLUNTARY,),
        source=Source.COMMAND,
        request_key=key,
        origin_channel_id="C0001",
    )


def test_a_failing_write_fails_only_its_own_caller_and_the_rest_of_its_group_commits(
    database_url: str,
) -> None:
    async def main() -> list[Any]:
        database = Database(database_url)
        try:
            repo = SqlKudosRepository(database)
            earlier = await store(
                repo, nomination("k0", giver="U0009"), created_at=NOON, allowance=PLENTY
            )
            settled = Settlement(
                kudos_id=earlier.kudos.id,
                announcement=Posted("C0001", "1.1"),
                done=earlier.notifications,
                all_done=True,
            )
            # Arriving together, they make one group: the broken one names a person twice.
            broken = nomination("k2", giver="U0005", recipients=("U0002", "U0002"))
            return await asyncio.gather(
                store(repo, nomination("k1", giver="U0001"), created_at=NOON, allowance=PLENTY),
                store(repo, broken, created_at=NOON, allowance=PLENTY),
                repo.settle(settled),
                store(repo, nomination("k3", giver="U0007"), created_at=NOON, allowance=PLENTY),
                return_exceptions=True,
            )
        finally:
            await database.close()

    first, broken, settled, third = asyncio.run(main())

    assert isinstance(first, Given)
    assert isinstance(third, Given)
    assert isinstance(broken, Exception)  # the driver's own integrity error
    assert "kudos_recipient" in str(broken)
    assert settled is None
    stored = query(
        database_url, "SELECT request_key, announcement_message_id FROM kudos ORDER BY id"
    )
    assert [(r["request_key"], r["announcement_message_id"]) for r in stored] == [
        ("k0", "1.1"),
        ("k1", None),
        ("k3", None),
    ]
    owed = query(database_url, "SELECT kudos_id FROM outbox ORDER BY kudos_id")
    assert [r["kudos_id"] for r in owed] == [first.kudos.id, third.kudos.id]


def test_a_delivery_whose_record_failed_to_write_is_recorded_later_and_never_posted_twice(
    app: RunningApp,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    database_url: str,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = kudos_repository._record_settlements
    failures = iter(range(3))  # the database hiccups for the first three tries

    def hiccup(*args: Any) -> None:
        if next(failures, None) is not None:
            raise OperationalError("UPDATE kudos", {}, Exception("server closed the connection"))
        record(*args)

    monkeypatch.setattr(kudos_repository, "_record_settlements", hiccup)

    give(slack, fake_slack, database_url)
    sent = len(posts(fake_slack))
    assert sent == 2  # the announcement and the DM

    clock.advance(minutes=5)  # well past the lease: the outbox would take anything left
    assert app.runtime is not None
    app.call(app.runtime.drainer.deliver_due())
    assert len(posts(fake_slack)) == sent
    assert query(database_url, "SELECT * FROM outbox") == []
    [stored] = query(database_url, "SELECT announcement_message_id FROM kudos")
    assert stored["announcement_message_id"]  # where it went is known: undo can take it back
