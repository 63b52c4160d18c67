"""Process roles and scale-out, with real `python -m bot` processes on the real PostgreSQL."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import posts, query, reply_text
from tests.processes import bot_env, free_port, health, start_bot, stop, wait_healthy
from tests.scheduled_rows import add_due_schedule, add_team, schedule_digests_this_hour

on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def tip_in(channel: str) -> dict[str, str]:
    return {"workspace": "T0001", "channel": channel, "owner": "U0001"}


def team_managed_by(manager: str) -> dict[str, str]:
    """Made by U0001, with U0002 its one member."""
    return {"workspace": "T0001", "creator": "U0001", "manager": manager, "member": "U0002"}


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
    add_due_schedule(database_url, **tip_in("C0TIPA"))
    for clock in clocks:
        wait_healthy(clock.port, clock.process)

    [first] = fake_slack.wait_for_calls("chat.postMessage", timeout=15)
    leaders = [clock for clock in clocks if clock.is_leader()]
    assert len(leaders) == 1
    [leader] = leaders
    [follower] = [clock for clock in clocks if clock is not leader]
    assert first.token == leader.token
    assert health(follower.port)["scheduler"]["last_tick"] is None  # it ran no jobs

    add_due_schedule(database_url, **tip_in("C0TIPB"))
    add_due_schedule(database_url, **tip_in("C0TIPC"))
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
    schedule_digests_this_hour(database_url, workspace="T0001")
    add_team(database_url, "Front desk", **team_managed_by("U0001"))
    for clock in clocks:
        wait_healthy(clock.port, clock.process)

    [first] = fake_slack.wait_for_calls("chat.postMessage", timeout=15)
    [leader] = [clock for clock in clocks if clock.is_leader()]
    [follower] = [clock for clock in clocks if clock is not leader]
    assert (first.args["channel"], first.token) == ("U0001", leader.token)

    add_team(database_url, "Night shift", **team_managed_by("U0003"))
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
    add_due_schedule(database_url, **tip_in("C0TIPA"))
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
