"""The outbox: every message a stored kudos owes is written with it, and settled once sent.

The process that stores a kudos posts its messages at once (no added latency) and settles
the outbox entries in one write. What it could not settle (the platform down, or the process died
before it could) is delivered later by `Redelivery`, which any process may run: an entry is
only due once `retry_from` has passed, so nobody takes over a delivery still under way.

Exactly once, as far as the platform allows: an entry leaves the outbox in the same transaction
that records where its message was posted. Posts carry no idempotency key, so a process that
dies after the platform accepted a message and before that transaction commits (a few
milliseconds) leaves an entry that is posted again after `Policy.lease`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.model import (
    ANNOUNCEMENT_KIND,
    DIRECT_MESSAGE_KIND,
    DeliveryReport,
    FailureReason,
    Kudos,
    Notification,
    NotificationKind,
    NotPosted,
    Posted,
    PostOutcome,
    Retraction,
    Withheld,
)
from bot.core.platform import Notifier, Retractor
from bot.core.ports import Clock

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Policy:
    """How long a delivery may take, and how retries back off."""

    lease: timedelta = timedelta(seconds=60)  # a delivery under way is left alone this long
    first_retry: timedelta = timedelta(seconds=5)
    longest_wait: timedelta = timedelta(minutes=10)
    give_up_after: timedelta = timedelta(hours=24)  # a day late, a kudos is old news
    keep_given_up: timedelta = timedelta(days=30)  # what was given up, and why, for so long

    @property
    def post_timeout(self) -> float:
        """Seconds one post may take, retries included: well inside the lease, so no other
        process starts the same delivery while this one may still succeed."""
        return self.lease.total_seconds() / 2

    def retry_at(self, *, now: datetime, attempts: int, retry_after: float | None) -> datetime:
        """When to try again after `attempts` failed tries: doubling waits, capped, never
        sooner than the platform asked."""
        doublings = min(max(attempts - 1, 0), 20)
        wait = min(self.first_retry * (1 << doublings), self.longest_wait)
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=retry_after))
        return now + wait


@dataclass(frozen=True, slots=True)
class Retry:
    at: datetime
    attempts: int  # failed tries so far
    error: str


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one delivery attempt did to a kudos' outbox entries; stored in one write."""

    kudos_id: int
    announcement: Posted | None = None  # where it landed (endorsements and undo find it)
    direct_messages: Mapping[str, Posted] = field(default_factory=dict)  # recipient → DM
    done: tuple[Notification, ...] = ()  # sent, or no longer owed: they leave the outbox
    retry: Mapping[Notification, Retry] = field(default_factory=dict)
    given_up: Mapping[Notification, str] = field(default_factory=dict)  # with the reason
    all_done: bool = False  # `done` is every entry the kudos had

    @property
    def names_entries(self) -> bool:
        return bool(self.done or self.retry or self.given_up)

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.announcement or self.direct_messages or self.done or self.retry or self.given_up
        )


@dataclass(frozen=True, slots=True)
class Owed:
    """An outbox entry due for delivery."""

    notification: Notification
    attempts: int = 0  # failed tries so far


@dataclass(frozen=True, slots=True)
class Claimed:
    """A kudos with the entries this process claimed for delivery."""

    kudos: Kudos
    owed: tuple[Owed, ...]


class SettlementStore(Protocol):
    async def settle(self, settlement: Settlement) -> Retraction | None:
        """Write it; how the kudos was taken back meanwhile, if it was (KudosRepository)."""
        ...


# A settlement that failed to write is tried again after these waits (doubling in between).
FIRST_RECORD_WAIT = 0.1
LONGEST_RECORD_WAIT = 5.0


@dataclass(frozen=True, slots=True)
class Recorded:
    landed: bool
    taken_back: Retraction | None = None  # withdrawn or removed while it was delivered


LANDED = Recorded(landed=True)  # nearly every delivery's: made once


async def record(
    store: SettlementStore, settlement: Settlement, *, clock: Clock, until: datetime
) -> Recorded:
    """Write a settlement of messages already posted, trying again with doubling waits until
    `until`, when its entries come due for another delivery: a settlement lost is the same
    messages posted twice. Says whether it landed in time (logged when not), and whether the
    kudos was taken back meanwhile."""
    deadline: float | None = None  # the loop's time at `until`, once a write failed
    wait = FIRST_RECORD_WAIT
    while True:
        try:
            taken_back = await store.settle(settlement)
        except Exception:
            loop = asyncio.get_running_loop()
            if deadline is None:
                deadline = loop.time() + (until - clock.now()).total_seconds()
            if loop.time() + wait >= deadline:
                logger.exception(
                    "kudos %s delivered, but where it was posted was not recorded: the outbox "
                    "may post its messages again",
                    settlement.kudos_id,
                )
                return Recorded(landed=False)
            logger.warning(
                "recording the delivery of kudos %s failed; trying again in %.1f s",
                settlement.kudos_id,
                wait,
                exc_info=True,
            )
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_RECORD_WAIT)
        else:
            return LANDED if taken_back is None else Recorded(landed=True, taken_back=taken_back)


class OutboxStore(Protocol):
    async def claim_due(self, *, now: datetime, until: datetime, limit: int) -> list[Claimed]:
        """Entries due at `now`, made due again only at `until` (so no other process takes
        them meanwhile), grouped by kudos."""
        ...

    async def settle(self, settlement: Settlement) -> Retraction | None:
        """As KudosRepository.settle."""
        ...

    async def backlog(self) -> tuple[int, int]:
        """(entries waiting to be delivered, entries given up)."""
        ...

    async def forget_given_up(self, *, before: datetime) -> int:
        """Delete the given-up entries of kudos given before then; how many."""
        ...


def _send(notifier: Notifier, kudos: Kudos, notification: Notification) -> Awaitable[PostOutcome]:
    if notification.kind is ANNOUNCEMENT_KIND:
        return notifier.announce(kudos, channel_id=notification.target)
    return notifier.notify_recipient(kudos, recipient_id=notification.target)


async def post_all(
    notifier: Notifier, kudos: Kudos, owed: Sequence[Owed], *, within: float
) -> dict[Owed, PostOutcome]:
    """Post announcements and DMs one after another, all within `within` seconds; never
    raises (a failure is a NotPosted), and one message's failure never stops the next. When
    the time is up, the post under way is cancelled and the rest are not tried: they are
    reported as timed out, and the outbox posts them later. (Side by side, a task for each
    post cost more than all the rest of a delivery's bookkeeping: bench/README.md.)"""
    outcomes: dict[Owed, PostOutcome] = {}
    try:
        async with asyncio.timeout(within):
            for o in owed:
                try:
                    outcomes[o] = await _send(notifier, kudos, o.notification)
                except Exception as error:
                    logger.error(
                        "posting %s of kudos %s failed",
                        o.notification.kind,
                        kudos.id,
                        exc_info=error,
                    )
                    # Its name only: the message may carry SQL, a URL or a story, and this
                    # detail is shown.
                    outcomes[o] = NotPosted(
                        o.notification.target, FailureReason.OTHER, type(error).__name__
                    )
    except TimeoutError:
        # The platform may yet have accepted the post that was cut off: the one case (with a
        # crash) where a retry can post a message twice.
        for o in owed:
            outcomes.setdefault(
                o, NotPosted(o.notification.target, FailureReason.SERVICE_UNAVAILABLE, "timeout")
            )
    return outcomes


def settle(
    kudos: Kudos,
    outcomes: Mapping[Owed, PostOutcome],
    *,
    now: datetime,
    policy: Policy,
    also_done: Sequence[Notification] = (),
    every_entry: bool = False,
) -> Settlement:
    """The outbox changes for these outcomes: posted ones leave, transient failures come
    back later (until the kudos is a day old), the rest are given up with their reason.
    `also_done` leave too (a receipt the caller delivers itself); `every_entry` says the
    outcomes and `also_done` are all the entries the kudos has."""
    announcement: Posted | None = None
    direct_messages: dict[str, Posted] = {}
    done: list[Notification] = [*also_done]
    retry: dict[Notification, Retry] = {}
    given_up: dict[Notification, str] = {}
    too_old: bool | None = None  # worked out at the first failure: most deliveries have none
    for owed, outcome in outcomes.items():
        notification = owed.notification
        if isinstance(outcome, Posted):
            done.append(notification)
            if notification.kind is ANNOUNCEMENT_KIND:
                announcement = outcome
            elif notification.kind is DIRECT_MESSAGE_KIND:
                direct_messages[notification.target] = outcome
            continue
        error = f"{outcome.reason.value}: {outcome.detail}" if outcome.detail else outcome.reason
        if too_old is None:
            too_old = now - kudos.created_at >= policy.give_up_after
        if outcome.reason.transient and not too_old:
            attempts = owed.attempts + 1
            at = policy.retry_at(now=now, attempts=attempts, retry_after=outcome.retry_after)
            retry[notification] = Retry(at=at, attempts=attempts, error=str(error))
        else:
            given_up[notification] = str(error)
    return Settlement(
        kudos_id=kudos.id,
        announcement=announcement,
        direct_messages=direct_messages,
        done=tuple(done),
        retry=retry,
        given_up=given_up,
        all_done=every_entry and not retry and not given_up,
    )


def report_of(
    kudos: Kudos,
    outcomes: Mapping[Owed, PostOutcome],
    settlement: Settlement,
    *,
    withheld: Withheld | None = None,
    prefer_dm: tuple[str, ...] = (),
) -> DeliveryReport:
    """What the giver is told: each message's outcome, and which will be tried again."""
    announcement = None
    direct_messages: dict[str, PostOutcome] = {}
    for owed, outcome in outcomes.items():
        if owed.notification.kind is ANNOUNCEMENT_KIND:
            announcement = outcome
        elif owed.notification.kind is DIRECT_MESSAGE_KIND:
            direct_messages[owed.notification.target] = outcome
    ordered = {uid: direct_messages[uid] for uid in kudos.recipient_ids if uid in direct_messages}
    return DeliveryReport(
        kudos=kudos,
        announcement=announcement,
        direct_messages=ordered,
        withheld=withheld,
        prefer_dm=prefer_dm,
        retrying=frozenset(n.target for n in settlement.retry) if settlement.retry else frozenset(),
    )


async def settle_or_retract(
    store: SettlementStore,
    retractor: Retractor,
    kudos: Kudos,
    settlement: Settlement,
    *,
    clock: Clock,
    until: datetime,
) -> None:
    """Record what a delivery did (`record`). If the kudos was withdrawn or removed while it
    was being delivered, retract what this delivery posted: the removal retracted what was
    recorded before it, and the settlement's row locks order the two, so nothing stays up."""
    how = (await record(store, settlement, clock=clock, until=until)).taken_back
    if how is None:
        return
    logger.info("kudos %s was taken back during its delivery: retracting it", kudos.id)
    await retractor.retract(
        replace(kudos, announcement=settlement.announcement),
        direct_messages=dict(settlement.direct_messages),
        how=how,
    )


class Redelivery:
    """Delivers what the outbox still owes: after a crash, or while the platform was down."""

    def __init__(
        self,
        *,
        outbox: OutboxStore,
        notifier: Notifier,
        retractor: Retractor,
        clock: Clock,
        policy: Policy = Policy(),
        batch: int = 100,
    ) -> None:
        self._outbox = outbox
        self._notifier = notifier
        self._retractor = retractor
        self._clock = clock
        self._policy = policy
        self._batch = batch

    async def forget_old_failures(self) -> int:
        """The record of what was given up is kept `Policy.keep_given_up`, then deleted."""
        return await self._outbox.forget_given_up(
            before=self._clock.now() - self._policy.keep_given_up
        )

    async def deliver_due(self) -> bool:
        """One pass: claim what is due and deliver it. True when the batch was full (so more
        may be due)."""
        now = self._clock.now()
        until = now + self._policy.lease
        claimed = await self._outbox.claim_due(now=now, until=until, limit=self._batch)
        await asyncio.gather(*(self._redeliver(c, until) for c in claimed))
        return sum(len(c.owed) for c in claimed) >= self._batch

    async def _redeliver(self, claimed: Claimed, until: datetime) -> None:
        kudos = claimed.kudos
        try:
            if kudos.removed_at is not None:  # withdrawn meanwhile: nothing more is owed
                done = tuple(o.notification for o in claimed.owed)
                await self._outbox.settle(Settlement(kudos_id=kudos.id, done=done))
                return
            await self._deliver(claimed, until)
        except Exception:  # one kudos' trouble must not stop the others; it is retried later
            logger.exception("redelivering kudos %s failed", kudos.id)

    async def _deliver(self, claimed: Claimed, until: datetime) -> None:
        kudos, policy = claimed.kudos, self._policy
        receipts = [o for o in claimed.owed if o.notification.kind is NotificationKind.RECEIPT]
        messages = [o for o in claimed.owed if o not in receipts]
        outcomes = await post_all(self._notifier, kudos, messages, within=policy.post_timeout)
        settlement = settle(kudos, outcomes, now=self._clock.now(), policy=policy)
        if receipts or settlement.given_up:
            # The giver never heard (the process died before confirming), or something
            # they were told would come will not: tell them, by DM.
            told = await self._tell_giver(report_of(kudos, outcomes, settlement))
            outcomes.update(dict.fromkeys(receipts, told))
            settlement = settle(kudos, outcomes, now=self._clock.now(), policy=policy)
        logger.info(
            "kudos %s redelivered: %d sent, %d to retry, %d given up",
            kudos.id,
            len(settlement.done),
            len(settlement.retry),
            len(settlement.given_up),
        )
        await settle_or_retract(
            self._outbox, self._retractor, kudos, settlement, clock=self._clock, until=until
        )

    async def _tell_giver(self, report: DeliveryReport) -> PostOutcome:
        try:
            return await asyncio.wait_for(
                self._notifier.update_giver(report), self._policy.post_timeout
            )
        except TimeoutError:
            giver = report.kudos.giver_id
            return NotPosted(giver, FailureReason.SERVICE_UNAVAILABLE, "timeout")
