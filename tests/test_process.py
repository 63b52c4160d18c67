"""`python -m bot` as a real process: configuration, HTTP serving, Socket Mode, shutdown."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from bot.config import load_settings
from bot.core.outbox import Policy
from bot.runtime import shutdown_grace
from tests.driver import SIGNING_SECRET, Reply, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import kudos_rows, reply_text
from tests.processes import free_port, start_bot, stop, wait_healthy


@pytest.fixture
def bot_dir(tmp_path: Path) -> Path:
    """The working directory of the bot process (where .env and delight.db live)."""
    return tmp_path


def test_missing_settings_stop_start_up_with_one_clear_line(bot_dir: Path) -> None:
    process = start_bot(bot_dir, {"SLACK_SIGNING_SECRET": "x"})
    output, _ = process.communicate(timeout=30)

    assert process.returncode == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Delight can't start: SLACK_BOT_TOKEN is not set")


def test_invalid_port_is_named(bot_dir: Path) -> None:
    process = start_bot(
        bot_dir,
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x", "PORT": "eighty"},
    )
    output, _ = process.communicate(timeout=30)

    assert process.returncode == 2
    assert "PORT='eighty' is not a whole number" in output


def test_serves_http_from_dotenv_on_the_embedded_sqlite_default(
    bot_dir: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    (bot_dir / ".env").write_text(
        f"SLACK_BOT_TOKEN=xoxb-from-dotenv\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\n"
        f"SLACK_API_URL={fake_slack.api_url}\nPORT={port}\nDELIGHT_HEALTH_DETAILS=true\n"
    )
    process = start_bot(bot_dir, {})
    try:
        health = wait_healthy(port, process)
        assert (health["ok"], health["database"], health["role"]) == (True, "ok", "all")
        assert health["scheduler"]["leader"] is True  # SQLite: the one process always leads
        driver = SlackDriver(f"http://127.0.0.1:{port}", response_url=fake_slack.response_url())
        reply: Reply = driver.command("<@U0002|bob> kept the store open for a late customer")
        assert reply.status == 200
        [confirmation] = fake_slack.wait_for_calls("response_url")
        assert "Sent!" in reply_text(confirmation)
        assert fake_slack.calls("chat.postMessage")[0].token == "xoxb-from-dotenv"
    finally:
        output = stop(process)

    assert process.returncode == 0, output
    assert (bot_dir / "delight.db").exists()  # the default DATABASE_URL, migrated at start-up
    assert len(kudos_rows(f"sqlite:///{bot_dir / 'delight.db'}")) == 1


def test_socket_mode_when_an_app_token_is_set(bot_dir: Path, fake_slack: FakeSlack) -> None:
    port = free_port()
    process = start_bot(
        bot_dir,
        {
            "SLACK_BOT_TOKEN": "xoxb-socket",
            "SLACK_APP_TOKEN": "xapp-1-socket",
            "SLACK_API_URL": fake_slack.api_url,
            "PORT": str(port),
        },
    )
    try:
        wait_healthy(port, process)
        fake_slack.wait_for_calls("socket.connected", timeout=20)
        driver = SlackDriver(f"http://127.0.0.1:{port}", response_url=fake_slack.response_url())
        body = driver.command_body("<@U0002|bob> answered the phone on a holiday")
        fake_slack.push_envelope("slash_commands", dict(parse_qsl(body.decode())), "env-1")

        [ack] = fake_slack.wait_for_calls("socket.ack", timeout=20)
        assert ack.args["envelope_id"] == "env-1"
        [confirmation] = fake_slack.wait_for_calls("response_url", timeout=20)
        assert "Sent!" in reply_text(confirmation)
        posted_to = sorted(c.args["channel"] for c in fake_slack.calls("chat.postMessage"))
        assert posted_to == ["C0001", "U0002"]  # announced and DMed, in either order
        # no HTTP endpoint for Slack in Socket Mode: only the health check
        request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=b"{}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code in (404, 405)
    finally:
        output = stop(process)
    assert process.returncode == 0, output


@pytest.mark.parametrize("lease", [10, 60, 600])
def test_a_stopping_process_waits_longer_than_a_post_may_take(lease: int) -> None:
    """Cut off sooner, a post Slack accepted would be posted again by the outbox."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "DELIGHT_OUTBOX_LEASE_SECONDS": str(lease),
        }
    )
    post_timeout = Policy(lease=timedelta(seconds=lease)).post_timeout

    assert shutdown_grace(settings) > post_timeout
    assert shutdown_grace(settings) < lease  # and the outbox has not taken it over yet
