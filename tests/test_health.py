"""/healthz: cheap, and free of any workspace's detail unless the operator asks for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.health import Health
from tests.driver import Reply, RunningApp, SlackDriver
from tests.fakeslack import FakeSlack

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def count_transactions(app: RunningApp, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every database transaction the app runs from now on (the outbox drainer stopped, so
    the health check is all that runs)."""
    assert app.runtime is not None
    app.call(app.runtime.drainer.stop())
    database = app.runtime.database
    counted = [0]
    transaction = database.transaction

    async def counting(work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        counted[0] += 1
        return await transaction(work, *args, **kwargs)

    monkeypatch.setattr(database, "transaction", counting)
    return counted


def hit_at_once(slack: SlackDriver, times: int) -> list[Reply]:
    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(lambda _: slack.get("/healthz"), range(times)))


def test_the_public_answer_says_ok_and_nothing_else(slack: SlackDriver) -> None:
    reply = slack.get("/healthz")

    assert (reply.status, reply.json()) == (200, {"ok": True})


@on_sqlite
def test_a_hundred_hits_at_once_cost_one_database_check(
    app: RunningApp, slack: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = count_transactions(app, monkeypatch)

    replies = hit_at_once(slack, 100)

    assert {(r.status, str(r.json())) for r in replies} == {(200, "{'ok': True}")}
    assert 1 <= transactions[0] <= 2  # 2: when the hits straddled the end of a check's life


@on_sqlite
def test_the_database_is_checked_again_after_a_few_seconds(
    app: RunningApp, slack: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = count_transactions(app, monkeypatch)
    slack.get("/healthz")
    slack.get("/healthz")
    assert transactions[0] == 1

    time.sleep(2.1)
    slack.get("/healthz")

    assert transactions[0] == 2


def test_with_details_turned_on_it_reports_role_scheduler_and_outbox(
    health_details: None, app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    reply = slack.get("/healthz")

    health = reply.json()
    assert (reply.status, health["ok"], health["database"], health["role"]) == (
        200,
        True,
        "ok",
        "all",
    )
    assert health["outbox"] == {"running": True, "waiting": 0, "given_up": 0}


@on_sqlite
def test_details_are_cached_too(
    health_details: None, app: RunningApp, slack: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = count_transactions(app, monkeypatch)

    replies = hit_at_once(slack, 50)

    assert all("outbox" in r.json() for r in replies)
    assert 2 <= transactions[0] <= 4  # the check and the backlog, once (twice at a boundary)


# --- the check itself, with a fake database and clock ---------------------------------------


class FakeDatabase:
    def __init__(self) -> None:
        self.pings = 0
        self.down = False

    async def ping(self) -> None:
        self.pings += 1
        await asyncio.sleep(0.01)  # long enough for every caller to arrive meanwhile
        if self.down:
            raise OSError("connection refused")


class FakeOutbox:
    def __init__(self) -> None:
        self.reports = 0

    async def report(self) -> dict[str, object]:
        self.reports += 1
        return {"running": True, "waiting": 3, "given_up": 1}


def health_of(database: FakeDatabase, *, details: bool, now: list[float]) -> Health:
    return Health(
        database=database,
        role="web",
        scheduler=None,
        outbox=FakeOutbox(),
        details=details,
        every=2.0,
        clock=lambda: now[0],
    )


def test_callers_at_once_share_one_check_and_its_answer_lasts_a_few_seconds() -> None:
    database, now = FakeDatabase(), [100.0]
    health = health_of(database, details=False, now=now)

    async def scenario() -> None:
        reports = await asyncio.gather(*(health.report() for _ in range(100)))
        assert reports == [{"ok": True}] * 100
        assert database.pings == 1
        now[0] += 1.9
        await health.report()
        assert database.pings == 1
        now[0] += 0.2
        await health.report()
        assert database.pings == 2

    asyncio.run(scenario())


def test_an_unreachable_database_is_not_ok_and_says_no_more_in_public() -> None:
    database, now = FakeDatabase(), [0.0]
    database.down = True

    async def scenario() -> None:
        assert await health_of(database, details=False, now=now).report() == {"ok": False}
        detailed = await health_of(database, details=True, now=now).report()
        assert detailed == {"ok": False, "database": "unreachable", "role": "web"}

    asyncio.run(scenario())


def test_a_caller_that_hangs_up_leaves_the_check_to_the_others() -> None:
    database, now = FakeDatabase(), [0.0]
    health = health_of(database, details=False, now=now)

    async def scenario() -> None:
        impatient = asyncio.ensure_future(health.report())
        patient = asyncio.ensure_future(health.report())
        await asyncio.sleep(0)
        impatient.cancel()
        assert await patient == {"ok": True}
        assert database.pings == 1

    asyncio.run(scenario())
