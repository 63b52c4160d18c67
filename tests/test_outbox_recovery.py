"""A real `python -m bot` killed with SIGKILL after storing a kudos and before notifying
anyone: after a restart, the announcement, every DM and the giver's receipt go out once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import kudos_rows, posts, query, reply_text
from tests.processes import bot_env, free_port, start_bot, stop, wait_healthy

# The dead process's deliveries are taken over this long after the kudos; the first post may
# start within half of it (the posting time), which a busy machine needs a few seconds of.
LEASE_SECONDS = 16


def test_a_kudos_stored_by_a_killed_process_is_delivered_once_after_restart(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    port = free_port()
    env = bot_env(database_url, fake_slack, token="xoxb-outbox", port=port)
    env["DELIGHT_OUTBOX_LEASE_SECONDS"] = str(LEASE_SECONDS)
    fake_slack.hold("chat.postMessage")  # Slack takes the posts in but never answers
    first = start_bot(tmp_path, env)
    try:
        wait_healthy(port, first)
        driver = SlackDriver(f"http://127.0.0.1:{port}", response_url=fake_slack.response_url())
        text = "<@U0002|bob> <@U0003|carol> stayed after close to help a customer #delight"
        assert driver.command(text).status == 200
        # The announcement in flight: the DMs follow it, one after another.
        in_flight = fake_slack.wait_for_held(1, timeout=LEASE_SECONDS / 2)
        [kudos] = kudos_rows(database_url)  # stored before anything was posted
        # One row for the usual delivery: the announcement in C0001, a DM to each
        # recipient and the giver's receipt (storage/outbox_rows.py).
        owed = query(database_url, "SELECT kind, target FROM outbox ORDER BY kind, target")
        assert [(r["kind"], r["target"]) for r in owed] == [("plan", "C0001")]
        os.kill(first.pid, signal.SIGKILL)  # no goodbye, no cleanup
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
        # Whatever failed above: calls still held would keep the fake from shutting down.
        fake_slack.release("chat.postMessage")
    assert [c.args["channel"] for c in in_flight] == ["C0001"]
    assert posts(fake_slack) == []
    assert fake_slack.calls("response_url") == []  # the giver heard nothing

    second = start_bot(tmp_path, env)
    try:
        wait_healthy(port, second)
        fake_slack.wait_for_calls("chat.postMessage", count=4, timeout=LEASE_SECONDS + 20)
        fake_slack.settle(3.0)  # a few more drainer passes: nothing is sent again
    finally:
        output = stop(second)
    assert second.returncode == 0, output

    sent = sorted(call.args["channel"] for call in posts(fake_slack))
    assert sent == ["C0001", "U0001", "U0002", "U0003"]  # each exactly once
    [announcement] = posts(fake_slack, "C0001")
    assert "stayed after close to help a customer" in reply_text(announcement)
    [receipt] = posts(fake_slack, "U0001")
    assert "About your recognition of <@U0002> and <@U0003>" in reply_text(receipt)
    assert "posted in <#C0001>" in reply_text(receipt)
    [stored] = kudos_rows(database_url)
    assert stored["id"] == kudos["id"]
    assert stored["announcement_channel_id"] == "C0001"
    assert fake_slack.message("C0001", stored["announcement_message_id"]) == announcement.args
    recipients = query(database_url, "SELECT dm_channel_id, dm_message_id FROM kudos_recipient")
    assert all(r["dm_channel_id"] and r["dm_message_id"] for r in recipients)  # undo can find them
    assert query(database_url, "SELECT * FROM outbox") == []


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_clock_process_delivers_what_a_killed_web_process_stored(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    """The production shape: `web` processes answer Slack, a `clock` runs alongside; the web
    process dies mid-delivery and the clock's drainer takes over once the lease has passed."""
    web_port, clock_port = free_port(), free_port()
    web_env = bot_env(database_url, fake_slack, token="xoxb-web", port=web_port)
    clock_env = bot_env(database_url, fake_slack, token="xoxb-clock", port=clock_port)
    for env in (web_env, clock_env):
        env["DELIGHT_OUTBOX_LEASE_SECONDS"] = str(LEASE_SECONDS)
    clock = start_bot(tmp_path, clock_env, "clock")
    web = start_bot(tmp_path, web_env, "web")
    try:
        wait_healthy(clock_port, clock)
        wait_healthy(web_port, web)
        fake_slack.hold("chat.postMessage")
        driver = SlackDriver(f"http://127.0.0.1:{web_port}", response_url=fake_slack.response_url())
        assert driver.command("<@U0002|bob> found the order a customer had lost").status == 200
        fake_slack.wait_for_held(1)  # the announcement in flight, the DM after it
        os.kill(web.pid, signal.SIGKILL)
        web.wait(10)
        fake_slack.release("chat.postMessage")

        fake_slack.wait_for_calls("chat.postMessage", count=3, timeout=LEASE_SECONDS + 20)
        fake_slack.settle(3.0)
    finally:
        if web.poll() is None:
            web.kill()
        fake_slack.release("chat.postMessage")  # (as above)
        output = stop(clock)
    assert clock.returncode == 0, output
    sent = sorted((c.args["channel"], c.token) for c in posts(fake_slack))
    assert sent == [("C0001", "xoxb-clock"), ("U0001", "xoxb-clock"), ("U0002", "xoxb-clock")]
    assert query(database_url, "SELECT * FROM outbox") == []
