"""Any story a person could type survives the real HTTP path intact and inert."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.kudos import normalise_story
from handlers.slack.mrkdwn import escape
from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import posts, query, set_workspace

# What people really type: quotes, emoji, scripts without spaces, URLs, markup-looking and
# protocol-looking words. '#' is left to the tag tests; everything else is fair game.
FRAGMENTS = st.sampled_from(
    [
        "she",
        "stayed",
        "late",
        "for",
        "a",
        "customer",
        '"quoted"',
        "'single'",
        "“curly”",
        "🎉",
        "👩🏽‍🚀",
        ":tada:",
        "感谢你的帮助",
        "спасибо",
        "شكرا",
        "ありがとう",
        "naïve",
        "Ωμέγα",
        "https://example.com/a?b=c&d=e",
        "<https://evil.example|click me>",
        "<!here>",
        "<!channel>",
        "@here",
        "@everyone",
        "<@U0003>",
        "&amp;",
        "&lt;",
        "&",
        "<",
        ">",
        "*bold*",
        "_it_",
        "~s~",
        "`code`",
        "```",
        "token=xoxb-1",
        "payload=%7B%7D",
        "type=view_submission",
        "text=",
        "%20",
        "+",
        "\\n",
        "\\",
        '{"json": true}',
        "\u200b",
        "\u202e",
        "\t",
        "\n",
    ]
)
STORIES = (
    st.lists(st.one_of(FRAGMENTS, st.text(min_size=1, max_size=12)), min_size=3, max_size=40)
    .map(" ".join)
    .filter(lambda s: "#" not in s)
    .map(lambda s: s[:1000])
    .filter(lambda s: len(normalise_story(s).split()) >= 3)
)
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_counter = itertools.count()


@pytest.fixture
def unlimited(database_url: str) -> str:
    """Many examples from one giver: lift the daily limit for this workspace."""
    set_workspace(database_url, limit=1000)
    return database_url


def _story_sections_are_inert(fake: FakeSlack, channel: str) -> None:
    for call in posts(fake, channel):
        for block in call.args["blocks"]:
            text = block.get("text", {})
            if text.get("verbatim"):  # the user's words
                assert "<" not in text["text"]  # no mention, link or broadcast can form
                assert "@here" not in text["text"]
                assert "@everyone" not in text["text"]
                assert len(text["text"]) <= 3000


@PROPERTY_SETTINGS
@given(story=STORIES)
def test_any_modal_story_is_stored_exactly_and_delivered(
    slack: SlackDriver, fake_slack: FakeSlack, unlimited: str, story: str
) -> None:
    view_id = f"VPROP{next(_counter)}"
    before = len(fake_slack.calls("chat.postEphemeral"))

    reply = slack.view_submission(recipients=["U0002"], story=story, view_id=view_id)

    assert reply.status == 200
    assert reply.body == b"", reply.body
    [row] = query(unlimited, "SELECT story FROM kudos WHERE request_key = :k", k=f"view:{view_id}")
    assert row["story"] == normalise_story(story)
    fake_slack.wait_for(lambda f: len(f.calls("chat.postEphemeral")) > before)
    assert "Sent!" in fake_slack.calls("chat.postEphemeral")[-1].args["text"]
    _story_sections_are_inert(fake_slack, "U0002")


@PROPERTY_SETTINGS
@given(story=STORIES)
@example(story="she she payload=%7B%7D")  # slack-bolt took this for an interactivity payload
@example(story="she she \x000")  # a NUL once collided with the parser's tag placeholder
def test_any_command_story_round_trips_through_slack_escaping(
    slack: SlackDriver, fake_slack: FakeSlack, unlimited: str, story: str
) -> None:
    """Slack escapes &, < and > in what people type; the stored story is what they typed."""
    # A leading @word would be read as another recipient, so the story starts with a word;
    # everything after it is whatever hypothesis chose, escaped as Slack escapes typed text.
    plain = "thanks: " + story
    trigger = f"prop.{next(_counter)}"
    before = len(fake_slack.calls("response_url"))

    reply = slack.command(f"<@U0002|bob> {escape(plain)}", trigger_id=trigger)

    assert reply.status == 200
    fake_slack.wait_for(lambda f: len(f.calls("response_url")) > before)
    assert "Sent!" in fake_slack.calls("response_url")[-1].args["text"]
    [row] = query(
        unlimited, "SELECT story FROM kudos WHERE request_key = :k", k=f"command:{trigger}"
    )
    assert row["story"] == normalise_story(plain)
    _story_sections_are_inert(fake_slack, "C0001")
