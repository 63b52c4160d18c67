"""When Slack says no, is slow, or is down: nothing is lost and the giver knows what to do."""

from __future__ import annotations

import time

import pytest

from tests.driver import SlackDriver
from tests.fakeslack import Failure, FakeSlack
from tests.helpers import kudos_rows, posts, query, reply_text

STORY = "<@U0002|bob> stayed late to finish a customer's order"


def confirmation(slack: SlackDriver, fake: FakeSlack, text: str = STORY, **kw: str) -> str:
    before = len(fake.calls("response_url"))
    assert slack.command(text, **kw).status == 200
    return reply_text(fake.wait_for_calls("response_url", before + 1, timeout=20)[-1])


def test_rate_limited_post_waits_for_retry_after_and_then_succeeds(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.fail("chat.postMessage", Failure(status=429, retry_after=1))

    started = time.monotonic()
    message = confirmation(slack, fake_slack)

    assert message.startswith("Sent!")
    attempts = fake_slack.calls("chat.postMessage")
    assert len(attempts) == 3  # the 429, its retry, and the other post
    first, retry = sorted(
        (c for c in attempts if c.args["channel"] == attempts[0].args["channel"]),
        key=lambda c: c.at,
    )
    assert retry.at - first.at >= 1.0  # Retry-After was honoured
    assert time.monotonic() - started < 10
    assert kudos_rows(database_url)[0]["announcement_message_id"] or posts(fake_slack, "U0002")


def test_a_post_slack_says_it_did_not_make_is_retried_with_backoff(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.fail("chat.postMessage", *[Failure(status=503, error="service_unavailable")] * 2)

    message = confirmation(slack, fake_slack)

    assert message.startswith("Sent!")
    assert len(posts(fake_slack, "C0001")) >= 1
    assert len(posts(fake_slack, "U0002")) >= 1
    [row] = kudos_rows(database_url)
    assert row["announcement_message_id"]


@pytest.mark.parametrize(
    "failure",
    [Failure(status=502, error="bad_gateway"), Failure(status=500, error="internal_error")],
    ids=["gateway", "internal_error"],
)
def test_a_post_slack_may_have_made_is_not_repeated_at_once(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str, failure: Failure
) -> None:
    """Slack has no idempotency key: after a failure it may have carried out, a second post
    could be a duplicate. It is left to the outbox, which tries again later."""
    fake_slack.fail("chat.postMessage", failure)

    message = confirmation(slack, fake_slack)

    announcements = [
        c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == "C0001"
    ]
    assert len(announcements) == 1
    assert "I'll post it in <#C0001> as soon as Slack takes it" in message
    [entry] = query(database_url, "SELECT * FROM outbox")
    assert entry["attempts"] == 1


def test_other_calls_are_retried_after_any_server_error(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.fail("users.info", Failure(status=502, error="bad_gateway"))

    assert confirmation(slack, fake_slack).startswith("Sent!")
    assert len(fake_slack.calls("users.info")) >= 2


def test_bot_not_in_channel_keeps_the_kudos_and_says_how_to_fix_it(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.state.channel_errors["CSECRET"] = "not_in_channel"

    message = confirmation(slack, fake_slack, channel="CSECRET")

    assert "Your recognition is saved" in message
    assert "<@U0002> got a DM" in message
    assert "not a member there" in message
    assert "/invite @Delight" in message
    [row] = kudos_rows(database_url)
    assert row["announcement_message_id"] is None
    assert len(posts(fake_slack, "U0002")) == 1


def test_archived_channel_is_explained(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.state.channel_errors["COLD"] = "is_archived"

    message = confirmation(slack, fake_slack, channel="COLD")

    assert "<#COLD> is archived" in message
    assert len(kudos_rows(database_url)) == 1


def test_used_in_a_dm_without_a_recognition_channel(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.state.channel_errors["D0DM"] = "channel_not_found"

    message = confirmation(slack, fake_slack, channel="D0DM")

    assert "can't post in this conversation" in message
    assert "recognition channel" in message
    assert len(kudos_rows(database_url)) == 1


def test_slack_down_for_good_still_keeps_the_kudos(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.fail("chat.postMessage", *[Failure(status=500, error="fatal_error")] * 8)

    message = confirmation(slack, fake_slack)

    assert "Your recognition is saved" in message
    assert "Slack didn't accept the announcement" in message
    assert "couldn't send a DM to <@U0002>" in message
    assert len(kudos_rows(database_url)) == 1


def test_a_failed_dm_does_not_stop_the_announcement(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.state.channel_errors["U0003"] = "messages_tab_disabled"

    message = confirmation(slack, fake_slack, "<@U0002> <@U0003> restocked the shelves overnight")

    assert message.startswith("Sent! <@U0002> will get a DM, and it's posted in <#C0001>.")
    assert "couldn't send a DM to <@U0003>" in message
    assert len(posts(fake_slack, "C0001")) == 1


def test_directory_outage_refuses_with_the_text_kept_and_stores_nothing(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    # Down for longer than anyone retries: the giver's language is looked up first (and
    # falls back to English), and how many tries that takes depends on timing.
    fake_slack.fail("users.info", *[Failure(status=503, error="service_unavailable")] * 50)

    message = confirmation(slack, fake_slack)

    assert "Slack isn't answering me right now, so nothing was sent" in message
    assert "stayed late to finish a customer's order" in message
    assert kudos_rows(database_url) == []
    assert posts(fake_slack) == []


def test_modal_that_cannot_open_is_reported(slack: SlackDriver, fake_slack: FakeSlack) -> None:
    fake_slack.fail("views.open", Failure(error="expired_trigger_id"))

    assert slack.command("").status == 200

    [reply] = fake_slack.wait_for_calls("response_url")
    assert "Slack isn't answering me right now" in reply_text(reply)


def test_a_confirmation_slack_refuses_for_a_moment_is_retried_until_it_arrives(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.fail(
        "response_url",
        Failure(status=503, error="service_unavailable"),
        Failure(status=429, retry_after=1),
    )

    assert slack.command(STORY).status == 200
    attempts = fake_slack.wait_for_calls("response_url", 3, timeout=20)

    assert [reply_text(a).startswith("Sent!") for a in attempts] == [True, True, True]
    assert attempts[2].at - attempts[1].at >= 1.0  # Retry-After was honoured
    assert len(kudos_rows(database_url)) == 1


def test_confirmations_reuse_the_connections_already_open(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    """One connection pool for the Web API and response_url alike: to Slack, no TLS
    handshake per confirmation (Bolt's own respond() opened a connection each time)."""
    for n in range(4):
        confirmation(slack, fake_slack, f"<@U0002|bob> helped customer number {n} today")

    calls = fake_slack.calls()
    replies = [i for i, call in enumerate(calls) if call.method == "response_url"]
    assert len(replies) == 4
    for i in replies[1:]:
        opened_before = {call.peer_port for call in calls[:i]}
        assert calls[i].peer_port in opened_before
