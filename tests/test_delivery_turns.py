"""Delivery turns: fewer kudos delivered at once while Slack's requests are being answered,
more once they are (bot/turns.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.log_context import request_id, request_scope
from bot.turns import DeliveryTurns
from handlers.slack.socket_mode import AnsweringSocketModeHandler
from handlers.web import create_web_app
from tests.driver import SIGNING_SECRET, sign
from tests.fakeslack import FakeSlack

QUIET = 0.05


class Deliveries:
    """Deliveries that each hold their turn until released."""

    def __init__(self, turns: DeliveryTurns) -> None:
        self.turns = turns
        self.started: list[int] = []
        self.release = asyncio.Event()

    async def deliver(self, n: int) -> None:
        self.started.append(n)
        await self.release.wait()

    def start(self, *numbers: int) -> None:
        for n in numbers:
            self.turns.start(self.deliver(n))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_with_no_request_being_answered_the_larger_number_deliver_at_once() -> None:
    async def scenario() -> None:
        deliveries = Deliveries(DeliveryTurns(while_answering=2, otherwise=5, quiet=QUIET))
        deliveries.start(*range(8))
        await settle()
        assert deliveries.started == [0, 1, 2, 3, 4]
        assert (deliveries.turns.delivering, deliveries.turns.waiting) == (5, 3)
        deliveries.release.set()
        await deliveries.turns.finished()
        assert deliveries.started == list(range(8))  # in order of arrival
        assert (deliveries.turns.delivering, deliveries.turns.waiting) == (0, 0)

    asyncio.run(scenario())


def test_while_a_request_is_answered_only_the_smaller_number_deliver() -> None:
    async def scenario() -> None:
        turns = DeliveryTurns(while_answering=2, otherwise=5, quiet=QUIET)
        deliveries = Deliveries(turns)
        with turns.answering():
            deliveries.start(*range(6))
            await settle()
            assert deliveries.started == [0, 1]
        # Answered, but only just: one gap between a burst's requests changes nothing.
        await settle()
        assert deliveries.started == [0, 1]
        # Quiet for long enough: the waiting ones get the larger number of turns.
        await asyncio.sleep(QUIET * 2)
        await settle()
        assert deliveries.started == [0, 1, 2, 3, 4]
        deliveries.release.set()
        await turns.finished()
        assert len(deliveries.started) == 6

    asyncio.run(scenario())


def test_a_request_arriving_after_the_quiet_time_brings_the_smaller_number_back() -> None:
    async def scenario() -> None:
        turns = DeliveryTurns(while_answering=1, otherwise=3, quiet=QUIET)
        first, later = Deliveries(turns), Deliveries(turns)
        first.start(0, 1, 2)
        await settle()
        assert turns.delivering == 3
        with turns.answering():
            later.start(0, 1, 2)
            first.release.set()  # the three finish; only one of the next may start
            await settle()
            assert later.started == [0]
            assert turns.delivering == 1
        later.release.set()
        await turns.finished()
        assert later.started == [0, 1, 2]

    asyncio.run(scenario())


def test_a_delivery_that_fails_is_logged_and_gives_its_turn_to_the_next(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> list[str]:
        turns = DeliveryTurns(while_answering=1, otherwise=1, quiet=QUIET)
        done: list[str] = []

        async def failing() -> None:
            raise RuntimeError("Slack said no")

        async def fine() -> None:
            done.append("next")

        turns.start(failing())
        turns.start(fine())
        await turns.finished()
        assert turns.delivering == 0
        return done

    with caplog.at_level(logging.ERROR, logger="bot.turns"):
        assert asyncio.run(scenario()) == ["next"]
    assert "the outbox will retry it" in caplog.text
    assert "Slack said no" in caplog.text


def test_each_delivery_runs_in_the_context_it_was_started_in() -> None:
    """Its log fields are its own request's, not those of the delivery whose end gave it
    its turn."""

    async def scenario() -> list[tuple[str, str | None]]:
        turns = DeliveryTurns(while_answering=1, otherwise=1, quiet=QUIET)
        seen: list[tuple[str, str | None]] = []
        gate = asyncio.Event()

        async def deliver(name: str) -> None:
            seen.append((name, request_id.get()))
            await gate.wait()

        with request_scope("req-first"):
            turns.start(deliver("first"))
        with request_scope("req-second"):
            turns.start(deliver("second"))  # waits for the first's turn
        await settle()
        gate.set()
        await turns.finished()
        return seen

    assert asyncio.run(scenario()) == [("first", "req-first"), ("second", "req-second")]


def test_the_smaller_number_cannot_exceed_the_larger() -> None:
    with pytest.raises(ValueError, match="while_answering"):
        DeliveryTurns(while_answering=5, otherwise=2)
    with pytest.raises(ValueError, match="while_answering"):
        DeliveryTurns(while_answering=0, otherwise=2)


# A /delight command as Slack sends it (the form fields Bolt reads).
COMMAND = {"command": "/delight", "text": "help", "team_id": "T1", "user_id": "U1",
           "trigger_id": "1.2.3"}  # fmt: skip


def counting_app(fake_slack: FakeSlack, turns: DeliveryTurns, seen: list[int]) -> AsyncApp:
    """A Bolt app whose /delight listener notes how many requests were being answered."""
    bolt = AsyncApp(
        client=AsyncWebClient(token="xoxb-test-token", base_url=fake_slack.api_url),
        signing_secret="unused",
        request_verification_enabled=False,
    )

    @bolt.command("/delight")
    async def answer(ack: AsyncAck) -> None:
        seen.append(turns.answering_now)
        await ack()

    return bolt


def test_the_http_layer_counts_each_slack_request_until_it_is_answered(
    fake_slack: FakeSlack,
) -> None:
    turns = DeliveryTurns(while_answering=1, otherwise=4, quiet=QUIET)
    seen: list[int] = []
    bolt = counting_app(fake_slack, turns, seen)

    async def healthy() -> dict[str, Any]:
        return {"ok": True}

    async def scenario() -> None:
        web_app = create_web_app(
            bolt=bolt, health=healthy, signing_secret=SIGNING_SECRET, answering=turns.answering
        )
        async with TestClient(TestServer(web_app)) as client:
            body = urlencode(COMMAND).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            response = await client.post("/slack/events", data=body, headers=headers)
            assert response.status == 200
            assert turns.answering_now == 0  # answered: no longer counted

    asyncio.run(scenario())
    assert seen == [1]


def test_socket_mode_counts_each_slack_request_until_it_is_answered(
    fake_slack: FakeSlack,
) -> None:
    turns = DeliveryTurns(while_answering=1, otherwise=4, quiet=QUIET)
    seen: list[int] = []
    bolt = counting_app(fake_slack, turns, seen)

    class Websocket:
        """Where the handler sends its acks: Slack's end of the socket."""

        logger = logging.getLogger("socket")

        def __init__(self) -> None:
            self.acks: list[SocketModeResponse] = []

        async def send_socket_mode_response(self, response: SocketModeResponse) -> None:
            self.acks.append(response)

    async def scenario() -> None:
        handler = AnsweringSocketModeHandler(bolt, "xapp-test", answering=turns.answering)
        websocket = Websocket()
        request = SocketModeRequest(type="slash_commands", envelope_id="env-1", payload=COMMAND)
        await handler.handle(websocket, request)  # type: ignore[arg-type]
        assert [ack.envelope_id for ack in websocket.acks] == ["env-1"]
        assert turns.answering_now == 0  # answered: no longer counted

    asyncio.run(scenario())
    assert seen == [1]
