"""User text made safe for Slack, and the Block Kit messages built around it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core.elements import DEFINITION, ELEMENT_INFO, Element
from bot.core.model import (
    DeliveryReport,
    FailureReason,
    Kudos,
    Notification,
    NotificationKind,
    NotPosted,
    Posted,
    PostOutcome,
    Source,
)
from bot.core.outbox import Owed, post_all
from handlers.slack import blocks
from handlers.slack.mrkdwn import WORD_JOINER, chunks, defuse, escape, people_list, quote, shorten

SECTION_LIMIT = 3000
MAX_MESSAGE_BLOCKS = 50
BROADCAST = re.compile(r"@(?:here|channel|everyone)(?!\w)", re.IGNORECASE)
_ESCAPES = re.compile(r"&(?:amp|lt|gt);")


def make_kudos(
    story: str = "Stayed after close to help a customer find the right gift.",
    *,
    recipients: tuple[str, ...] = ("U1",),
    elements: tuple[Element, ...] = (Element.VOLUNTARY, Element.DELIGHT),
    source_url: str | None = None,
) -> Kudos:
    return Kudos(
        id=7,
        team_id="T1",
        giver_id="UGIVER",
        recipient_ids=recipients,
        story=story,
        elements=elements,
        source=Source.COMMAND,
        created_at=datetime(2025, 3, 4, 12, 0, tzinfo=UTC),
        origin_channel_id="C1",
        source_url=source_url,
    )


def mrkdwn_texts(message_blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every text object in section and context blocks."""
    for block in message_blocks:
        if block["type"] == "section":
            yield block["text"]["text"]
        elif block["type"] == "context":
            for element in block["elements"]:
                yield element["text"]


def story_sections(message: blocks.Message) -> list[dict[str, Any]]:
    return [b for b in message.blocks if b["type"] == "section" and b["text"]["verbatim"]]


def assert_fits_slack(message: blocks.Message) -> None:
    assert message.text.strip()
    assert len(message.blocks) <= MAX_MESSAGE_BLOCKS
    for text in mrkdwn_texts(message.blocks):
        assert 0 < len(text) <= SECTION_LIMIT


# --- escape, defuse, quote --------------------------------------------------------------------


def test_escape_uses_slacks_three_escapes() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"


def test_escape_escapes_an_existing_escape_again() -> None:
    # The text is user text, not mrkdwn: '&lt;' typed must show as typed.
    assert escape("&lt;") == "&amp;lt;"


@pytest.mark.parametrize("word", ["@here", "@channel", "@everyone", "@HERE", "@Channel!"])
def test_defuse_breaks_broadcast_words(word: str) -> None:
    defused = defuse(f"hey {word} look")

    assert not BROADCAST.search(defused)
    assert WORD_JOINER in defused


def test_defuse_leaves_ordinary_at_names_alone() -> None:
    assert defuse("thanks @maria and @heretic") == "thanks @maria and @heretic"


def test_defuse_neutralises_slack_markup() -> None:
    defused = defuse("<!here> <@U1> <https://evil.example|bank>")

    assert "<" not in defused
    assert ">" not in defused


def test_quote_prefixes_every_line_and_marks_blank_lines() -> None:
    assert quote("one\n\ntwo") == "> one\n>\n> two"


def test_quote_is_defused() -> None:
    assert quote("<!here> & @here") == f"> &lt;!here&gt; &amp; @{WORD_JOINER}here"


def test_shorten_keeps_short_text_and_marks_cut_text() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("a long sentence here", 10) == "a long se…"
    assert len(shorten("x" * 500, 150)) == 150


def test_people_list_reads_naturally() -> None:
    assert people_list(["U1"]) == "<@U1>"
    assert people_list(["U1", "U2"]) == "<@U1> and <@U2>"
    assert people_list(["U1", "U2", "U3"]) == "<@U1>, <@U2> and <@U3>"


@given(st.text(max_size=200))
def test_defused_text_has_no_markup_and_no_broadcast(text: str) -> None:
    defused = defuse(text)

    assert "<" not in defused
    assert ">" not in defused
    assert not BROADCAST.search(defused)


_BROADCASTY = st.lists(
    st.sampled_from(["@here", "@HERE", "@channel", "@everyone", "@", "here", " ", "<", "&", "x"])
).map("".join)


@given(_BROADCASTY)
def test_defuse_breaks_every_broadcast_however_it_is_assembled(text: str) -> None:
    assert not BROADCAST.search(defuse(text))


# --- chunks -----------------------------------------------------------------------------------


def test_chunks_keeps_short_text_whole() -> None:
    assert chunks("short text", 3000) == ["short text"]


def test_chunks_prefers_a_line_break() -> None:
    assert chunks("aaaa bbbb\ncccc", 12) == ["aaaa bbbb", "cccc"]


def test_chunks_falls_back_to_a_space() -> None:
    assert chunks("aaaa bbbb cccc", 12) == ["aaaa bbbb", " cccc"]


def test_chunks_never_cuts_inside_an_escape() -> None:
    text = "x" * 8 + "&amp;" + "y" * 8

    pieces = chunks(text, 10)

    assert pieces == ["x" * 8, "&amp;" + "y" * 5, "yyy"]


_ESCAPED_TEXT = st.text(alphabet=st.sampled_from("ab &<>\n"), max_size=400).map(escape)


@given(_ESCAPED_TEXT, st.integers(min_value=6, max_value=120))
def test_chunks_never_exceed_the_size(text: str, size: int) -> None:
    assert all(len(piece) <= size for piece in chunks(text, size))


@given(_ESCAPED_TEXT, st.integers(min_value=6, max_value=120))
@example("aaaaa\n\n\n\n\n\n", 6)  # blank lines right after a cut are kept
def test_chunks_rejoin_to_the_text_except_for_line_breaks_at_cuts(text: str, size: int) -> None:
    pieces = chunks(text, size)

    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert len("".join(pieces)) >= len(text) - len(pieces)


@given(_ESCAPED_TEXT, st.integers(min_value=6, max_value=120))
def test_chunks_never_split_an_escape(text: str, size: int) -> None:
    for piece in chunks(text, size):
        assert "&" not in _ESCAPES.sub("", piece), piece


# --- messages ---------------------------------------------------------------------------------

HOSTILE_STORIES = [
    "&" * 1000,
    "<" * 1000,
    ">" * 1000,
    "&<>" * 333,
    "\n" * 1000,
    "& " * 500,
    ("<!here> <@U1> <https://evil.example|bank> @channel " * 20)[:1000],
]


@pytest.mark.parametrize("story", HOSTILE_STORIES)
def test_announcement_fits_slack_limits_even_when_escaping_grows_the_story(story: str) -> None:
    assert_fits_slack(blocks.announcement(make_kudos(story)))


@pytest.mark.parametrize("story", HOSTILE_STORIES)
def test_recipient_dm_fits_slack_limits_even_when_escaping_grows_the_story(story: str) -> None:
    assert_fits_slack(blocks.recipient_dm(make_kudos(story), "U1"))


def test_announcement_names_giver_recipients_and_elements() -> None:
    message = blocks.announcement(make_kudos(recipients=("U1", "U2")))

    assert message.text.startswith("✨ <@UGIVER> recognised <@U1> and <@U2>")
    texts = list(mrkdwn_texts(message.blocks))
    assert any("*Voluntary* · *Delight*" in t for t in texts)
    assert any(ELEMENT_INFO[Element.VOLUNTARY].meaning in t for t in texts)


def test_announcement_without_elements_has_no_element_context() -> None:
    message = blocks.announcement(make_kudos(elements=()))

    texts = " ".join(mrkdwn_texts(message.blocks))
    for info in ELEMENT_INFO.values():
        assert info.meaning not in texts
        assert f"*{info.name}*" not in texts


def test_story_sections_are_verbatim_quotes() -> None:
    sections = story_sections(blocks.announcement(make_kudos("Found the gift.")))

    assert [s["text"]["text"] for s in sections] == ["> Found the gift."]


def test_source_link_is_shown_only_for_a_clean_https_url() -> None:
    good = blocks.announcement(make_kudos(source_url="https://x.slack.com/archives/C1/p1"))
    bad = blocks.announcement(make_kudos(source_url="https://x.com|<!here>"))
    plain = blocks.announcement(make_kudos(source_url="http://x.com/a"))

    assert any("<https://x.slack.com/archives/C1/p1|" in t for t in mrkdwn_texts(good.blocks))
    assert not any("About" in t for t in mrkdwn_texts(bad.blocks))
    assert not any("About" in t for t in mrkdwn_texts(plain.blocks))


def test_recipient_dm_mentions_the_others_and_praises_the_first_element() -> None:
    message = blocks.recipient_dm(make_kudos(recipients=("U1", "U2")), "U2")

    assert "together with <@U1>" in message.text
    assert "<@U2>" not in message.text
    assert any(ELEMENT_INFO[Element.VOLUNTARY].praise in t for t in mrkdwn_texts(message.blocks))


def test_recipient_dm_without_elements_still_thanks_them() -> None:
    message = blocks.recipient_dm(make_kudos(elements=()), "U1")

    assert any("Thank you" in t for t in mrkdwn_texts(message.blocks))


def test_long_story_is_shortened_in_the_fallback_text() -> None:
    message = blocks.announcement(make_kudos("word " * 200))

    assert "…" in message.text
    assert len(message.text) < 300


@pytest.mark.parametrize("story", ["&" * 1000, "<" * 1000])
def test_every_story_section_of_a_long_story_stays_quoted(story: str) -> None:
    sections = story_sections(blocks.announcement(make_kudos(story)))

    assert len(sections) > 1
    for section in sections:
        text = section["text"]["text"]
        assert text.startswith(">")
        assert text.strip("> \n")


_HOSTILE_PIECES = st.sampled_from(
    [
        "<!here>",
        "<!channel>",
        "<!subteam^S1|@team>",
        "<@U1>",
        "<@U1|maria>",
        "<#C1|general>",
        "<https://evil.example|your bank>",
        "<http://evil.example>",
        "@here",
        "@everyone",
        "&lt;",
        "&",
        "<",
        ">",
        "|",
        "\n",
        " ",
        "word",
    ]
)
_HOSTILE_STORY = st.lists(_HOSTILE_PIECES | st.text(max_size=4), max_size=60).map("".join)


def _story_part_of_fallback(message: blocks.Message) -> str:
    return message.text.split(": “", 1)[1]


@given(_HOSTILE_STORY)
def test_user_story_never_becomes_markup_in_an_announcement(story: str) -> None:
    message = blocks.announcement(make_kudos(story))

    shown = [s["text"]["text"] for s in story_sections(message)]
    shown.append(_story_part_of_fallback(message))
    for text in shown:
        assert "<" not in text
        assert not BROADCAST.search(text)


@given(_HOSTILE_STORY)
def test_user_story_never_becomes_markup_in_a_recipient_dm(story: str) -> None:
    message = blocks.recipient_dm(make_kudos(story), "U1")

    shown = [s["text"]["text"] for s in story_sections(message)]
    shown.append(_story_part_of_fallback(message))
    for text in shown:
        assert "<" not in text
        assert not BROADCAST.search(text)


@given(st.text(max_size=1000))
def test_any_story_up_to_the_limit_fits_slack(story: str) -> None:
    assert_fits_slack(blocks.announcement(make_kudos(story)))
    assert_fits_slack(blocks.recipient_dm(make_kudos(story), "U1"))


# --- the giver's confirmation -----------------------------------------------------------------


def report(
    announcement: Posted | NotPosted | None,
    *,
    recipients: tuple[str, ...] = ("U1",),
    failed: tuple[str, ...] = (),
) -> DeliveryReport:
    return DeliveryReport(
        kudos=make_kudos(recipients=recipients),
        announcement=announcement,
        direct_messages={
            uid: NotPosted(uid, FailureReason.RECIPIENT_UNAVAILABLE)
            if uid in failed
            else Posted(f"D{uid}", "1.0")
            for uid in recipients
        },
    )


def test_confirmation_when_everything_was_delivered() -> None:
    message = blocks.confirmation(report(Posted("C9", "1.0")), remaining_today=7)

    assert message.text.startswith("Sent! <@U1> will get a DM, and it's posted in <#C9>.")
    assert "You can recognise 7 more people today." in message.text
    assert_fits_slack(message)


def test_confirmation_of_a_kudos_left_to_the_outbox_says_it_follows_shortly() -> None:
    busy = NotPosted("C9", FailureReason.SERVICE_UNAVAILABLE, "busy")
    deferred = replace(
        report(busy, recipients=("U1", "U2")),
        direct_messages={
            "U1": NotPosted("U1", FailureReason.SERVICE_UNAVAILABLE, "busy"),
            "U2": NotPosted("U2", FailureReason.SERVICE_UNAVAILABLE, "busy"),
        },
        retrying=frozenset({"C9", "U1", "U2"}),
        deferred=True,
    )

    message = blocks.confirmation(deferred, remaining_today=4)

    assert message.text.startswith("Your recognition is saved. I have a lot to deliver")
    assert "<@U1> and <@U2> will hear about it within a minute or two" in message.text
    assert "I'll DM you once it's out." in message.text
    assert "retrying" not in message.text  # nothing was tried yet
    assert "You can recognise 4 more people today." in message.text
    assert_fits_slack(message)


def test_confirmation_for_several_recipients_says_each() -> None:
    message = blocks.confirmation(
        report(Posted("C9", "1.0"), recipients=("U1", "U2")), remaining_today=5
    )

    assert "<@U1> and <@U2> will each get a DM" in message.text


def test_confirmation_when_not_in_the_channel_says_how_to_invite_the_bot() -> None:
    announcement = NotPosted("C9", FailureReason.NOT_IN_CHANNEL)

    message = blocks.confirmation(report(announcement), remaining_today=3)

    assert "Your recognition is saved." in message.text
    assert "<@U1> got a DM." in message.text
    assert "<#C9>" in message.text
    assert "/invite" in message.text
    assert "Sent!" not in message.text


def test_confirmation_without_a_channel_says_it_was_not_announced() -> None:
    message = blocks.confirmation(report(None), remaining_today=3)

    assert "no recognition channel" in message.text
    assert "<@U1> got a DM." in message.text
    assert "posted in" not in message.text


def test_confirmation_names_a_failed_dm() -> None:
    message = blocks.confirmation(
        report(Posted("C9", "1.0"), recipients=("U1", "U2"), failed=("U2",)),
        remaining_today=3,
    )

    assert "Sent! <@U1> will get a DM" in message.text
    assert "I couldn't send a DM to <@U2>" in message.text


def test_confirmation_when_every_dm_failed_does_not_claim_success() -> None:
    message = blocks.confirmation(
        report(Posted("C9", "1.0"), failed=("U1",)),
        remaining_today=3,
    )

    assert "Sent!" not in message.text
    assert "It's posted in <#C9>." in message.text
    assert "I couldn't send a DM to <@U1>" in message.text


@pytest.mark.parametrize("announcement", [None, NotPosted("C9", FailureReason.NOT_IN_CHANNEL)])
def test_failed_dm_without_an_announcement_does_not_promise_one(
    announcement: NotPosted | None,
) -> None:
    message = blocks.confirmation(report(announcement, failed=("U1",)), remaining_today=3)

    assert "I couldn't send a DM to <@U1>" in message.text
    assert "where it's announced" not in message.text


@pytest.mark.parametrize("reason", list(FailureReason))
def test_confirmation_explains_every_announcement_failure(reason: FailureReason) -> None:
    message = blocks.confirmation(
        report(NotPosted("C9", reason, detail="ratelimited")), remaining_today=2
    )

    assert "Your recognition is saved." in message.text
    assert "{" not in message.text
    assert_fits_slack(message)


def test_confirmation_for_an_unexplained_failure_gives_the_detail() -> None:
    message = blocks.confirmation(
        report(NotPosted("C9", FailureReason.OTHER, detail="ratelimited")), remaining_today=2
    )

    assert "ratelimited" in message.text


@pytest.mark.parametrize(
    ("remaining", "sentence"),
    [
        (1, "You can recognise 1 more person today."),
        (2, "You can recognise 2 more people today."),
    ],
)
def test_confirmation_counts_remaining_people(remaining: int, sentence: str) -> None:
    message = blocks.confirmation(report(Posted("C9", "1.0")), remaining_today=remaining)

    assert message.text.endswith(sentence)


def test_confirmation_for_ten_failed_recipients_fits_slack() -> None:
    recipients = tuple(f"U{n:010d}" for n in range(10))

    message = blocks.confirmation(
        report(NotPosted("C9", FailureReason.ARCHIVED), recipients=recipients, failed=recipients),
        remaining_today=0,
    )

    assert_fits_slack(message)


# --- refusals and help ------------------------------------------------------------------------


def test_refusal_keeps_what_they_typed_as_inert_text() -> None:
    message = blocks.refusal("You can't recognise yourself.", typed="/delight <!here> me")

    assert message.blocks[0]["text"]["text"] == "You can't recognise yourself."
    assert "&lt;!here&gt;" in message.blocks[1]["text"]["text"]
    assert message.blocks[1]["text"]["verbatim"] is True
    assert "<!here>" not in message.text


def test_refusal_without_typed_text_is_just_the_message() -> None:
    message = blocks.refusal("Nope.", typed=None)

    assert message.text == "Nope."
    assert len(message.blocks) == 1


def test_refusal_of_long_plain_text_fits_slack() -> None:
    assert_fits_slack(blocks.refusal("Too long.", typed="word " * 1000))


@pytest.mark.parametrize("typed", ["&" * 2500, "/delight " + "&lt;" * 700])
def test_refusal_of_text_that_escaping_grows_fits_slack(typed: str) -> None:
    assert_fits_slack(blocks.refusal("That's too long.", typed=typed))


def test_help_names_every_tag_and_quotes_the_definition() -> None:
    message = blocks.help_message()

    for element in Element:
        assert f"`#{element.value}`" in message.text
    assert DEFINITION in message.text
    assert "Steve Curtin" in message.text
    assert_fits_slack(message)


# --- the nomination modal ---------------------------------------------------------------------


def test_modal_respects_slack_text_limits() -> None:
    view = blocks.nomination_modal(
        context=blocks.ModalContext(channel_id="C1"), quoted_message="&" * 5000
    )

    assert len(view["title"]["text"]) <= 24
    assert len(view["submit"]["text"]) <= 24
    assert len(view["close"]["text"]) <= 24
    assert len(view["blocks"]) <= 100
    assert len(view["private_metadata"]) <= 3000
    for text in mrkdwn_texts(view["blocks"]):
        assert len(text) <= SECTION_LIMIT


def test_modal_offers_every_element_with_a_short_description() -> None:
    view = blocks.nomination_modal(context=blocks.ModalContext())
    checkboxes = next(
        b["element"] for b in view["blocks"] if b.get("element", {}).get("type") == "checkboxes"
    )

    assert [o["value"] for o in checkboxes["options"]] == [e.value for e in Element]
    for option in checkboxes["options"]:
        assert len(option["text"]["text"]) <= 75
        assert len(option["description"]["text"]) <= 75


def test_modal_prefills_recipients_story_and_elements() -> None:
    view = blocks.nomination_modal(
        context=blocks.ModalContext(),
        recipients=tuple(f"U{n}" for n in range(12)),
        story="x" * 1500,
        elements=(Element.GENUINE,),
    )
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}

    assert inputs["recipients"]["initial_users"] == [f"U{n}" for n in range(10)]
    assert len(inputs["story"]["initial_value"]) == 1000
    assert inputs["elements"]["initial_options"] == [
        o for o in inputs["elements"]["options"] if o["value"] == "genuine"
    ]
    assert "initial_options" not in inputs["visibility"]


def test_modal_without_prefill_leaves_fields_empty() -> None:
    view = blocks.nomination_modal(context=blocks.ModalContext())
    inputs = {b["element"]["type"]: b["element"] for b in view["blocks"] if b["type"] == "input"}

    assert "initial_users" not in inputs["multi_users_select"]
    assert "initial_value" not in inputs["plain_text_input"]
    assert "initial_options" not in inputs["checkboxes"]


def test_quoted_message_in_the_modal_is_defused() -> None:
    view = blocks.nomination_modal(
        context=blocks.ModalContext(), quoted_message="<!here> see <https://evil.example|x>"
    )
    quoted = [t for t in mrkdwn_texts(view["blocks"]) if t.startswith("About this message")]

    assert len(quoted) == 1
    assert "<" not in quoted[0]


def test_modal_context_round_trips_through_private_metadata() -> None:
    context = blocks.ModalContext(
        channel_id="C1", message_channel_id="C2", message_ts="1712345678.123456"
    )

    view = blocks.nomination_modal(context=context)

    assert blocks.ModalContext.load(view["private_metadata"]) == context


@given(
    st.none() | st.text(min_size=1, max_size=63),
    st.none() | st.text(min_size=1, max_size=63),
    st.none() | st.text(min_size=1, max_size=63),
)
def test_modal_context_dump_then_load_is_identity(
    channel_id: str | None, message_channel_id: str | None, message_ts: str | None
) -> None:
    context = blocks.ModalContext(
        channel_id=channel_id, message_channel_id=message_channel_id, message_ts=message_ts
    )

    assert blocks.ModalContext.load(context.dump()) == context


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "not json",
        "{",
        "[1, 2]",
        '"C1"',
        "null",
        "42",
        '{"channel_id": 5, "message_ts": ["x"]}',
        json.dumps({"channel_id": "C" * 10_000}),
        json.dumps({"channel_id": {"nested": "C1"}}),
    ],
)
def test_hostile_private_metadata_loads_as_an_empty_context(raw: str | None) -> None:
    assert blocks.ModalContext.load(raw) == blocks.ModalContext()


def test_private_metadata_keeps_good_fields_and_drops_bad_ones() -> None:
    raw = json.dumps({"channel_id": "C1", "message_ts": 12, "extra": "x" * 100})

    assert blocks.ModalContext.load(raw) == blocks.ModalContext(channel_id="C1")


def test_deeply_nested_private_metadata_loads_safely() -> None:
    assert blocks.ModalContext.load("[" * 3000) == blocks.ModalContext()


@given(st.text(max_size=200))
def test_any_private_metadata_string_loads_without_error(raw: str) -> None:
    assert isinstance(blocks.ModalContext.load(raw), blocks.ModalContext)


def test_a_confirmation_shows_slack_error_codes_but_never_our_internals() -> None:
    internal = NotPosted("C9", FailureReason.OTHER, "IntegrityError('INSERT INTO kudos VALUES')")
    coded = NotPosted("C9", FailureReason.OTHER, "invalid_blocks")

    hidden = blocks.confirmation(report(internal), remaining_today=7).text
    shown = blocks.confirmation(report(coded), remaining_today=7).text

    assert "INSERT" not in hidden
    assert "an error on my side" in hidden
    assert "invalid_blocks" in shown


def test_a_post_that_raised_reports_the_error_by_name_only() -> None:
    class Broken:
        async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
            raise RuntimeError("INSERT INTO kudos (story) VALUES ('a secret story')")

    owed = [Owed(Notification(NotificationKind.ANNOUNCEMENT, "C9"))]
    outcomes = asyncio.run(post_all(Broken(), make_kudos(), owed, within=5))  # type: ignore[arg-type]

    [outcome] = outcomes.values()
    assert isinstance(outcome, NotPosted)
    assert outcome.detail == "RuntimeError"


def test_a_post_that_raised_never_stops_the_next() -> None:
    class Broken:
        async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
            raise RuntimeError("the channel's post broke")

        async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
            return Posted("D2", "2.000100")

    owed = [
        Owed(Notification(NotificationKind.ANNOUNCEMENT, "C9")),
        Owed(Notification(NotificationKind.DIRECT_MESSAGE, "U2")),
    ]
    outcomes = asyncio.run(post_all(Broken(), make_kudos(), owed, within=5))  # type: ignore[arg-type]

    announced, dm = (outcomes[o] for o in owed)
    assert isinstance(announced, NotPosted)
    assert (announced.reason, announced.detail) == (FailureReason.OTHER, "RuntimeError")
    assert dm == Posted("D2", "2.000100")


def test_posts_not_started_when_the_time_is_up_are_reported_as_timed_out() -> None:
    dms: list[str] = []

    class Stuck:
        async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
            await asyncio.sleep(60)
            raise AssertionError("never reached")

        async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
            dms.append(recipient_id)
            return Posted("D2", "2.000100")

    owed = [
        Owed(Notification(NotificationKind.ANNOUNCEMENT, "C9")),
        Owed(Notification(NotificationKind.DIRECT_MESSAGE, "U2")),
    ]
    outcomes = asyncio.run(post_all(Stuck(), make_kudos(), owed, within=0.05))  # type: ignore[arg-type]

    assert dms == []  # left to the outbox, which posts it after the lease
    timed_out = NotPosted("C9", FailureReason.SERVICE_UNAVAILABLE, "timeout")
    assert outcomes == {owed[0]: timed_out, owed[1]: replace(timed_out, channel_id="U2")}


def test_posts_still_under_way_when_the_time_is_up_are_reported_as_timed_out() -> None:
    class Slow:
        async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
            return Posted("C9", "1.000100")

        async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
            await asyncio.sleep(60)
            raise AssertionError("never reached")

    owed = [
        Owed(Notification(NotificationKind.ANNOUNCEMENT, "C9")),
        Owed(Notification(NotificationKind.DIRECT_MESSAGE, "U2")),
    ]
    outcomes = asyncio.run(post_all(Slow(), make_kudos(), owed, within=0.05))  # type: ignore[arg-type]

    announced, late = outcomes.values()
    assert announced == Posted("C9", "1.000100")
    assert isinstance(late, NotPosted)
    assert (late.reason, late.detail) == (FailureReason.SERVICE_UNAVAILABLE, "timeout")
