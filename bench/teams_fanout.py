"""Teams fan-outs at Teams' rate limits: Delight's own delivery code (the real runtime, Teams
only, its TipService and DigestService over the Teams ports and the connector's pacer) against
the tests' fake Bot Connector enforcing Teams' published limits (per conversation 7 messages a
second, 8 in 2 s, 60 in 30 s; per tenant 50 requests a second), which answers 429 with
Retry-After beyond them. With the bot's clock moved to a Monday 09:00 UTC:

1. a tip by 1:1 to each member of a Teams team (`--members`, 1,000), whose 1:1s Delight opens;
2. the next day's tip to the same members, their 1:1s known;
3. the week's manager digests (`--managers`, 1,000), each opening its manager's 1:1.

For each: the messages sent, the 429s met (target: none), the requests a second achieved
against the tenant's allowance (target: at least 90% of it) and the time taken.

    python -m bench.teams_fanout                       # SQLite in a temporary directory
    python -m bench.teams_fanout --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import SQLModel

from bench.digests import DELIVERY_MOMENT, populate
from bot.config import load_settings
from bot.runtime import build_runtime
from storage.engine import Database, make_sync_engine
from storage.msteams import SqlMsTeamsDirectory, first_name_key, name_key
from tests.conftest import FakeClock
from tests.fakemsteams import CLIENT_ID, CLIENT_SECRET, TENANT_ID, FakeConnector, RateLimits

WORKSPACE = f"msteams:{TENANT_ID}"
TEAM = "19:fanout-team@thread.tacv2"  # the Teams team whose members get the tip, its General
ADMIN = "0a000000-0000-4000-8000-000000000000"  # who installed Delight and set it all up
CLEARED = (
    "tip_direct_message",
    "tip_delivery",
    "tip_schedule",
    "digest_delivery",
    "digest_schedule",
    "msteams_members",
    "msteams_conversations",
    "msteams_tenants",
)


def staff_id(n: int) -> str:
    return f"5a000000-0000-4000-8000-{n:012d}"


def manager_id(n: int) -> str:
    return f"3a000000-0000-4000-8000-{n:012d}"


def member_id(aad_id: str) -> str:
    return "29:1fanout-" + aad_id


def name_of(aad_id: str) -> str:
    kind = "Manager" if aad_id.startswith("3a") else "Staff"
    return f"{kind} {int(aad_id.rsplit('-', 1)[1])}"


# --- the organisation ----------------------------------------------------------------------


def prepare(url: str, args: argparse.Namespace, fake: FakeConnector) -> None:
    """The bench's database (teams of people, kudos, what Delight knows of the tenant) and the
    fake's tenant (the team's roster, the managers)."""
    staff = args.managers * args.team_size
    populate(
        url,
        staff=staff,
        teams=args.managers,
        kudos=args.kudos,
        team=WORKSPACE,
        staff_ids=staff_id,
        manager_ids=manager_id,
        admin=ADMIN,
    )
    people = [staff_id(n) for n in range(max(staff, args.members))]
    people += [manager_id(n) for n in range(args.managers)]
    engine = make_sync_engine(url)
    tables = SQLModel.metadata.tables
    with engine.begin() as connection:
        for name in CLEARED:
            connection.execute(tables[name].delete())
        # Everyone has spoken to Delight or been on a roster it read: their names are known,
        # but no 1:1 with any of them is open yet.
        connection.execute(
            insert(tables["msteams_members"]),
            [
                {
                    "workspace_id": WORKSPACE,
                    "user_id": aad_id,
                    "member_id": member_id(aad_id),
                    "name": name_of(aad_id),
                    "name_key": name_key(name_of(aad_id)),
                    "first_name_key": first_name_key(name_of(aad_id), None),
                    "is_bot": False,
                    "updated_at": DELIVERY_MOMENT - timedelta(days=30),
                }
                for aad_id in people
            ],
        )
        connection.execute(
            insert(tables["tip_schedule"]).values(
                team_id=WORKSPACE,
                channel_id=TEAM,
                owner_id=ADMIN,
                weekdays="0,1,2,3,4,5,6",
                at="09:00",
                timezone="UTC",
                start_date=DELIVERY_MOMENT.date(),
                created_at=DELIVERY_MOMENT - timedelta(days=1),
                counts_from=DELIVERY_MOMENT - timedelta(days=1),
                mode="members",
            )
        )
        connection.execute(
            insert(tables["digest_schedule"]).values(
                team_id=WORKSPACE,
                weekday=DELIVERY_MOMENT.weekday(),
                hour=DELIVERY_MOMENT.hour,
                charts=False,
                updated_at=DELIVERY_MOMENT - timedelta(days=1),
            )
        )
    engine.dispose()
    asyncio.run(_installed(url, fake.service_url))

    fake.add_channel(TEAM, TEAM, None)
    for n in range(args.members):
        aad_id = staff_id(n)
        fake.add_member(TENANT_ID, aad_id, name_of(aad_id), member_id(aad_id), (TEAM,))
    for n in range(args.managers):
        aad_id = manager_id(n)
        fake.add_member(TENANT_ID, aad_id, name_of(aad_id), member_id(aad_id), ())


async def _installed(url: str, service_url: str) -> None:
    database = Database(url)
    directory = SqlMsTeamsDirectory(database)
    at = DELIVERY_MOMENT - timedelta(days=30)
    try:
        await directory.remember_tenant(
            WORKSPACE, service_url=service_url, at=at, installed_by=ADMIN
        )
        await directory.remember_conversation(
            WORKSPACE, TEAM, service_url=service_url, kind="channel", at=at, team_id=TEAM
        )
    finally:
        await database.close()


# --- measuring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    label: str
    outcome: str
    messages: int
    requests: int
    throttled: int
    throttled_routes: dict[str, int]
    elapsed: float
    window: float  # seconds from the first request let through to the last
    allowed: float  # requests a second the tenant may make

    @property
    def rate(self) -> float:
        """Requests a second, past the first second's allowance (which goes at once)."""
        burst = self.allowed  # a window's worth may go together
        return (self.requests - burst) / self.window if self.window > 0 else 0.0

    @property
    def share(self) -> float | None:
        """The rate against the allowance; None when too few requests to judge."""
        return self.rate / self.allowed if self.requests > 2 * self.allowed else None

    def line(self) -> str:
        share = self.share
        judged = (
            f"{self.rate:.1f} requests/s of the tenant's {self.allowed:g}/s = {share:.0%}"
            + (" PASS" if share >= 0.9 else " FAIL")
            if share is not None
            else "rate: too few requests to judge"
        )
        return (
            f"{self.label}: {self.outcome}\n"
            f"  {self.messages:,} messages sent, {self.requests:,} requests, "
            f"429s met: {self.throttled} "
            f"{f'{self.throttled_routes} FAIL' if self.throttled else 'PASS'}; "
            f"{judged}; "
            f"{self.messages / self.elapsed:.1f} messages/s; total {self.elapsed:.1f} s"
        )


async def measure(
    label: str, fake: FakeConnector, limits: RateLimits, run: Callable[[], Awaitable[Any]]
) -> Result:
    requests_before = len(limits.accepted)
    throttled_before = Counter(limits.throttled)
    sent_before = fake.operations["send"]
    started = time.perf_counter()
    outcome = await run()
    elapsed = time.perf_counter() - started
    accepted = limits.accepted[requests_before:]
    return Result(
        label=label,
        outcome=outcome,
        messages=fake.operations["send"] - sent_before,
        requests=len(accepted),
        throttled=(limits.throttled - throttled_before).total(),
        throttled_routes=dict(limits.throttled - throttled_before),
        elapsed=elapsed,
        window=accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0,
        allowed=limits.per_tenant[0] / limits.per_tenant[1],
    )


def summary(statuses: Sequence[Any]) -> str:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{count:,} {status}" for status, count in sorted(counts.items()))


async def deliver(url: str, args: argparse.Namespace, fake: FakeConnector) -> list[Result]:
    limits = fake.limit_rates()
    clock = FakeClock(DELIVERY_MOMENT + timedelta(seconds=30))
    env = {
        "TEAMS_CLIENT_ID": CLIENT_ID,
        "TEAMS_CLIENT_SECRET": CLIENT_SECRET,
        "TEAMS_OPENID_METADATA_URL": fake.metadata_url,
        "TEAMS_TOKEN_URL": fake.token_url,
        "DATABASE_URL": url,
    }
    runtime = build_runtime(load_settings(env), clock=clock)
    results = []
    try:

        async def tip() -> str:
            done = await runtime.tips.run_due()
            return "; ".join(f"{d.status} ({d.reason})" for d in done) or "nothing due"

        async def digests() -> str:
            done = await runtime.services.digests.digests.run_due()
            return summary([o.status for o in done]) or "nothing due"

        first = f"tip by 1:1 to {args.members:,} members, each 1:1 opened"
        results.append(await measure(first, fake, limits, tip))
        clock.current += timedelta(days=1)
        known = f"the next day's tip to the same {args.members:,}, 1:1s known"
        results.append(await measure(known, fake, limits, tip))
        clock.current = DELIVERY_MOMENT + timedelta(seconds=30)
        monday = f"{args.managers:,} manager digests on a Monday, each 1:1 opened"
        results.append(await measure(monday, fake, limits, digests))
    finally:
        await runtime.close()
    return results


def run(args: argparse.Namespace) -> list[Result]:
    url = args.database_url
    with tempfile.TemporaryDirectory(prefix="delight-fanout-") as scratch:
        if url is None:
            url = f"sqlite:///{Path(scratch) / 'fanout.db'}"
        print(f"database: {url.split('@')[-1] if args.database_url else 'SQLite (temporary)'}")
        fake = FakeConnector(keep_calls=False).start()
        try:
            started = time.perf_counter()
            prepare(url, args, fake)
            print(
                f"tenant: a team of {args.members:,} members; {args.managers:,} managers, each "
                f"of a team of {args.team_size}; {args.kudos:,} kudos "
                f"(prepared in {time.perf_counter() - started:.1f} s)"
            )
            limits = RateLimits()
            print(
                f"the fake enforces per conversation {limits.per_conversation}, per tenant "
                f"{limits.per_tenant} (requests, seconds)"
            )
            results = asyncio.run(deliver(url, args, fake))
        finally:
            fake.stop()
    for result in results:
        print(result.line())
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--members", type=int, default=1_000, help="the team's members (1,000)")
    parser.add_argument("--managers", type=int, default=1_000, help="digests to send (1,000)")
    parser.add_argument("--team-size", type=int, default=5, help="people a manager's team (5)")
    parser.add_argument("--kudos", type=int, default=50_000, help="kudos over two years")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run(parse_args(argv))


if __name__ == "__main__":
    main()
