"""Plain @names, looked up in each workspace's own directory: one workspace's slow directory
holds up no other, unknown people are remembered, and a giver the daily limit refuses anyway
costs no lookup at all."""

from __future__ import annotations

import time

import pytest

from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import reply_text
from tests.oauth_flow import install, oauth_env

BY_NAME = "@maria stayed late to help a customer find a gift"


@pytest.fixture
def many_workspaces(env: dict[str, str]) -> None:
    """Multi-workspace mode (ask for it before `app`): each workspace its own token."""
    changed = oauth_env(env)
    env.clear()
    env.update(changed)


@pytest.fixture
def daily_limit_of_one(env: dict[str, str]) -> None:
    env["DELIGHT_DAILY_LIMIT"] = "1"


def replies(fake: FakeSlack) -> list[str]:
    return [reply_text(call) for call in fake.calls("response_url")]


def test_a_slow_directory_in_one_workspace_holds_up_no_other(
    many_workspaces: None, app: RunningApp, fake_slack: FakeSlack
) -> None:
    install(app.url, fake_slack, "T0002")
    install(app.url, fake_slack, "T0003")
    fake_slack.slow_down("users.list", "T0002", seconds=3)
    slow = SlackDriver(app.url, response_url=fake_slack.response_url(), team_id="T0002")
    quick = SlackDriver(app.url, response_url=fake_slack.response_url(), team_id="T0003")
    [slow_token] = fake_slack.tokens_of("T0002")

    assert slow.command(BY_NAME).status == 200
    fake_slack.wait_for(lambda f: any(c.token == slow_token for c in f.calls("users.list")))
    asked = time.monotonic()
    assert quick.command("@bob fixed the till before the morning rush").status == 200
    fake_slack.wait_for(lambda f: any("<@U0002>" in text for text in replies(f)))

    assert time.monotonic() - asked < 2
    assert not any("<@U0004>" in text for text in replies(fake_slack))  # maria's: still looking
    fake_slack.wait_for(lambda f: any("<@U0004>" in text for text in replies(f)), timeout=10)
    assert all(text.startswith("Sent!") for text in replies(fake_slack))


def test_people_nobody_matches_are_remembered_for_a_while(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    for answered, text in enumerate(
        [
            "<@U9999> answered every call on a holiday",
            "<@U9999> answered every call on a holiday, again",
            "@nobody answered every call on a holiday",
            "@nobody answered every call on a holiday, again",
        ],
        start=1,
    ):
        assert slack.command(text).status == 200
        fake_slack.wait_for_calls("response_url", answered)

    assert all("couldn't find" in text for text in replies(fake_slack))
    looked_up = [c for c in fake_slack.calls("users.info") if c.args["user"] == "U9999"]
    assert len(looked_up) == 1
    assert len(fake_slack.calls("users.list")) == 1


def test_a_giver_at_the_daily_limit_is_refused_before_any_name_is_looked_up(
    daily_limit_of_one: None, app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    assert slack.command("<@U0002|bob> fixed the till before the morning rush").status == 200
    fake_slack.wait_for_calls("response_url")
    directory_calls = len(fake_slack.calls("users.list")) + len(fake_slack.calls("users.info"))

    assert slack.command(BY_NAME).status == 200
    [_, refusal] = fake_slack.wait_for_calls("response_url", 2)

    assert "daily limit" in reply_text(refusal)
    assert len(fake_slack.calls("users.list")) + len(fake_slack.calls("users.info")) == (
        directory_calls
    )
    assert fake_slack.calls("users.list") == []
