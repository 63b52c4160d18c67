"""The outbox's rules, without I/O: backoff, what is retried, what is given up."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from bot.core.model import (
    FailureReason,
    Kudos,
    Notification,
    NotificationKind,
    NotPosted,
    Posted,
    Source,
)
from bot.core.outbox import Owed, Policy, Settlement, record, settle

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
KUDOS = Kudos(
    id=7,
    team_id="T1",
    giver_id="U1",
    recipient_ids=("U2", "U3"),
    story="stayed late",
    elements=(),
    source=Source.COMMAND,
    created_at=NOW,
)
ANNOUNCEMENT = Owed(Notification(NotificationKind.ANNOUNCEMENT, "C1"))
DM_U2 = Owed(Notification(NotificationKind.DIRECT_MESSAGE, "U2"), attempts=2)
DM_U3 = Owed(Notification(NotificationKind.DIRECT_MESSAGE, "U3"))
DOWN = NotPosted("C1", FailureReason.SERVICE_UNAVAILABLE, "internal_error")


def test_waits_double_from_five_seconds_up_to_ten_minutes() -> None:
    policy = Policy()
    waits = [policy.retry_at(now=NOW, attempts=n, retry_after=None) - NOW for n in range(1, 10)]

    assert [w.total_seconds() for w in waits] == [5, 10, 20, 40, 80, 160, 320, 600, 600]


def test_a_rate_limit_is_waited_out_when_longer_than_the_backoff() -> None:
    policy = Policy()

    assert policy.retry_at(now=NOW, attempts=1, retry_after=30) == NOW + timedelta(seconds=30)
    assert policy.retry_at(now=NOW, attempts=5, retry_after=1) == NOW + timedelta(seconds=80)


def test_a_post_may_take_half_the_lease_so_nobody_takes_over_a_live_delivery() -> None:
    assert Policy(lease=timedelta(seconds=60)).post_timeout == 30


def test_posted_leaves_transient_comes_back_and_a_refusal_is_given_up() -> None:
    archived = NotPosted("U3", FailureReason.RECIPIENT_UNAVAILABLE, "user_disabled")
    outcomes = {
        ANNOUNCEMENT: Posted("C1", "1.1"),
        DM_U2: NotPosted("U2", FailureReason.SERVICE_UNAVAILABLE, "ratelimited", retry_after=90),
        DM_U3: archived,
    }

    settlement = settle(KUDOS, outcomes, now=NOW, policy=Policy())

    assert settlement.announcement == Posted("C1", "1.1")
    assert settlement.done == (ANNOUNCEMENT.notification,)
    [(notification, retry)] = settlement.retry.items()
    assert notification == DM_U2.notification
    assert (retry.attempts, retry.at) == (3, NOW + timedelta(seconds=90))
    assert settlement.given_up == {DM_U3.notification: "recipient_unavailable: user_disabled"}


def test_a_day_after_the_kudos_even_an_outage_is_given_up() -> None:
    settlement = settle(KUDOS, {ANNOUNCEMENT: DOWN}, now=NOW + timedelta(hours=24), policy=Policy())

    assert settlement.retry == {}
    assert settlement.given_up == {ANNOUNCEMENT.notification: "service_unavailable: internal_error"}


class FailingStore:
    """A store whose writes fail `failures` times, then succeed."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.tries = 0
        self.written: list[Settlement] = []

    async def settle(self, settlement: Settlement) -> None:
        self.tries += 1
        if self.tries <= self.failures:
            raise ConnectionError("the database went away")
        self.written.append(settlement)
        # (None: the kudos still stands)


class StillClock:
    def now(self) -> datetime:
        return NOW


def test_a_settlement_that_fails_to_write_is_tried_again_until_it_lands() -> None:
    store = FailingStore(failures=3)
    settlement = Settlement(kudos_id=7, done=(ANNOUNCEMENT.notification,))

    landed = asyncio.run(
        record(store, settlement, clock=StillClock(), until=NOW + timedelta(seconds=60))
    )

    assert landed.landed
    assert store.written == [settlement]
    assert store.tries == 4


def test_a_settlement_stops_trying_when_the_outbox_may_take_its_entries() -> None:
    store = FailingStore(failures=1000)
    started = time.monotonic()

    landed = asyncio.run(
        record(
            store, Settlement(kudos_id=7), clock=StillClock(), until=NOW + timedelta(seconds=0.5)
        )
    )

    assert not landed.landed
    assert time.monotonic() - started < 1
    assert store.tries >= 2
