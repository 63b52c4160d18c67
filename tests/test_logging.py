"""Logs: JSON or text lines, the workspace and request on each record, tokens never written."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot import log_context
from bot.logs import configure_logging, redact
from handlers.slack import request_context
from handlers.slack.client import make_web_client
from handlers.slack.context import SlackServices
from tests.driver import SIGNING_SECRET, SlackDriver
from tests.fakeslack import FakeSlack
from tests.processes import free_port, start_bot, stop, wait_healthy

TOKENS = [
    "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "xoxp-1-2-3-abcdef",
    "xoxa-2-abc",
    "xoxr-abc-123",
    "xapp-1-A0123-4567-89abcdef",
    "xoxe.xoxb-1-MS0yLTIyMjQ1MjQ5MDIxNDYzLTE2MTc0MjE5NjA0",  # a rotating bot token
    "xoxe-1-My0xLTIyMjQ1MjQ5MDIxNDYzLTI2MTc0MjE5NjA0LTZhZGI",  # its refresh token
]


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Configure logging as production does, into a buffer; put the test's logging back after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("token", TOKENS)
def test_tokens_are_redacted(token: str) -> None:
    text = redact(f"calling with {token}, then Bearer {token}.")

    assert token not in text
    assert text.count("-[redacted]") == 2
    assert text.endswith("-[redacted].")


def test_text_that_merely_looks_like_a_prefix_is_kept() -> None:
    assert redact("the xoxb prefix, a box-x-y and xapplication") == (
        "the xoxb prefix, a box-x-y and xapplication"
    )


def test_json_lines_carry_level_logger_workspace_request_and_a_redacted_traceback(
    log_output: io.StringIO,
) -> None:
    configure_logging(level="INFO", log_format="json", stream=log_output)
    logger = logging.getLogger("delight.test")

    logger.info("outside any request", extra={"schedule_id": 7})
    with log_context.request_scope("req-1"):
        log_context.set_workspace("T0001")
        try:
            raise RuntimeError(f"Slack said no to {TOKENS[0]}")
        except RuntimeError:
            logger.exception("posting failed: %s", "channel_not_found")
    logger.debug("below the level: not written")

    first, second = records(log_output)
    assert (first["message"], first["schedule_id"]) == ("outside any request", 7)
    assert set(second) == {"time", "level", "logger", "message", "team_id", "request_id"} | {
        "exception"
    }
    assert "team_id" not in first
    assert "request_id" not in first
    assert (second["level"], second["logger"]) == ("ERROR", "delight.test")
    assert (second["team_id"], second["request_id"]) == ("T0001", "req-1")
    assert second["message"] == "posting failed: channel_not_found"
    assert "RuntimeError" in str(second["exception"])
    assert TOKENS[0] not in log_output.getvalue()
    assert str(first["time"]).endswith("+00:00")


def test_text_lines_name_the_workspace_and_request(log_output: io.StringIO) -> None:
    configure_logging(level="INFO", log_format="text", stream=log_output)

    with log_context.request_scope("req-2"):
        log_context.set_workspace("T0001")
        logging.getLogger("delight.test").warning("token %s leaked?", TOKENS[1])

    [line] = log_output.getvalue().splitlines()
    assert " WARNING delight.test [T0001 req-2]: token xoxp-[redacted] leaked?" in line


def test_a_proxy_request_id_is_reused_only_when_it_looks_like_one() -> None:
    with log_context.request_scope("abc-123_X.y") as given:
        assert given == "abc-123_X.y"
    with log_context.request_scope("bad id\nwith a newline") as made:
        assert made != "bad id\nwith a newline"
        assert len(made) == 16
    assert log_context.request_id.get() is None


def test_each_request_logs_with_its_workspace_and_its_own_id(
    log_output: io.StringIO, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    configure_logging(level="INFO", log_format="json", stream=log_output)
    fake_slack.state.channel_errors["C0001"] = "not_in_channel"  # a warning after the ack

    slack.command("<@U0002|bob> stayed late to fix the till")
    slack.command("<@U0003|carol> covered the phones all day")
    fake_slack.wait_for_calls("response_url", count=2)

    warnings = [r for r in records(log_output) if r["logger"] == "handlers.slack.notifier"]
    assert len(warnings) == 2
    assert {r["team_id"] for r in warnings} == {"T0001"}
    assert len({r["request_id"] for r in warnings}) == 2


def test_the_process_writes_only_json_lines_and_never_its_tokens(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    token = "xoxb-9999999999-8888888888-SecretSecretSecret"
    process = start_bot(
        tmp_path,
        {
            "SLACK_BOT_TOKEN": token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "PORT": str(port),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",  # the SDKs' own request logging included
        },
    )
    try:
        wait_healthy(port, process)
        driver = SlackDriver(f"http://127.0.0.1:{port}", response_url=fake_slack.response_url())
        driver.command("<@U0002|bob> answered the phone on a holiday")
        fake_slack.wait_for_calls("response_url")
    finally:
        output = stop(process)

    assert process.returncode == 0, output
    assert token not in output
    assert "SecretSecretSecret" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(line.get("team_id") == "T0001" and line.get("request_id") for line in lines)
    assert {line["level"] for line in lines} >= {"INFO", "DEBUG"}


def test_socket_mode_messages_each_get_a_request_id_and_their_workspace(
    fake_slack: FakeSlack,
) -> None:
    """In Socket Mode no HTTP request scope exists: the Bolt middleware makes the id."""
    seen: list[tuple[str | None, str | None]] = []

    async def scenario() -> None:
        app = AsyncApp(
            client=AsyncWebClient(token="xoxb-socket", base_url=fake_slack.api_url),
            request_verification_enabled=False,
        )
        request_context.register(app, services=cast(SlackServices, None))  # none needed

        @app.command("/delight")
        async def record(ack: AsyncAck) -> None:
            seen.append((log_context.team_id.get(), log_context.request_id.get()))
            await ack()

        body = SlackDriver("http://unused", response_url="http://unused").command_body("hi")
        for _ in range(2):  # the SDK runs each message in a task of its own
            request = AsyncBoltRequest(body=body.decode(), mode="socket_mode")
            await asyncio.create_task(app.async_dispatch(request))

    asyncio.run(scenario())

    assert [team for team, _ in seen] == ["T0001", "T0001"]
    assert len({request for _, request in seen if request}) == 2


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_the_web_client_builds_debug_lines_only_when_debugging(
    log_output: io.StringIO, level: str
) -> None:
    """slack-sdk builds its debug lines whenever its logger's own level is unset: the client
    pins it to the level in effect, so they are built (and logged) only at DEBUG."""
    sdk_logger = logging.getLogger("slack_sdk.web.async_base_client")
    saved = sdk_logger.level
    sdk_logger.setLevel(logging.NOTSET)
    configure_logging(level=level, log_format="json", stream=log_output)
    try:
        client = make_web_client(token="xoxb-1", base_url="http://127.0.0.1:9/api/")
    finally:
        pinned = sdk_logger.level
        sdk_logger.setLevel(saved)

    assert client.logger is sdk_logger
    assert pinned == getattr(logging, level)
