"""How long App Home takes to build for a person with a long history.

    .venv/bin/python -m bench.app_home [--database-url postgresql://...] [--runs 200]

A workspace of 100,000 kudos, in which one person received 10,000 and gave 10,000; every kudos
has an element, a third have an endorsement. The script times, on the server side, building
that person's App Home (every query, plus rendering the Block Kit view) `--runs` times — first
page, then paging back — and prints p50/p99 and the number of SQL statements per build (a
fixed number, whatever the history's size: no N+1). Target (issue 3): p99 < 50 ms on SQLite
and on PostgreSQL. Runs against a fresh SQLite file by default; with --database-url
postgresql://…, a scratch database is created on that server and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bench.database import StatementCounter, analyze
from bot.core.admins import AdminRights
from bot.core.home import HomeCursor, HomeService
from bot.core.model import Person, WorkspaceSettings
from handlers.slack.home_view import home_view
from storage import tables  # noqa: F401
from storage.engine import Database, upgrade_schema
from storage.kudos_queries import SqlKudosQueries
from storage.preferences import SqlPreferences
from storage.tip_repository import SqlTipScheduleRepository

TEAM = "T0001"
ME = "UME"
TOTAL = 100_000
MINE = 10_000


class Directory:
    async def people(self, team_id: str, user_ids: Any) -> dict[str, Person]:
        return {uid: Person(id=uid, name=uid, tz="Europe/Amsterdam") for uid in user_ids}


class Settings:
    async def get(self, team_id: str) -> WorkspaceSettings:
        return WorkspaceSettings(team_id=team_id, recognition_channel_id="C1", daily_limit=10)


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def seed(database_url: str) -> None:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    kudos_t = SQLModel.metadata.tables["kudos"]
    recipients_t = SQLModel.metadata.tables["kudos_recipient"]
    elements_t = SQLModel.metadata.tables["kudos_element"]
    endorsements_t = SQLModel.metadata.tables["kudos_endorsement"]
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=730)
    elements = ["voluntary", "act", "demonstrates", "genuine", "desire", "delight", "customer"]
    batch = 5000
    with engine.begin() as connection:
        for first in range(1, TOTAL + 1, batch):
            ids = range(first, min(first + batch, TOTAL + 1))
            kudos, recipients, tags, endorsements = [], [], [], []
            for i in ids:
                at = start + timedelta(minutes=i * 7)
                giver = ME if i % 10 == 1 else f"U{rng.randrange(10_000):05d}"
                receiver = ME if i % 10 == 2 else f"U{rng.randrange(10_000):05d}"
                kudos.append(
                    {
                        "id": i,
                        "team_id": TEAM,
                        "giver_id": giver,
                        "story": f"Story {i}: stayed late to help a customer find the right gift.",
                        "source": "command",
                        "request_key": f"seed:{i}",
                        "recipient_count": 1,
                        "private": False,
                        "created_at": at,
                        "announcement_channel_id": "C1",
                        "announcement_message_id": f"{i}.000100",
                    }
                )
                recipients.append(
                    {
                        "kudos_id": i,
                        "recipient_id": receiver,
                        "position": 0,
                        "team_id": TEAM,
                        "created_at": at,
                    }
                )
                tags.append({"kudos_id": i, "element": elements[i % 7]})
                if i % 3 == 0:
                    endorsements.append(
                        {
                            "kudos_id": i,
                            "user_id": f"U{rng.randrange(10_000):05d}",
                            "team_id": TEAM,
                            "via": "reaction",
                            "created_at": at,
                        }
                    )
            connection.execute(insert(kudos_t), kudos)
            connection.execute(insert(recipients_t), recipients)
            connection.execute(insert(elements_t), tags)
            connection.execute(insert(endorsements_t), endorsements)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('kudos_id_seq', :n)"), {"n": TOTAL})
    analyze(engine)
    engine.dispose()


async def measure(database_url: str, runs: int) -> tuple[list[float], int, int]:
    database = Database(database_url)
    statements = StatementCounter(database.engine)
    settings = Settings()
    home = HomeService(
        queries=SqlKudosQueries(database),
        preferences=SqlPreferences(database),
        settings=settings,
        admins=AdminRights(directory=Directory(), settings=settings),
        directory=Directory(),
        schedules=SqlTipScheduleRepository(database),
        clock=Clock(),
    )
    timings: list[float] = []
    cursor = HomeCursor()
    blocks = 0
    for run in range(runs + 10):
        before = statements.count
        started = time.perf_counter()
        built = await home.home(TEAM, ME, cursor)
        view = home_view(built)
        elapsed = time.perf_counter() - started
        if run >= 10:  # the first builds warm caches and connections
            timings.append(elapsed * 1000)
            per_build = statements.count - before
            blocks = max(blocks, len(view["blocks"]))
        # Page back through the history, then start again from the newest.
        older = built.received.older if run % 5 else None
        cursor = HomeCursor(received_before=older, given_before=older)
    await database.close()
    return timings, per_build, blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="postgresql://… (default: a fresh SQLite file)")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    scratch = None
    if args.database_url:
        server = make_url(args.database_url)
        scratch = f"delight_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            server.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{scratch}"'))
        url = server.set(database=scratch).render_as_string(hide_password=False)
        label = "PostgreSQL"
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'home.db'}"
        label = "SQLite"
    try:
        upgrade_schema(url)
        started = time.perf_counter()
        seed(url)
        print(
            f"{label}: seeded {TOTAL:,} kudos ({MINE:,} received and {MINE:,} given by one "
            f"person) in {time.perf_counter() - started:.1f} s"
        )
        timings, statements, blocks = asyncio.run(measure(url, args.runs))
        p99 = statistics.quantiles(timings, n=100)[98]
        print(
            f"App Home build, {len(timings)} runs: p50 {statistics.median(timings):.1f} ms, "
            f"p99 {p99:.1f} ms, max {max(timings):.1f} ms; {statements} SQL statements per "
            f"build; at most {blocks} blocks (limit 100)"
        )
        print(f"target p99 < 50 ms: {'PASS' if p99 < 50 else 'FAIL'}")
    finally:
        if scratch:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
