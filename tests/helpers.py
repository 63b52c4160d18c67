"""Small assertions over what the app stored and what it sent."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.core.kudos import plan_delivery
from bot.core.model import DailyAllowance, Given, Nomination, Posted
from bot.core.outbox import Settlement
from storage.engine import make_sync_engine
from tests.fakeslack import Call, FakeSlack


def query(database_url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows from the app's database, read through a separate (sync) connection."""
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def kudos_rows(database_url: str) -> list[dict[str, Any]]:
    return query(database_url, "SELECT * FROM kudos ORDER BY id")


def posts(fake: FakeSlack, channel: str | None = None) -> list[Call]:
    return [
        c for c in fake.calls("chat.postMessage") if channel is None or c.args["channel"] == channel
    ]


def reply_text(call: Call) -> str:
    return str(call.args.get("text", ""))


def all_block_text(call: Call) -> str:
    """Every piece of mrkdwn/plain text in a call's blocks, joined."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(call.args.get("blocks") or [])
    return "\n".join(texts)


def execute(database_url: str, sql: str, **params: Any) -> None:
    """Change the app's database directly (to set up a state the UI cannot reach yet)."""
    engine = make_sync_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(sql), params)
    finally:
        engine.dispose()


def set_workspace(
    database_url: str,
    *,
    team_id: str = "T0001",
    channel: str | None = None,
    limit: int | None = None,
) -> None:
    execute(
        database_url,
        "INSERT INTO workspace_settings (team_id, recognition_channel_id, daily_limit, updated_at) "
        "VALUES (:team, :channel, :limit, CURRENT_TIMESTAMP)",
        team=team_id,
        channel=channel,
        limit=limit,
    )


def give(
    slack: Any,
    fake: FakeSlack,
    database_url: str,
    text: str = "<@U0004|maria> stayed late to help a customer find a gift #genuine",
    *,
    user: str = "U0001",
) -> dict[str, Any]:
    """Give a kudos by /delight and wait until it is delivered: its stored row."""
    before = len(fake.calls("response_url"))
    assert slack.command(text, user=user).status == 200
    fake.wait_for_calls("response_url", before + 1)
    return kudos_rows(database_url)[-1]


def blocks_text(blocks: Any) -> str:
    """Every piece of text in some blocks, joined."""
    return all_block_text(Call("", {"blocks": blocks}, None, 0.0))


def message_text(fake: FakeSlack, channel: str, ts: str) -> str:
    """A posted message's text as it stands now (after any chat.update)."""
    message = fake.message(channel, ts)
    return blocks_text(message.get("blocks")) or str(message.get("text", ""))


async def store(
    repository: Any, nomination: Nomination, *, created_at: datetime, allowance: DailyAllowance
) -> Given:
    """Store a nomination as KudosService.give does: announced in its own channel."""
    plan = functools.partial(
        plan_delivery,
        nomination,
        channel=nomination.origin_channel_id,
        retry_from=created_at + timedelta(minutes=1),
    )
    given: Given = await repository.add(
        nomination, created_at=created_at, allowance=allowance, plan=plan
    )
    return given


async def record_announcement(repository: Any, kudos_id: int, posted: Posted) -> None:
    """Record where a kudos was announced, as its delivery does."""
    await repository.settle(Settlement(kudos_id=kudos_id, announcement=posted))


def delivered(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    """Messages Slack accepted (not attempts that failed) in a channel, or to a person."""
    if channel.startswith(("U", "W")):
        channel = "D" + channel[1:]
    with fake.state.lock:
        return [args for (where, _ts), args in fake.state.messages.items() if where == channel]


class ManualClock:
    """A monotonic clock (a callable giving seconds) that moves only when a test moves it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
