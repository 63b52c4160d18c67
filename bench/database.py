"""What benchmarks do to a freshly filled database before measuring it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, event, insert, text
from sqlmodel import SQLModel

from bot.core.elements import Element
from storage import tables  # noqa: F401  (registers the tables)

BATCH = 20_000


def analyze(engine: Engine) -> None:
    """What autovacuum does soon after a bulk load: planner statistics, and on PostgreSQL the
    visibility map that index-only scans need. Measuring before it would time a state no
    running deployment stays in."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE")
        )


class StatementCounter:
    """How many SQL statements an engine has sent so far: the benches report queries per
    build to show the count stays fixed whatever the data's size (no N+1)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def add_kudos_history(
    connection: Connection,
    *,
    team_id: str,
    people: Sequence[str],
    kudos: int,
    end: datetime,
    days: int,
    rng: random.Random,
    first_id: int = 1,
) -> None:
    """`kudos` kudos among `people`, spread at random over the `days` before `end`, with ids
    from `first_id` (none of them taken yet): one or two recipients each, up to two elements, one in
    ten private, one in fifty removed, one in five endorsed by a few people."""
    t = SQLModel.metadata.tables
    span = timedelta(days=days).total_seconds()
    elements = [e.value for e in Element]
    staff = len(people)
    for first in range(0, kudos, BATCH):
        rows, recipients, tags, endorsements = [], [], [], []
        for kudos_id in range(first + first_id, min(first + BATCH, kudos) + first_id):
            at = end - timedelta(seconds=rng.random() * span)
            giver = rng.randrange(staff)
            who = {rng.randrange(staff) for _ in range(1 if rng.random() < 0.8 else 2)}
            who.discard(giver)
            who = who or {(giver + 1) % staff}
            rows.append(
                {
                    "id": kudos_id,
                    "team_id": team_id,
                    "giver_id": people[giver],
                    "story": f"helped a customer find what they needed, story {kudos_id}",
                    "source": "command",
                    "request_key": f"bench:{kudos_id}",
                    "recipient_count": len(who),
                    "private": rng.random() < 0.1,
                    "created_at": at,
                    "removed_at": at if rng.random() < 0.02 else None,
                }
            )
            recipients += [
                {
                    "kudos_id": kudos_id,
                    "recipient_id": people[r],
                    "position": p,
                    "team_id": team_id,
                    "created_at": at,
                }
                for p, r in enumerate(sorted(who))
            ]
            tags += [
                {"kudos_id": kudos_id, "element": e} for e in rng.sample(elements, rng.randrange(3))
            ]
            if rng.random() < 0.2:
                endorsements += [
                    {
                        "kudos_id": kudos_id,
                        "user_id": people[u],
                        "team_id": team_id,
                        "via": "button",
                        "created_at": at,
                    }
                    for u in {rng.randrange(staff) for _ in range(rng.randrange(1, 6))}
                ]
        connection.execute(insert(t["kudos"]), rows)
        connection.execute(insert(t["kudos_recipient"]), recipients)
        if tags:
            connection.execute(insert(t["kudos_element"]), tags)
        if endorsements:
            connection.execute(insert(t["kudos_endorsement"]), endorsements)
    move_sequences_on(connection, "kudos")


def move_sequences_on(connection: Connection, *names: str) -> None:
    """After rows were inserted with explicit ids, PostgreSQL's sequences must follow."""
    if connection.dialect.name != "postgresql":
        return
    for name in names:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
        )
