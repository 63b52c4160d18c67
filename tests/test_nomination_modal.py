"""The nomination modal: opened by `/delight` or the message shortcut, validated on submit."""

from __future__ import annotations

import json

import pytest

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import all_block_text, kudos_rows, posts, query, reply_text, set_workspace


def opened_view(fake: FakeSlack) -> dict:
    [call] = fake.wait_for_calls("views.open")
    return call.args["view"]


def test_bare_command_opens_the_modal(slack: SlackDriver, fake_slack: FakeSlack) -> None:
    reply = slack.command("", trigger_id="trig.open.1")

    assert reply.status == 200
    [call] = fake_slack.wait_for_calls("views.open")
    assert call.args["trigger_id"] == "trig.open.1"
    view = call.args["view"]
    assert view["callback_id"] == "delight_nomination"
    assert json.loads(view["private_metadata"]) == {"channel_id": "C0001"}
    elements = next(b for b in view["blocks"] if b.get("block_id") == "elements")["element"]
    assert [o["value"] for o in elements["options"]] == [
        "voluntary",
        "act",
        "demonstrates",
        "genuine",
        "desire",
        "delight",
        "customer",
    ]
    assert all(o["description"]["text"] for o in elements["options"])


def test_command_with_only_recipients_prefills_them(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    slack.command("<@U0004|maria> and @tom")

    view = opened_view(fake_slack)
    recipients = next(b for b in view["blocks"] if b.get("block_id") == "recipients")
    assert recipients["element"]["initial_users"] == ["U0004", "U0005"]


def test_submission_stores_and_delivers_and_confirms_privately(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    reply = slack.view_submission(
        recipients=["U0004", "U0005"],
        story="Stayed after close to help a customer find the right gift.",
        elements=["voluntary", "delight"],
    )

    assert reply.status == 200
    assert reply.body == b""  # closes the modal
    [row] = kudos_rows(database_url)
    assert row["source"] == "modal"
    assert row["story"] == "Stayed after close to help a customer find the right gift."
    fake_slack.wait_for_calls("chat.postEphemeral")
    assert {c.args["channel"] for c in posts(fake_slack)} == {"C0001", "U0004", "U0005"}
    [ephemeral] = fake_slack.calls("chat.postEphemeral")
    assert ephemeral.args["user"] == "U0001"
    assert ephemeral.args["channel"] == "C0001"
    assert "Sent!" in reply_text(ephemeral)


@pytest.mark.parametrize(
    ("recipients", "story", "block", "expected"),
    [
        (["U0001"], "I did a really great job today", "recipients", "can't recognise yourself"),
        (["UBOT2"], "deployed everything without a hitch", "recipients", "is a bot"),
        (["UGONE"], "left everything tidy for the next shift", "recipients", "no longer active"),
        ([], "someone did something really nice", "recipients", "Who should I recognise"),
        (["U0002"], "thanks", "story", "Say a little more"),
        (["U0002"], "   ", "story", "Tell them what they did"),
        (["U0002"], "y" * 1001, "story", "keep it to 1,000"),
    ],
)
def test_invalid_submission_shows_the_error_on_the_right_field(
    slack: SlackDriver,
    fake_slack: FakeSlack,
    database_url: str,
    recipients: list[str],
    story: str,
    block: str,
    expected: str,
) -> None:
    reply = slack.view_submission(recipients=recipients, story=story)

    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block]
    assert expected in body["errors"][block]
    assert "<@" not in body["errors"][block]  # modal errors are plain text: names, not markup
    assert kudos_rows(database_url) == []
    assert posts(fake_slack) == []


def test_daily_limit_error_names_what_is_left(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    set_workspace(database_url, limit=1)
    slack.view_submission(recipients=["U0002"], story="helped a customer carry their shopping")

    reply = slack.view_submission(recipients=["U0003"], story="found a lost parcel for a customer")

    assert "daily limit" in reply.json()["errors"]["recipients"]
    assert len(kudos_rows(database_url)) == 1


def test_repeated_submission_of_one_modal_makes_one_kudos(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    for _ in range(3):
        reply = slack.view_submission(
            recipients=["U0002"], story="covered my shift when my kid was ill", view_id="VSAME"
        )
        assert reply.status == 200
    fake_slack.settle()

    assert len(kudos_rows(database_url)) == 1
    assert len(posts(fake_slack, "U0002")) == 1


def test_confirmation_falls_back_to_a_dm_where_ephemerals_cannot_go(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    set_workspace(database_url, channel="CKUDOS")
    fake_slack.state.channel_errors["D0PRIVATE"] = "channel_not_found"

    slack.view_submission(
        recipients=["U0002"],
        story="answered a customer's question at midnight",
        private_metadata='{"channel_id": "D0PRIVATE"}',
    )

    fake_slack.wait_for(lambda f: len(posts(f, "U0001")) == 1)
    assert "Sent!" in reply_text(posts(fake_slack, "U0001")[0])


def test_hostile_private_metadata_and_state_are_survived(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    reply = slack.view_submission(
        recipients=["U0002"],
        story="kept calm while the customer shouted",
        private_metadata='["not", "an", "object"]' + "x" * 5000,
    )

    assert reply.status == 200
    [row] = kudos_rows(database_url)
    assert row["origin_channel_id"] is None
    fake_slack.wait_for(lambda f: len(posts(f, "U0001")) == 1)  # confirmation came by DM


def test_message_shortcut_prefills_the_author_and_links_the_message(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.message_shortcut(author="U0004", text="I'll drive the order over to <@U0009|them> myself")

    view = opened_view(fake_slack)
    recipients = next(b for b in view["blocks"] if b.get("block_id") == "recipients")
    assert recipients["element"]["initial_users"] == ["U0004"]
    context_text = " ".join(
        e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"]
    )
    assert "drive the order over to @them myself" in context_text
    metadata = json.loads(view["private_metadata"])
    assert metadata == {
        "channel_id": "C0001",
        "message_channel_id": "C0001",
        "message_ts": "1700000500.000100",
    }

    slack.view_submission(
        recipients=["U0004"],
        story="drove an order to a customer's home on her day off",
        elements=["voluntary"],
        private_metadata=view["private_metadata"],
    )

    [row] = kudos_rows(database_url)
    assert row["source"] == "shortcut"
    assert row["source_url"] == "https://acme.slack.com/archives/C0001/p1700000500000100"
    fake_slack.wait_for(lambda f: len(posts(f, "C0001")) == 1)
    [announcement] = posts(fake_slack, "C0001")
    assert "the original message" in all_block_text(announcement)


def test_shortcut_on_a_bot_message_opens_an_empty_modal(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    slack.message_shortcut(author=None, text="Deploy finished")

    view = opened_view(fake_slack)
    recipients = next(b for b in view["blocks"] if b.get("block_id") == "recipients")
    assert "initial_users" not in recipients["element"]


def test_elements_stored_in_definition_order_whatever_the_order_given(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.view_submission(
        recipients=["U0002"],
        story="noticed the customer was lost and walked them over",
        elements=["customer", "act", "not-an-element"],
    )

    stored = query(database_url, "SELECT element FROM kudos_element ORDER BY element")
    assert [e["element"] for e in stored] == ["act", "customer"]
    fake_slack.wait_for_calls("chat.postEphemeral")
    [announcement] = posts(fake_slack, "C0001")
    assert "*Act* · *Customer*" in all_block_text(announcement)
