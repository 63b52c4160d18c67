"""Setting up teams, kudos and clocks for the digest tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import SQLModel

from bot.core.digest_delivery import Outcome
from bot.core.teams import Team, TeamDraft
from storage import tables  # noqa: F401  (registers the tables)
from storage.engine import make_sync_engine
from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import execute, query

# Monday 23 November 2026, 09:00 in Amsterdam: the default digest time for U0001.
MONDAY_NINE_AMSTERDAM = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MONDAY_NINE_NEW_YORK = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
LAST_WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # inside the covered week
ADMIN = "U0001"
TEAM_CREATED = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # Monday of the covered week


def make_admin(fake: FakeSlack, user_id: str = ADMIN) -> None:
    fake.state.users[user_id]["is_admin"] = True


def add_team(
    app: RunningApp, fake: FakeSlack, clock: FakeClock, *, name: str = "Support EMEA", **kw: Any
) -> Team:
    """A team saved the way the admin form saves it (as U0001, made an admin)."""
    assert app.runtime is not None
    make_admin(fake)
    fields: dict[str, Any] = {
        "name": name,
        "manager_ids": ("U0001",),
        "member_ids": ("U0002", "U0003", "U0004"),
    }
    fields.update(kw)
    saved_at = clock.current
    clock.current = TEAM_CREATED  # after the previous digest was due: nothing missed
    try:
        return app.call(
            app.runtime.services.digests.teams.save("T0001", TeamDraft(**fields), admin_id=ADMIN)
        )
    finally:
        clock.current = saved_at


def give(
    slack: SlackDriver,
    clock: FakeClock,
    database_url: str,
    at: datetime,
    text: str,
    *,
    user: str = "U0005",
) -> int:
    """A kudos through the real /delight command at a chosen moment; returns its id."""
    clock.current = at
    before = _kudos_ids(database_url)
    assert slack.command(text, user=user).status == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if new := _kudos_ids(database_url) - before:
            return new.pop()
        time.sleep(0.02)
    raise AssertionError(f"no kudos was stored for {text!r}")


def _kudos_ids(database_url: str) -> set[int]:
    return {row["id"] for row in query(database_url, "SELECT id FROM kudos")}


def insert_kudos(database_url: str, kudos: list[dict[str, Any]]) -> None:
    """Many kudos fast, straight into the tables through their typed columns (for the large
    team tests). Each dict: giver, recipients, at, story, elements, key."""
    by_name = SQLModel.metadata.tables
    engine = make_sync_engine(database_url)
    try:
        with engine.begin() as connection:
            for k in kudos:
                kudos_id = connection.scalar(
                    insert(by_name["kudos"])
                    .values(
                        team_id="T0001",
                        giver_id=k["giver"],
                        story=k["story"],
                        source="command",
                        request_key=k["key"],
                        recipient_count=len(k["recipients"]),
                        private=k.get("private", False),
                        created_at=k["at"],
                    )
                    .returning(by_name["kudos"].c.id)
                )
                connection.execute(
                    insert(by_name["kudos_recipient"]),
                    [
                        {
                            "kudos_id": kudos_id,
                            "recipient_id": uid,
                            "position": n,
                            "team_id": "T0001",
                            "created_at": k["at"],
                        }
                        for n, uid in enumerate(k["recipients"])
                    ],
                )
                if k.get("elements"):
                    connection.execute(
                        insert(by_name["kudos_element"]),
                        [{"kudos_id": kudos_id, "element": e} for e in k["elements"]],
                    )
    finally:
        engine.dispose()


def endorse(database_url: str, kudos_id: int, *users: str) -> None:
    for user in users:
        execute(
            database_url,
            "INSERT INTO kudos_endorsement (kudos_id, user_id, team_id, via, created_at) "
            "VALUES (:k, :u, 'T0001', 'button', CURRENT_TIMESTAMP)",
            k=kudos_id,
            u=user,
        )


def run_due(app: RunningApp) -> list[Outcome]:
    assert app.runtime is not None
    return app.call(app.runtime.services.digests.digests.run_due(), timeout=60)


def ledger(database_url: str) -> list[dict[str, Any]]:
    return query(
        database_url,
        "SELECT manager_id, week, status, attempts, reason FROM digest_delivery "
        "ORDER BY manager_id, week",
    )
