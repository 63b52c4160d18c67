"""`@Delight @maria …` in a channel, and Slack's retried event deliveries."""

from __future__ import annotations

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import kudos_rows, posts, query, reply_text


def test_mentioning_the_bot_recognises_the_people_named(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    reply = slack.mention("<@U0004> calmed an upset customer down #genuine", channel="CSHOP")

    assert reply.status == 200
    [ephemeral] = fake_slack.wait_for_calls("chat.postEphemeral")
    assert ephemeral.args["user"] == "U0001"
    assert "Sent!" in reply_text(ephemeral)
    [row] = kudos_rows(database_url)
    assert row["source"] == "mention"
    assert row["story"] == "calmed an upset customer down"
    assert {c.args["channel"] for c in posts(fake_slack)} == {"CSHOP", "U0004"}


def test_a_retried_event_is_acked_but_acted_on_once(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    first = slack.mention("<@U0004> boxed up a gift for a customer", event_id="EvSAME")
    retries = [
        slack.mention("<@U0004> boxed up a gift for a customer", event_id="EvSAME", retry_num=n)
        for n in (1, 2, 3)
    ]

    assert [r.status for r in (first, *retries)] == [200, 200, 200, 200]
    fake_slack.wait_for_calls("chat.postEphemeral")
    fake_slack.settle()
    assert len(kudos_rows(database_url)) == 1
    assert len(posts(fake_slack, "C0001")) == 1
    assert len(fake_slack.calls("chat.postEphemeral")) == 1
    assert query(database_url, "SELECT event_id FROM processed_event") == [{"event_id": "EvSAME"}]


def test_mention_without_a_story_answers_with_help(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.mention("")

    [ephemeral] = fake_slack.wait_for_calls("chat.postEphemeral")
    assert "How to use it" in reply_text(ephemeral)
    assert kudos_rows(database_url) == []


def test_mention_refusal_is_private_and_keeps_the_text(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.mention("<@U0001> I was amazing at the till today")

    [ephemeral] = fake_slack.wait_for_calls("chat.postEphemeral")
    assert "can't recognise yourself" in reply_text(ephemeral)
    assert "@Delight &lt;@U0001&gt; I was amazing" in reply_text(ephemeral)
    assert kudos_rows(database_url) == []
    assert posts(fake_slack) == []


def test_mentions_from_other_bots_are_ignored(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.event(
        {
            "type": "app_mention",
            "user": "UBOT2",
            "bot_id": "B0002",
            "text": "<@UBOT> <@U0004> deployed on time",
            "channel": "C0001",
            "ts": "1.2",
        }
    )
    fake_slack.settle()

    assert kudos_rows(database_url) == []
    assert fake_slack.calls("chat.postEphemeral") == []
