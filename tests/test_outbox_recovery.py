"""A real `python -m bot` killed with SIGKILL after storing a kudos and before notifying
anyone: after a restart, the announcement, every DM and the giver's receipt go out once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import kudos_rows, posts, query, reply_text
from tests.processes import bot_env, free_port, start_bot, stop, wait_healthy

LEASE_SECONDS = 10  # the dead process's deliveries are taken over this long after the kudos


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
        in_flight = fake_slack.wait_for_held(3)  # the announcement and both DMs
        [kudos] = kudos_rows(database_url)  # stored before anything was posted
        owed = query(database_url, "SELECT kind, target FROM outbox ORDER BY kind, target")
        assert [(r["kind"], r["target"]) for r in owed] == [
            ("announcement", "C0001"),
            ("dm", "U0002"),
            ("dm", "U0003"),
            ("receipt", "U0001"),
        ]
        os.kill(first.pid, signal.SIGKILL)  # no goodbye, no cleanup
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert {c.args["channel"] for c in in_flight} == {"C0001", "U0002", "U0003"}
    fake_slack.release("chat.postMessage")
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
    assert fake_slack.message("C0001", stored["announcement_ts"]) == announcement.args
    recipients = query(database_url, "SELECT dm_channel_id, dm_ts FROM kudos_recipient")
    assert all(r["dm_channel_id"] and r["dm_ts"] for r in recipients)  # undo can find them
    assert query(database_url, "SELECT * FROM outbox") == []
