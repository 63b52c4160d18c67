"""Delivery turns: fewer kudos delivered at once while Slack's requests are being answered,
more once they are (handlers/slack/turns.py)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.turns import DeliveryTurns
from handlers.web import create_web_app
from tests.fakeslack import FakeSlack

QUIET = 0.05


class Deliveries:
    """Deliveries that each take a turn and hold it until released."""

    def __init__(self, turns: DeliveryTurns) -> None:
        self.turns = turns
        self.started: list[int] = []
        self.release = asyncio.Event()

    async def deliver(self, n: int) -> None:
        async with self.turns:
            self.started.append(n)
            await self.release.wait()

    def start(self, count: int) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self.deliver(n)) for n in range(count)]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_with_no_request_being_answered_the_larger_number_deliver_at_once() -> None:
    async def scenario() -> None:
        deliveries = Deliveries(DeliveryTurns(while_answering=2, otherwise=5, quiet=QUIET))
        tasks = deliveries.start(8)
        await settle()
        assert deliveries.started == [0, 1, 2, 3, 4]
        assert deliveries.turns.delivering == 5
        deliveries.release.set()
        await asyncio.gather(*tasks)
        assert deliveries.started == list(range(8))  # in order of arrival
        assert deliveries.turns.delivering == 0

    asyncio.run(scenario())


def test_while_a_request_is_answered_only_the_smaller_number_deliver() -> None:
    async def scenario() -> None:
        turns = DeliveryTurns(while_answering=2, otherwise=5, quiet=QUIET)
        deliveries = Deliveries(turns)
        with turns.answering():
            tasks = deliveries.start(6)
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
        await asyncio.gather(*tasks)
        assert len(deliveries.started) == 6

    asyncio.run(scenario())


def test_a_request_arriving_after_the_quiet_time_brings_the_smaller_number_back() -> None:
    async def scenario() -> None:
        turns = DeliveryTurns(while_answering=1, otherwise=3, quiet=QUIET)
        first, later = Deliveries(turns), Deliveries(turns)
        holding = first.start(3)
        await settle()
        assert turns.delivering == 3
        with turns.answering():
            waiting = later.start(3)
            first.release.set()  # the three finish; only one of the next may start
            await asyncio.gather(*holding)
            await settle()
            assert later.started == [0]
            assert turns.delivering == 1
        later.release.set()
        await asyncio.gather(*waiting)
        assert later.started == [0, 1, 2]

    asyncio.run(scenario())


def test_a_cancelled_wait_gives_up_its_place_and_leaks_no_turn() -> None:
    async def scenario() -> None:
        turns = DeliveryTurns(while_answering=1, otherwise=1, quiet=QUIET)
        deliveries = Deliveries(turns)
        holding, waiting, behind = deliveries.start(3)
        await settle()
        waiting.cancel()
        await settle()
        deliveries.release.set()
        await asyncio.gather(holding, behind)
        assert waiting.cancelled()
        assert deliveries.started == [0, 2]
        assert turns.delivering == 0

    asyncio.run(scenario())


def test_a_delivery_that_fails_gives_its_turn_back() -> None:
    async def scenario() -> None:
        turns = DeliveryTurns(while_answering=1, otherwise=1, quiet=QUIET)

        async def failing() -> None:
            async with turns:
                raise RuntimeError("Slack said no")

        with pytest.raises(RuntimeError):
            await failing()
        assert turns.delivering == 0
        async with turns:  # and the next one gets it at once
            assert turns.delivering == 1

    asyncio.run(scenario())


def test_the_smaller_number_cannot_exceed_the_larger() -> None:
    with pytest.raises(ValueError, match="while_answering"):
        DeliveryTurns(while_answering=5, otherwise=2)
    with pytest.raises(ValueError, match="while_answering"):
        DeliveryTurns(while_answering=0, otherwise=2)


def test_the_http_layer_counts_each_slack_request_until_it_is_answered(
    fake_slack: FakeSlack,
) -> None:
    turns = DeliveryTurns(while_answering=1, otherwise=4, quiet=QUIET)
    seen: list[int] = []
    bolt = AsyncApp(
        client=AsyncWebClient(token="xoxb-test-token", base_url=fake_slack.api_url),
        signing_secret="unused",
        request_verification_enabled=False,
    )

    @bolt.command("/delight")
    async def answer(ack: AsyncAck) -> None:
        seen.append(turns.answering_now)
        await ack()

    async def healthy() -> dict[str, Any]:
        return {"ok": True}

    async def scenario() -> None:
        web_app = create_web_app(bolt=bolt, health=healthy, answering=turns.answering)
        async with TestClient(TestServer(web_app)) as client:
            body = urlencode({"command": "/delight", "text": "help", "team_id": "T1",
                              "user_id": "U1", "trigger_id": "1.2.3"})  # fmt: skip
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            response = await client.post("/slack/events", data=body, headers=headers)
            assert response.status == 200
            assert turns.answering_now == 0  # answered: no longer counted

    asyncio.run(scenario())
    assert seen == [1]
