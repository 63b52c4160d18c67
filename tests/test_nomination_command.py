"""`/delight @colleague story #tags`: recognition from the slash command, end to end."""

from __future__ import annotations

import pytest

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import all_block_text, kudos_rows, posts, query, reply_text, set_workspace


def deliver(slack: SlackDriver, fake: FakeSlack, text: str, **kwargs: str) -> str:
    """Send a command and return the confirmation the giver saw."""
    before = len(fake.calls("response_url"))
    reply = slack.command(text, **kwargs)
    assert reply.status == 200
    assert reply.body == b""  # acked at once; the answer comes via response_url
    return reply_text(fake.wait_for_calls("response_url", before + 1)[-1])


def test_recognition_is_stored_announced_dmed_and_confirmed(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    confirmation = deliver(
        slack,
        fake_slack,
        "<@U0004|maria> stayed after close to help a customer find a gift #voluntary #delight",
    )

    [row] = kudos_rows(database_url)
    assert row["giver_id"] == "U0001"
    assert row["story"] == "stayed after close to help a customer find a gift"
    assert row["source"] == "command"
    assert row["origin_channel_id"] == "C0001"
    assert row["announcement_channel_id"] == "C0001"
    assert row["announcement_message_id"]
    assert [r["recipient_id"] for r in query(database_url, "SELECT * FROM kudos_recipient")] == [
        "U0004"
    ]
    elements = query(database_url, "SELECT element FROM kudos_element ORDER BY element")
    assert [e["element"] for e in elements] == ["delight", "voluntary"]

    [announcement] = posts(fake_slack, "C0001")
    assert "<@U0001> recognised <@U0004>" in reply_text(announcement)
    assert "stayed after close" in all_block_text(announcement)
    assert "*Voluntary* · *Delight*" in all_block_text(announcement)
    [dm] = posts(fake_slack, "U0004")
    assert "<@U0001> recognised you" in reply_text(dm)
    assert "*voluntary*" in all_block_text(dm)

    assert confirmation.startswith("Sent! <@U0004> will get a DM")
    assert "posted in <#C0001>" in confirmation
    assert "recognise 9 more people today" in confirmation
    [response] = fake_slack.calls("response_url")
    assert response.args["response_type"] == "ephemeral"


def test_several_recipients_are_each_dmed_and_named_naturally(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    confirmation = deliver(
        slack, fake_slack, "<@U0004|maria>, <@U0005> and <@U0003|carol> covered the whole shift"
    )

    [announcement] = posts(fake_slack, "C0001")
    assert "<@U0004>, <@U0005> and <@U0003>" in reply_text(announcement)
    assert {c.args["channel"] for c in posts(fake_slack)} == {"C0001", "U0003", "U0004", "U0005"}
    assert "will each get a DM" in confirmation
    assert "recognise 7 more people today" in confirmation
    positions = query(database_url, "SELECT recipient_id FROM kudos_recipient ORDER BY position")
    assert [p["recipient_id"] for p in positions] == ["U0004", "U0005", "U0003"]


def test_plain_at_names_are_resolved_through_the_directory(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    """Without mention escaping Slack sends '@maria'; the app looks her up by name (cached)."""
    deliver(slack, fake_slack, "@maria @Tom closed the ticket queue before the holiday")
    deliver(slack, fake_slack, "@maria found the missing order for a customer")

    assert [c.args["channel"] for c in posts(fake_slack) if c.args["channel"] != "C0001"] == [
        "U0004",
        "U0005",
        "U0004",
    ]
    assert len(fake_slack.calls("users.list")) == 1  # the name index is cached
    assert len(kudos_rows(database_url)) == 2


def test_unknown_and_ambiguous_names_are_refused_with_the_text_kept(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    unknown = deliver(slack, fake_slack, "@nobody helped a customer carry boxes")
    assert "couldn't find @nobody" in unknown
    assert "/delight @nobody helped a customer carry boxes" in unknown

    ambiguous = deliver(slack, fake_slack, "@sam helped a customer carry boxes")
    assert "More than one person is called @sam" in ambiguous
    assert kudos_rows(database_url) == []
    assert posts(fake_slack) == []


def test_help_explains_usage_and_the_definition(slack: SlackDriver, fake_slack: FakeSlack) -> None:
    reply = slack.command("help")

    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert "voluntary act that demonstrates a genuine desire" in body["text"]
    assert "Steve Curtin" in body["text"]
    for tag in ("#voluntary", "#act", "#demonstrates", "#genuine", "#desire", "#delight"):
        assert tag in body["text"]
    assert posts(fake_slack) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0001|alice> I was great today, honestly", "can't recognise yourself"),
        ("<@UBOT2|deploybot> deployed everything without a hitch", "is a bot"),
        ("<@UGONE|leaver> left the place better than they found it", "no longer active"),
        ("<@U0002|bob> thanks", "Say a little more"),
        ("<@U0002|bob> " + "x" * 1001, "keep it to 1,000"),
        ("<@UNOBODY> helped a customer with a refund", "couldn't find"),
        ("<!here> all of you were amazing this week", "only recognise people by name"),
        ("<!subteam^S0001|@support> handled the outage so well", "only recognise people"),
        ("just a story without anyone named in it", "Who should I recognise"),
        (" ".join(f"<@UM{n:04d}>" for n in range(11)) + " all pitched in", "up to 10"),
    ],
)
def test_refusals_explain_the_rule_and_keep_the_text(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str, text: str, expected: str
) -> None:
    reply = slack.command(text)
    assert reply.status == 200
    if reply.body:  # refusals found by parsing alone come back in the ack itself
        message = reply.json()["text"]
    else:
        message = reply_text(fake_slack.wait_for_calls("response_url")[-1])

    assert expected in message
    assert "Your text:" in message
    assert kudos_rows(database_url) == []
    assert posts(fake_slack) == []


def test_unknown_tag_suggests_the_nearest_element_inline(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    reply = slack.command("<@U0002|bob> asked one real question #genuin")

    body = reply.json()  # answered in the ack: no round trip for a typo
    assert body["response_type"] == "ephemeral"
    assert "Did you mean `#genuine`?" in body["text"]
    assert "asked one real question #genuin" in body["text"]
    fake_slack.settle(0.2)
    assert posts(fake_slack) == []


def test_daily_limit_counts_recipients_and_refuses_beyond_it(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str, env: dict[str, str]
) -> None:
    set_workspace(database_url, limit=3)
    first = deliver(slack, fake_slack, "<@U0002> <@U0003> both answered the phones all day")
    assert "recognise 1 more person today" in first

    refused = deliver(slack, fake_slack, "<@U0004> <@U0005> sorted the stock room together")
    assert "You can recognise 1 more person today" in refused
    assert len(kudos_rows(database_url)) == 1


def test_same_trigger_delivered_twice_makes_one_kudos_and_one_announcement(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    body = slack.command_body("<@U0002|bob> fixed the till during the rush", trigger_id="t.1.x")
    for _ in range(2):
        assert slack.post(body, content_type="application/x-www-form-urlencoded").status == 200
    fake_slack.wait_for_calls("response_url")
    fake_slack.settle()

    assert len(kudos_rows(database_url)) == 1
    assert len(posts(fake_slack, "C0001")) == 1
    assert len(posts(fake_slack, "U0002")) == 1
    assert len(fake_slack.calls("response_url")) == 1


def test_recognition_channel_setting_wins_over_the_command_channel(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    set_workspace(database_url, channel="CKUDOS")
    confirmation = deliver(
        slack, fake_slack, "<@U0002> helped a customer return a gift", channel="CRANDOM"
    )

    assert [c.args["channel"] for c in posts(fake_slack) if c.args["channel"].startswith("C")] == [
        "CKUDOS"
    ]
    assert "posted in <#CKUDOS>" in confirmation


def test_workspaces_do_not_see_each_others_data(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    """The same trigger id and giver in another workspace are another kudos, and the other
    workspace's daily count is its own."""
    body_a = slack.command_body("<@U0002> made a customer's day", trigger_id="same.trigger")
    body_b = slack.command_body(
        "<@U0002> made a customer's day", trigger_id="same.trigger", team_id="T0002"
    )
    slack.post(body_a, content_type="application/x-www-form-urlencoded")
    fake_slack.wait_for_calls("response_url", 1)
    slack.post(body_b, content_type="application/x-www-form-urlencoded")
    [_, second] = fake_slack.wait_for_calls("response_url", 2)

    assert "recognise 9 more people today" in reply_text(second)
    assert sorted(r["team_id"] for r in kudos_rows(database_url)) == ["T0001", "T0002"]
