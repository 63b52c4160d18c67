"""The Slack directory's name lookups are bounded: in pages, in time, and in calls to Slack.
Against the fake Slack over HTTP, with the real Web API client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import pytest

from bot.core import errors
from handlers.slack.client import make_web_client
from handlers.slack.directory import SlackDirectory
from handlers.slack.workspace_clients import OneWorkspace
from tests.fakeslack import TEAM_ID, FakeSlack

T = TypeVar("T")


def with_directory(
    fake: FakeSlack, scenario: Callable[[SlackDirectory], Awaitable[T]], **bounds: Any
) -> T:
    async def run() -> T:
        async with aiohttp.ClientSession() as session:
            client = make_web_client(
                token="xoxb-test-token", base_url=fake.api_url, session=session
            )
            return await scenario(SlackDirectory(OneWorkspace(client), **bounds))

    return asyncio.run(run())


def test_a_member_list_past_the_page_cap_is_read_that_far_and_not_searched_by_name(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.crowd(TEAM_ID, 1000)

    async def scenario(directory: SlackDirectory) -> None:
        # Even a name on the first page: another maria may be further down the list.
        for name in ("maria", "colleague900", "maria"):
            with pytest.raises(errors.NameLookupUnavailable):
                await directory.ids_for_name(TEAM_ID, name)
        assert await directory.people(TEAM_ID, ["U0004"])  # the people read are kept

    with_directory(fake_slack, scenario, max_name_pages=2)

    assert len(fake_slack.calls("users.list")) == 2


def test_a_slow_member_list_gets_a_refusal_in_time_and_is_ready_for_the_next_try(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.slow_down("users.list", TEAM_ID, seconds=1.0)

    async def scenario(directory: SlackDirectory) -> None:
        asked = time.monotonic()
        with pytest.raises(errors.NameLookupUnavailable):
            await directory.ids_for_name(TEAM_ID, "maria")
        assert time.monotonic() - asked < 0.8  # not the whole second the list takes
        await asyncio.sleep(1.0)  # the crawl went on meanwhile
        assert await directory.ids_for_name(TEAM_ID, "maria") == ["U0004"]

    with_directory(fake_slack, scenario, lookup_seconds=0.2)

    assert len(fake_slack.calls("users.list")) == 1


def test_a_crawl_stops_at_its_time_budget(fake_slack: FakeSlack) -> None:
    fake_slack.crowd(TEAM_ID, 2000)  # 11 pages
    fake_slack.slow_down("users.list", TEAM_ID, seconds=0.2)

    async def scenario(directory: SlackDirectory) -> None:
        asked = time.monotonic()
        with pytest.raises(errors.NameLookupUnavailable):
            await directory.ids_for_name(TEAM_ID, "colleague1900")
        assert time.monotonic() - asked < 1.0
        with pytest.raises(errors.NameLookupUnavailable):  # from the cut-off crawl, remembered
            await directory.ids_for_name(TEAM_ID, "maria")

    with_directory(fake_slack, scenario, crawl_seconds=0.5)

    assert len(fake_slack.calls("users.list")) <= 3


def test_lookups_at_once_in_one_workspace_share_one_crawl(fake_slack: FakeSlack) -> None:
    fake_slack.slow_down("users.list", TEAM_ID, seconds=0.2)

    async def scenario(directory: SlackDirectory) -> list[list[str]]:
        names = ["maria", "bob", "nobody"] * 7
        return await asyncio.gather(*(directory.ids_for_name(TEAM_ID, n) for n in names))

    found = with_directory(fake_slack, scenario)

    assert found[:3] == [["U0004"], ["U0002"], []]
    assert len(fake_slack.calls("users.list")) == 1
