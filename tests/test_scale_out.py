"""Process roles and scale-out, with real `python -m bot` processes on the real PostgreSQL."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import execute, posts, query, reply_text
from tests.processes import bot_env, free_port, health, start_bot, stop, wait_healthy

on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def add_due_schedule(database_url: str, channel: str) -> None:
    """A daily schedule whose occurrence five minutes ago is due (caught up at once)."""
    now = datetime.now(UTC)
    execute(
        database_url,
        "INSERT INTO tip_schedule (team_id, channel_id, owner_id, weekdays, at, timezone, "
        "start_date, paused, created_at) VALUES ('T0001', :channel, 'U0001', '0,1,2,3,4,5,6', "
        ":at, 'UTC', :start, false, :created)",
        channel=channel,
        at=(now - timedelta(minutes=5)).strftime("%H:%M"),
        start=(now - timedelta(days=1)).date(),
        created=now - timedelta(minutes=30),
    )


def schedule_digests_this_hour(database_url: str) -> None:
    """The workspace's digests go out today at this hour (UTC managers): due at once."""
    now = datetime.now(UTC)
    execute(
        database_url,
        "INSERT INTO digest_schedule (team_id, weekday, hour, charts, updated_at) "
        "VALUES ('T0001', :weekday, :hour, false, :now)",
        weekday=now.weekday(),
        hour=now.hour,
        now=now,
    )


def add_team(database_url: str, name: str, *, manager: str) -> None:
    """A manager team made yesterday, with one member, whose manager lives in UTC."""
    execute(
        database_url,
        "INSERT INTO manager_team (team_id, name, created_by, created_at) "
        "VALUES ('T0001', :name, 'U0001', :created)",
        name=name,
        created=datetime.now(UTC) - timedelta(days=1),
    )
    [row] = query(database_url, "SELECT id FROM manager_team WHERE name = :name", name=name)
    for statement in (
        "INSERT INTO manager_team_manager (manager_team_id, user_id, team_id, tz) "
        "VALUES (:pk, :manager, 'T0001', 'UTC')",
        "INSERT INTO manager_team_source (manager_team_id, kind, ref_id) "
        "VALUES (:pk, 'user', 'U0002')",
    ):
        execute(database_url, statement, pk=row["id"], manager=manager)


class Clock:
    """One `python -m bot clock` process, told apart in Slack's records by its token."""

    def __init__(self, cwd: Path, database_url: str, fake_slack: FakeSlack, name: str) -> None:
        self.token = f"xoxb-clock-{name}"
        self.port = free_port()
        self.process = start_bot(
            cwd, bot_env(database_url, fake_slack, token=self.token, port=self.port), "clock"
        )

    def is_leader(self) -> bool:
        return bool(health(self.port)["scheduler"]["leader"])


@pytest.fixture
def clocks(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> Iterator[tuple[Clock, Clock]]:
    pair = (
        Clock(tmp_path, database_url, fake_slack, "a"),
        Clock(tmp_path, database_url, fake_slack, "b"),
    )
    yield pair
    for clock in pair:
        if clock.process.poll() is None:
            clock.process.kill()
            clock.process.wait(10)


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


@on_postgres
def test_two_clocks_send_each_tip_once_and_the_survivor_takes_over(
    clocks: tuple[Clock, Clock], database_url: str, fake_slack: FakeSlack
) -> None:
    add_due_schedule(database_url, "C0TIPA")
    for clock in clocks:
        wait_healthy(clock.port, clock.process)

    [first] = fake_slack.wait_for_calls("chat.postMessage", timeout=15)
    leaders = [clock for clock in clocks if clock.is_leader()]
    assert len(leaders) == 1
    [leader] = leaders
    [follower] = [clock for clock in clocks if clock is not leader]
    assert first.token == leader.token
    assert health(follower.port)["scheduler"]["last_tick"] is None  # it ran no jobs

    add_due_schedule(database_url, "C0TIPB")
    add_due_schedule(database_url, "C0TIPC")
    os.kill(leader.process.pid, signal.SIGKILL)  # no goodbye: PostgreSQL frees the lock
    leader.process.wait(10)

    fake_slack.wait_for_calls("chat.postMessage", count=3, timeout=15)
    assert follower.is_leader()
    assert health(follower.port)["scheduler"]["last_tick"] is not None
    fake_slack.settle(1.5)  # a few more election rounds: nothing is sent twice
    sent = {call.args["channel"]: call.token for call in posts(fake_slack)}
    assert len(posts(fake_slack)) == 3
    assert sent == {"C0TIPA": leader.token, "C0TIPB": follower.token, "C0TIPC": follower.token}
    ledger = query(database_url, "SELECT status FROM tip_delivery")
    assert [row["status"] for row in ledger] == ["sent"] * 3
    output = stop(follower.process)
    assert follower.process.returncode == 0, output


@on_postgres
def test_two_clocks_send_each_digest_once_and_the_survivor_takes_over(
    clocks: tuple[Clock, Clock], database_url: str, fake_slack: FakeSlack
) -> None:
    schedule_digests_this_hour(database_url)
    add_team(database_url, "Front desk", manager="U0001")
    for clock in clocks:
        wait_healthy(clock.port, clock.process)

    [first] = fake_slack.wait_for_calls("chat.postMessage", timeout=15)
    [leader] = [clock for clock in clocks if clock.is_leader()]
    [follower] = [clock for clock in clocks if clock is not leader]
    assert (first.args["channel"], first.token) == ("U0001", leader.token)

    add_team(database_url, "Night shift", manager="U0003")
    os.kill(leader.process.pid, signal.SIGKILL)
    leader.process.wait(10)

    fake_slack.wait_for_calls("chat.postMessage", count=2, timeout=15)
    fake_slack.settle(1.5)  # more election rounds and ticks: nothing is sent twice
    sent = sorted((call.args["channel"], call.token) for call in posts(fake_slack))
    assert sent == [("U0001", leader.token), ("U0003", follower.token)]
    ledger = query(database_url, "SELECT status FROM digest_delivery")
    assert [row["status"] for row in ledger] == ["sent"] * 2


@on_postgres
def test_a_web_process_answers_slack_and_runs_no_jobs(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    add_due_schedule(database_url, "C0TIPA")
    port = free_port()
    web = start_bot(tmp_path, bot_env(database_url, fake_slack, token="xoxb-web", port=port), "web")
    try:
        report = wait_healthy(port, web)
        assert (report["ok"], report["role"], "scheduler" in report) == (True, "web", False)
        driver = SlackDriver(f"http://127.0.0.1:{port}", response_url=fake_slack.response_url())
        assert driver.command("<@U0002|bob> stayed late to fix the till").status == 200
        [confirmation] = fake_slack.wait_for_calls("response_url")
        assert "Sent!" in reply_text(confirmation)
        fake_slack.settle(1.0)
        assert posts(fake_slack, "C0TIPA") == []  # the due tip waits for a clock
    finally:
        output = stop(web)
    assert web.returncode == 0, output


@on_sqlite
def test_a_clock_process_on_sqlite_leads_alone_and_serves_health_but_not_slack(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    port = free_port()
    clock = start_bot(
        tmp_path, bot_env(database_url, fake_slack, token="xoxb-clock", port=port), "clock"
    )
    try:
        report = wait_healthy(port, clock)
        assert (report["role"], report["scheduler"]["leader"]) == ("clock", True)
        wait_until(lambda: health(port)["scheduler"]["last_tick"] is not None)  # ticked at once
        assert {job["id"] for job in report["scheduler"]["jobs"]} == {
            "deliver_due_tips",
            "deliver_due_digests",
            "prune_event_ledger",
        }
        driver = SlackDriver(f"http://127.0.0.1:{port}", response_url=fake_slack.response_url())
        assert driver.command("<@U0002|bob> stayed late").status in (404, 405)
    finally:
        output = stop(clock)
    assert clock.returncode == 0, output


def test_an_unknown_role_is_a_one_line_usage_error(tmp_path: Path) -> None:
    process = start_bot(tmp_path, {}, "worker")
    output, _ = process.communicate(timeout=30)

    assert process.returncode == 2
    [line] = output.strip().splitlines()
    assert "invalid choice: 'worker'" in line
    assert "--help" in line
