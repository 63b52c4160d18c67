"""Manager digests at scale: a synthetic organisation (10,000 staff, 1,000 managers in 1,000
teams, 500,000 kudos over two years), then

1. building every digest for one week (charts excluded), with the queries each one costs;
2. drawing charts, timed apart;
3. delivering the week's digests through the real DigestService, paced client and poster,
   to a fake Slack that enforces the rate limits (bench.rate_limited_slack), counting 429s
   and how much of the chat.postMessage budget the delivery used.

    python -m bench.digests                                  # SQLite in /tmp
    python -m bench.digests --database-url postgresql://postgres@127.0.0.1:5432/bench

`--speed N` (10) runs Slack's clock N times faster for step 3 (the pacer and the fake alike), so
a delivery that takes 17 minutes at the real limits is measured in under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import func, insert, select
from sqlmodel import SQLModel

from bench.database import StatementCounter, add_kudos_history, analyze, move_sequences_on
from bench.rate_limited_slack import RateLimitedSlack
from bot.core.digest import Digest
from bot.core.digest_delivery import DigestService
from bot.core.digest_week import DigestSchedule, parse_week
from bot.core.teams import MemberResolver
from bot.digest_chart import MatplotlibCharts, draw_chart
from handlers.slack.digest import SlackDigestPoster
from handlers.slack.directory import SlackDirectory
from handlers.slack.members import SlackMemberSources, SlackPeople
from handlers.slack.notifier import SlackNotifier
from handlers.slack.pacing import (
    METHOD_TIERS,
    PER_CHANNEL,
    Rate,
    RateBudget,
    make_paced_client,
    message_burst_for,
)
from handlers.slack.workspace_clients import OneWorkspace
from storage import tables  # noqa: F401  (registers the tables)
from storage.activity_repository import SqlActivityRepository
from storage.digest_ledger import SqlDigestLedger
from storage.engine import Database, make_sync_engine, upgrade_schema
from storage.settings_repository import SqlSettingsRepository
from storage.team_repository import SqlTeamRepository
from tests.fakeslack import user

TEAM = "T0001"
WEEK = "2026-W47"
DELIVERY_MOMENT = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)  # Monday 09:00 UTC, + 30 s


def staff_id(n: int) -> str:
    return f"U{n:05d}"


def manager_id(n: int) -> str:
    return f"UMGR{n:04d}"


# --- the organisation ---------------------------------------------------------------------------


def populate(
    url: str,
    *,
    staff: int,
    teams: int,
    kudos: int,
    seed: int = 5,
    team: str = TEAM,
    staff_ids: Callable[[int], str] = staff_id,
    manager_ids: Callable[[int], str] = manager_id,
    admin: str = "UADMIN",
) -> float:
    """Fill an empty database (or keep one filled by an earlier run with the same sizes): in
    workspace `team`, `teams` teams of `staff // teams` people, each with a manager of its own,
    and `kudos` recognitions among the staff. The ids are Slack's unless given."""
    upgrade_schema(url)
    engine = make_sync_engine(url)
    t = SQLModel.metadata.tables
    with engine.begin() as connection:
        if connection.scalar(select(func.count()).select_from(t["kudos"])) == kudos:
            engine.dispose()
            return 0.0
    started = time.perf_counter()
    rng = random.Random(seed)
    end = parse_week(WEEK, "UTC").end
    created = end - timedelta(days=800)
    with engine.begin() as connection:
        for name in ("kudos_endorsement", "kudos_element", "kudos_recipient", "digest_delivery"):
            connection.execute(t[name].delete())
        for name in ("manager_team_manager", "manager_team_source", "manager_team", "kudos"):
            connection.execute(t[name].delete())
        per_team = staff // teams
        connection.execute(
            insert(t["manager_team"]),
            [
                {
                    "id": n + 1,
                    "team_id": team,
                    "name": f"Team {n:04d}",
                    "created_by": admin,
                    "created_at": created,
                }
                for n in range(teams)
            ],
        )
        connection.execute(
            insert(t["manager_team_manager"]),
            [
                {"manager_team_id": n + 1, "user_id": manager_ids(n), "team_id": team, "tz": "UTC"}
                for n in range(teams)
            ],
        )
        connection.execute(
            insert(t["manager_team_source"]),
            [
                {"manager_team_id": n + 1, "kind": "user", "ref_id": staff_ids(n * per_team + m)}
                for n in range(teams)
                for m in range(per_team)
            ],
        )
        add_kudos_history(
            connection,
            team_id=team,
            people=[staff_ids(n) for n in range(staff)],
            kudos=kudos,
            end=end,
            days=730,
            rng=rng,
        )
        move_sequences_on(connection, "manager_team")
    analyze(engine)
    engine.dispose()
    return time.perf_counter() - started


# --- 1 and 2: building and drawing ------------------------------------------------------


class NoSlack:
    """Build-only runs read no group or channel (the teams are picked people)."""

    async def usergroup_members(self, team_id: str, usergroup_id: str) -> list[str]:
        raise AssertionError("not used")

    async def channel_members(self, team_id: str, channel_id: str) -> list[str]:
        raise AssertionError("not used")


async def build_all(url: str) -> tuple[list[Digest], float, list[int]]:
    database = Database(url)
    queries = StatementCounter(database.engine)
    teams = SqlTeamRepository(database)
    service = DigestService(
        teams=teams,
        ledger=None,  # type: ignore[arg-type]
        activity=SqlActivityRepository(database),
        people=None,  # type: ignore[arg-type]
        sources=NoSlack(),
        poster=None,  # type: ignore[arg-type]
        charts=None,  # type: ignore[arg-type]
        clock=None,  # type: ignore[arg-type]
    )
    everyone = await teams.all(TEAM)
    week = parse_week(WEEK, "UTC")
    resolver = MemberResolver(NoSlack())
    per_digest: list[int] = []
    # One at a time, so each digest's query count is its own (SQLite runs one transaction at
    # a time anyway; PostgreSQL could go faster in parallel).
    gate = asyncio.Semaphore(1)

    async def one(team: Any) -> Digest:
        async with gate:
            before = queries.count
            digest = await service.build(team, week, resolver=resolver)
            per_digest.append(queries.count - before)
            return digest

    started = time.perf_counter()
    digests = await asyncio.gather(*(one(team) for team in everyone))
    elapsed = time.perf_counter() - started
    await database.close()
    return list(digests), elapsed, per_digest


def time_charts(digests: Sequence[Digest], count: int) -> list[float]:
    draw_chart(digests[0])  # the first draws pay for importing matplotlib
    times = []
    for digest in digests[:count]:
        started = time.perf_counter()
        draw_chart(digest)
        times.append(time.perf_counter() - started)
    return times


# --- 3: delivery at Slack's pace ---------------------------------------------------------


def scaled(rate: Rate, speed: float) -> Rate:
    return Rate(rate.per_minute * speed, rate.burst)


async def deliver(
    url: str,
    *,
    staff: int,
    teams: int,
    budget: int,
    speed: float,
    charts: bool,
    moment: datetime = DELIVERY_MOMENT,
) -> dict[str, Any]:
    methods = {m: scaled(r, speed) for m, r in METHOD_TIERS.items()}
    burst = message_burst_for(budget)  # the real budget's burst, at any speed
    methods["chat.postMessage"] = Rate(budget * speed, burst)
    fake = RateLimitedSlack(methods=methods, per_channel=scaled(PER_CHANNEL, speed))
    fake.state.users = {
        **{staff_id(n): user(staff_id(n), f"staff{n}", tz="UTC") for n in range(staff)},
        **{manager_id(n): user(manager_id(n), f"manager{n}", tz="UTC") for n in range(teams)},
        "UADMIN": user("UADMIN", "admin", tz="UTC"),
    }
    fake.start()
    database = Database(url)
    http = aiohttp.ClientSession()
    try:
        ledger = SqlDigestLedger(database)
        await ledger.save_schedule(DigestSchedule(TEAM, charts=charts))
        client = make_paced_client(
            token="xoxb-bench",
            base_url=fake.api_url,
            session=http,
            budget=RateBudget(
                messages_per_minute=budget * speed,
                methods={m: scaled(r, speed) for m, r in METHOD_TIERS.items()},
                per_channel=scaled(PER_CHANNEL, speed),
                message_burst=burst,
            ),
        )
        workspace = OneWorkspace(client)  # the benchmark's one workspace
        chart_renderer = MatplotlibCharts()
        service = DigestService(
            teams=SqlTeamRepository(database),
            ledger=ledger,
            activity=SqlActivityRepository(database),
            people=SlackPeople(workspace),
            sources=SlackMemberSources(workspace),
            poster=SlackDigestPoster(
                workspace,
                languages=SlackNotifier(
                    workspace,
                    SqlSettingsRepository(
                        database, default_recognition_channel=None, default_daily_limit=10
                    ),
                    SlackDirectory(workspace),
                ),
            ),
            charts=chart_renderer,
            clock=_Fixed(moment),
            concurrency=16,
        )
        started = time.perf_counter()
        outcomes = await service.run_due()
        elapsed = time.perf_counter() - started
        chart_renderer.close()
    finally:
        await http.close()
        await database.close()
        fake.stop()
    posts = fake.accepted.get("chat.postMessage", [])
    window = (posts[-1] - posts[0]) if len(posts) > 1 else 0.0
    rate = (len(posts) - burst) / window * 60 / speed if window else 0.0
    return {
        "sent": sum(o.status == "sent" for o in outcomes),
        "other": sorted({o.status for o in outcomes} - {"sent"}),
        "elapsed": elapsed,
        "post_window": window,
        "rate_per_minute": rate,
        "budget": budget,
        "used": rate / budget if budget else 0.0,
        "refused": dict(fake.refused),
        "calls": {m: len(v) for m, v in fake.accepted.items()},
    }


class _Fixed:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def clear_ledger(url: str) -> None:
    engine = make_sync_engine(url)
    with engine.begin() as connection:
        connection.execute(SQLModel.metadata.tables["digest_delivery"].delete())
    engine.dispose()


# --- the report ------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    url = args.database_url
    print(f"database: {url.split('@')[-1]}")
    filled = populate(url, staff=args.staff, teams=args.teams, kudos=args.kudos)
    print(
        f"organisation: {args.staff:,} staff, {args.teams:,} managers in {args.teams:,} teams, "
        f"{args.kudos:,} kudos over two years"
        + (f" (generated in {filled:.0f} s)" if filled else " (reused)")
    )
    digests, elapsed, per_digest = await build_all(url)
    print(
        f"build: {len(digests):,} digests for {WEEK} in {elapsed:.2f} s "
        f"({elapsed / len(digests) * 1000:.1f} ms each); queries per digest: "
        f"min {min(per_digest)}, max {max(per_digest)}, mean {statistics.mean(per_digest):.2f}"
    )
    busiest = max(digests, key=lambda d: d.kudos_count)
    print(
        f"  a week's busiest team: {busiest.kudos_count} kudos; "
        f"teams with someone quiet 30 days: {sum(bool(d.quiet) for d in digests)}"
    )
    if args.charts:
        times = time_charts(digests, args.charts)
        mean = statistics.mean(times)
        print(
            f"charts: {len(times)} drawn, mean {mean * 1000:.0f} ms, p95 "
            f"{sorted(times)[int(len(times) * 0.95) - 1] * 1000:.0f} ms "
            f"(≈ {mean * len(digests):.0f} s of one core for all {len(digests):,})"
        )
    if args.deliver:
        runs = [("", False, DELIVERY_MOMENT, True)]
        if args.with_charts:
            runs += [
                (" with charts, first week (DMs opened)", True, DELIVERY_MOMENT, True),
                (
                    " with charts, next week (DMs known)",
                    True,
                    DELIVERY_MOMENT + timedelta(7),
                    False,
                ),
            ]
        for label, charts, moment, clear in runs:
            if clear:
                clear_ledger(url)
            # Drawing takes real time (one core), which a faster Slack clock doesn't shrink:
            # chart runs use a slower clock so the comparison stays fair.
            speed = min(args.speed, args.chart_speed) if charts else args.speed
            result = await deliver(
                url,
                staff=args.staff,
                teams=args.teams,
                budget=args.budget,
                speed=speed,
                charts=charts,
                moment=moment,
            )
            print(
                f"delivery{label}: {result['sent']:,} sent "
                f"{result['other'] or ''} in {result['elapsed']:.1f} s at {speed:g}× speed "
                f"(≈ {result['elapsed'] * speed / 60:.1f} min at Slack's real limits); "
                f"chat.postMessage {result['rate_per_minute']:.1f}/min of a {result['budget']}/min "
                f"budget = {result['used']:.0%}; 429s: {sum(result['refused'].values())} "
                f"{result['refused'] or ''}"
            )
            print(f"  calls: {result['calls']}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:////tmp/delight-bench-digests.db")
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=1_000)
    parser.add_argument("--kudos", type=int, default=500_000)
    parser.add_argument("--charts", type=int, default=50, help="charts to draw and time (50)")
    parser.add_argument("--deliver", action="store_true", help="also time paced delivery")
    parser.add_argument("--with-charts", action="store_true", help="deliver with charts too")
    parser.add_argument("--budget", type=int, default=60, help="digest DMs a minute (60)")
    parser.add_argument("--speed", type=float, default=10.0, help="Slack's clock, faster (10)")
    parser.add_argument("--chart-speed", type=float, default=5.0, help="the same, with charts (5)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
