"""The Adaptive Cards Delight sends on Teams: what a person reads on each, user text shown as
written and inert, the buttons' verbs and data, the dialog's errors, the languages, the size."""

from __future__ import annotations

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
from bot.core.home import Home, HomeCursor, MyStats, Period
from bot.core.model import (
    DeliveryReport,
    FailureReason,
    Kudos,
    Listed,
    NotPosted,
    Page,
    Person,
    PersonStats,
    Posted,
    Ranked,
    Retraction,
    Source,
    Withheld,
    WorkspaceSettings,
)
from bot.core.moderation import Retracted
from bot.core.tips import Tip
from bot.i18n import speaking, translations
from handlers.msteams import adaptive, cards, dialog, home_card
from handlers.msteams.adaptive import Card, CardMessage
from handlers.msteams.removal import removal_dialog
from handlers.msteams.text import NO_BREAK_SPACE, WORD_JOINER, Names, inert, plain
from tests.node_checks import check_cards

MESSAGE_LIMIT = 28 * 1024  # Teams' limit for a whole message
GIVER = "619b48b9-7842-5523-9653-01b62d817ddb"
MARIA = "e5772891-4fc9-5238-a677-df86954e3ba6"
TOM = "dd193c2a-ba08-52da-908f-11f468a7dd61"
CHANNEL = "19:kudos@thread.tacv2"
NAMES = Names(
    people={GIVER: "Alice Archer", MARIA: "Maria Lopez", TOM: "Tom Tran"},
    conversations={CHANNEL: "General › kudos"},
)
STORY = "Stayed after close to help a customer find the right gift."
HOSTILE = (
    "**Bold** _italic_ ~~struck~~ `code` [click](https://evil.example/x) <at>Bob</at> "
    "<https://evil.example> www.evil.com bob@evil.org http://evil.example/a_b "
    "![img](https://evil.example/i.png) {{DATE(2017-02-14T06:08:00Z, SHORT)}} a\\*b &amp; |t|\n"
    "# Heading\n- item\n+ item\n* item\n1. one\n2) two\n> quote\n    code\n===\n---"
)
SPECIALS = set("\\`*_~[]<>|")


def make_kudos(story: str = STORY, **changes: Any) -> Kudos:
    fields: dict[str, Any] = {
        "id": 42,
        "team_id": "msteams:28efbb18-2065-5f35-a9f0-6521047a0497",
        "giver_id": GIVER,
        "recipient_ids": (MARIA,),
        "story": story,
        "elements": (Element.VOLUNTARY, Element.DELIGHT),
        "source": Source.MENTION,
        "created_at": datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
    }
    return Kudos(**(fields | changes))


# --- reading a card as a person does ------------------------------------------------------


def shown(markdown: str) -> str:
    """What a reader sees of our markdown: bold and italic marks, escapes and invisible joiners
    gone, indentation as spaces, one line break where the markdown needs two."""
    seen: list[str] = []
    chars = markdown.replace(WORD_JOINER, "")
    i = 0
    while i < len(chars):
        char = chars[i]
        if char == "\\" and i + 1 < len(chars):
            seen.append(chars[i + 1])
            i += 2
            continue
        if chars.startswith("**", i):
            i += 2
            continue
        before = chars[i - 1] if i else " "
        after = chars[i + 1] if i + 1 < len(chars) else " "
        if char == "_" and (not before.isalnum() or not after.isalnum()):
            i += 1  # an italic mark: no unescaped "_" is ever shown as written
            continue
        seen.append(char)
        i += 1
    text = "".join(seen).replace("\n\n", "\n")
    return leading_spaces(text)


def leading_spaces(text: str) -> str:
    return re.sub(r"(?m)^[ \xa0]+", lambda m: " " * len(m.group()), text)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def blocks(card: Card) -> list[str]:
    """The markdown of every TextBlock, in order."""
    return [n["text"] for n in walk(card["body"]) if n.get("type") == "TextBlock"]


def reads(message: CardMessage | Card) -> str:
    """Everything a person reads on a card, as they read it."""
    card = message.card if isinstance(message, CardMessage) else message
    words: list[str] = []
    for node in walk(card):
        for key in ("text", "title", "value", "label", "placeholder"):
            if isinstance(node.get(key), str):
                words.append(node[key])
    return shown("\n".join(words))


def actions(card: Card) -> list[dict[str, Any]]:
    return [n for n in walk(card) if str(n.get("type", "")).startswith("Action.")]


def action(card: Card, title: str) -> dict[str, Any]:
    found = [a for a in actions(card) if a["title"] == title]
    assert len(found) == 1, [a["title"] for a in actions(card)]
    return found[0]


def story_block(card: Card) -> str:
    quotes = [n for n in walk(card["body"]) if n.get("style") == "emphasis"]
    return str(quotes[0]["items"][0]["text"])


def size(message: CardMessage | Card) -> int:
    activity = message.activity() if isinstance(message, CardMessage) else message
    return len(json.dumps(activity, ensure_ascii=False).encode())


def assert_inert(markdown: str) -> None:
    """No markdown, link, mention or template the user did not write as plain text."""
    escaped = False
    for char in markdown:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            assert char not in SPECIALS, markdown
    assert not re.search(r"://|www\.|[^\W_]\.[^\W\d_]{2}|\{\{|(?<!\\)&#?\w+;", markdown), markdown
    for line in markdown.split("\n"):
        assert not re.match(r"[ \t]|[#>+\-=]|\d+[.)]", line.lstrip(NO_BREAK_SPACE)), line


def assert_card(message: CardMessage) -> None:
    card = message.card
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert message.summary.strip()
    assert card["fallbackText"] == message.summary
    assert "\n" not in message.summary or message.summary.count("\n") < 3
    assert size(message) < MESSAGE_LIMIT


# --- inert text ----------------------------------------------------------------------------


def test_inert_text_keeps_every_word_and_makes_markdown_and_links_plain() -> None:
    made = inert(HOSTILE)
    assert_inert(made)
    assert shown(made) == HOSTILE.replace("    code", "    code")
    assert "\\*\\*Bold\\*\\*" in made
    assert "\\<at\\>Bob\\</at\\>" in made
    assert f"https:{WORD_JOINER}//evil" in made


def test_inert_text_stays_readable_where_nothing_needs_escaping() -> None:
    text = "Stayed late, e.g. until 9.30, to help a customer (and her dog) find a gift!"
    assert inert(text) == text


def test_plain_text_is_one_line_without_links_or_tags() -> None:
    said = plain("see <at>Bob</at>\nat www.evil.com or https://evil.example")
    assert "\n" not in said
    assert "<at>" not in said
    assert "www.evil" not in said
    assert "://" not in said
    assert (
        said.replace(WORD_JOINER, "") == "see <at>Bob</at> at www.evil.com or https://evil.example"
    )


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\t")))
@example(HOSTILE)
@example("1) x\n\n\n  - y\\")
@example("\xa0 - a no break space typed before spaces and a list marker")
def test_inert_text_is_always_inert_and_shows_what_was_written(text: str) -> None:
    made = inert(text)
    assert_inert(made)
    assert shown(made) == leading_spaces(text).replace(WORD_JOINER, "")  # invisible either way


# --- the announcement ----------------------------------------------------------------------


def test_the_announcement_says_who_recognised_whom_the_story_and_its_elements() -> None:
    kudos = make_kudos(recipient_ids=(MARIA, TOM))
    message = cards.announcement(kudos, names=NAMES, endorsements=2)
    assert_card(message)
    read = reads(message)
    assert "✨ Alice Archer recognised Maria Lopez and Tom Tran" in read
    assert shown(story_block(message.card)) == STORY
    assert "Voluntary · Delight" in read
    assert "Voluntary: Nobody had to do it: they chose to." in read
    assert "Delight: The extra effort that made it extraordinary." in read
    endorse = action(message.card, "✨ I saw it too · 2")
    assert endorse["type"] == "Action.Execute"
    assert endorse["verb"] == "endorse"
    assert endorse["data"] == {"kudos_id": 42}
    remove = action(message.card, "Remove (admins)")
    assert remove["mode"] == "secondary"
    assert remove["data"] == {
        "msteams": {"type": "task/fetch"},
        "delight": "remove",
        "kudos_id": 42,
    }
    assert message.summary == f"✨ Alice Archer recognised Maria Lopez and Tom Tran: “{STORY}”"


def test_the_announcement_without_endorsements_or_elements() -> None:
    message = cards.announcement(make_kudos(elements=()), names=NAMES)
    assert action(message.card, "✨ I saw it too")["verb"] == "endorse"
    assert "Voluntary" not in reads(message)


def test_a_hostile_story_and_hostile_names_are_shown_as_written_and_inert() -> None:
    story = (HOSTILE + "\n") * 20
    story = story[:4000]
    names = Names(people={GIVER: "**Eve** <at>Admin</at>", MARIA: "[Maria](https://evil.example)"})
    message = cards.announcement(make_kudos(story), names=names)
    assert_card(message)
    assert shown(story_block(message.card)) == story
    assert_inert(story_block(message.card))
    headline = blocks(message.card)[0]
    assert headline.startswith(
        "✨ **\\*\\*Eve\\*\\* \\<at\\>Admin\\</at\\>** recognised **\\[Maria\\]"
    )
    assert "](" not in headline.replace("\\](", "")
    assert "<at>" not in message.summary


def test_a_link_to_the_original_message_is_shown_only_when_it_is_a_plain_https_link() -> None:
    url = "https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1733550000000"
    message = cards.announcement(make_kudos(source_url=url), names=NAMES)
    assert f"About [the original message]({url})" in blocks(message.card)
    for bad in ("javascript:alert(1)", "https://evil.example/a) [x](https://evil.example"):
        message = cards.announcement(make_kudos(source_url=bad), names=NAMES)
        assert "original message" not in reads(message)


@pytest.mark.parametrize("how", list(Retraction))
def test_a_retracted_announcement_and_message_are_a_short_note_without_the_story(
    how: Retraction,
) -> None:
    for message in (cards.retracted_announcement(how), cards.retracted_message(how)):
        assert_card(message)
        assert "no longer here" in reads(message)
        assert "Stayed" not in reads(message)
        assert not actions(message.card)
    assert "giver withdrew" in reads(cards.retracted_announcement(Retraction.WITHDRAWN))
    assert "admin removed" in reads(cards.retracted_message(Retraction.REMOVED))


# --- the recipient's message ---------------------------------------------------------------


def test_the_recipient_hears_who_recognised_them_for_what_and_why_it_matters() -> None:
    message = cards.recipient_message(make_kudos(recipient_ids=(MARIA, TOM)), MARIA, names=NAMES)
    assert_card(message)
    read = reads(message)
    assert "Alice Archer recognised you for something you did, together with Tom Tran:" in read
    assert shown(story_block(message.card)) == STORY
    assert "That is voluntary and delight service: nobody had to, and you chose to. 🙌" in read
    assert "home" in read
    assert message.summary.startswith("Alice Archer recognised you for something you did")


def test_the_recipient_of_a_kudos_without_elements_is_thanked() -> None:
    message = cards.recipient_message(make_kudos(elements=()), MARIA, names=NAMES)
    assert "Thank you for making someone's day a little better." in reads(message)
    assert "together with" not in reads(message)


# --- the giver's confirmation and later news ---------------------------------------------------


def report(**changes: Any) -> DeliveryReport:
    kudos = make_kudos(recipient_ids=(MARIA, TOM))
    fields: dict[str, Any] = {
        "kudos": kudos,
        "announcement": Posted(CHANNEL, "1733550001234"),
        "direct_messages": {uid: Posted(f"a:{uid}", "1") for uid in kudos.recipient_ids},
    }
    return DeliveryReport(**(fields | changes))


def test_the_confirmation_says_what_happened_what_is_left_and_offers_undo() -> None:
    message = cards.confirmation(report(), remaining_today=7, names=NAMES)
    assert_card(message)
    read = reads(message)
    assert (
        "Sent! Maria Lopez and Tom Tran each got a message from me, and it's posted in "
        "General › kudos." in read
    )
    assert "You can recognise 7 more people today." in read
    assert "15 minutes" in read
    undo = action(message.card, "Undo")
    assert (undo["type"], undo["verb"], undo["data"]) == (
        "Action.Execute",
        "undo",
        {"kudos_id": 42},
    )
    assert message.summary.startswith("Sent! Maria Lopez and Tom Tran each got a message")


def test_a_recipient_teams_refused_is_named_with_the_fix() -> None:
    refused = NotPosted(f"a:{TOM}", FailureReason.RECIPIENT_UNAVAILABLE, "Forbidden")
    dms = {MARIA: Posted(f"a:{MARIA}", "1"), TOM: refused}
    read = reads(cards.confirmation(report(direct_messages=dms), remaining_today=1, names=NAMES))
    assert "Sent! Maria Lopez got a message from me, and it's posted in General › kudos." in read
    assert "Teams didn't let me message Tom Tran" in read
    assert "ask an admin to install Delight for everyone" in read
    assert "They'll still see it where it's announced." in read
    assert "You can recognise 1 more person today." in read


def test_what_failed_and_is_retried_is_said_so() -> None:
    later = NotPosted(CHANNEL, FailureReason.SERVICE_UNAVAILABLE)
    dms = {MARIA: NotPosted(f"a:{MARIA}", FailureReason.SERVICE_UNAVAILABLE), TOM: Posted("a", "1")}
    retrying = frozenset({CHANNEL, MARIA})
    read = reads(
        cards.confirmation(
            report(announcement=later, direct_messages=dms, retrying=retrying),
            remaining_today=3,
            names=NAMES,
        )
    )
    assert "Your recognition is saved.\nTom Tran got a message from me." in read
    assert "I'll post it in General › kudos as soon as Teams takes it." in read
    assert "I couldn't send Maria Lopez a message yet: Teams isn't answering." in read


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"announcement": None, "withheld": Withheld.PRIVATE}, "It's private"),
        (
            {"announcement": None, "withheld": Withheld.RECIPIENT_PREFERS_DM, "prefer_dm": (TOM,)},
            "Tom Tran prefers to be recognised privately",
        ),
        ({"announcement": None}, "There's no recognition channel set"),
        (
            {"announcement": NotPosted(CHANNEL, FailureReason.NOT_IN_CHANNEL)},
            "I couldn't post in General › kudos: Delight isn't added to that team.",
        ),
        (
            {"announcement": NotPosted(CHANNEL, FailureReason.OTHER, "BotNotInConversationRoster")},
            "I couldn't announce it (BotNotInConversationRoster)",
        ),
        (
            {"announcement": NotPosted(CHANNEL, FailureReason.OTHER, "boom: <at>x</at>")},
            "I couldn't announce it (an error on my side)",
        ),
        ({"deferred": True, "announcement": None, "direct_messages": {}}, "within a minute"),
    ],
)
def test_the_confirmation_explains_the_announcement(changes: dict[str, Any], said: str) -> None:
    message = cards.confirmation(report(**changes), remaining_today=2, names=NAMES)
    assert_card(message)
    assert said in reads(message)


def test_the_delivery_update_dates_the_kudos_in_the_readers_own_way() -> None:
    lost = NotPosted(f"a:{TOM}", FailureReason.OTHER)
    dms = {MARIA: Posted(f"a:{MARIA}", "1"), TOM: lost}
    message = cards.delivery_update(report(direct_messages=dms), names=NAMES)
    assert_card(message)
    first = blocks(message.card)[0]
    assert "{{DATE(2026-12-07T09:30:00Z, SHORT)}} at {{TIME(2026-12-07T09:30:00Z)}}" in first
    read = reads(message)
    assert "About your recognition of Maria Lopez and Tom Tran" in read
    assert "Maria Lopez got a message from me." in read
    assert "It's posted in General › kudos." in read
    assert "I couldn't send Tom Tran a message." in read
    assert "(earlier)" in message.summary


def test_undo_is_answered_with_what_was_taken_back() -> None:
    done = Retracted(kudos=make_kudos(), how=Retraction.WITHDRAWN)
    message = cards.retraction_notice(done, names=NAMES)
    assert_card(message)
    assert reads(message).startswith("Withdrawn: the recognition of Maria Lopez.")


def test_names_nobody_looked_up_still_read_naturally() -> None:
    message = cards.announcement(make_kudos(), names=Names())
    assert "a colleague recognised a colleague" in message.summary


# --- refusals, help and the welcome --------------------------------------------------------


def test_a_refusal_keeps_what_was_typed_inert_and_bounded() -> None:
    typed = "@Delight " + HOSTILE * 40
    message = cards.refusal("You can't recognise yourself.", typed=typed)
    assert_card(message)
    assert blocks(message.card)[0] == "You can't recognise yourself."
    assert "Your text:" in reads(message)
    kept = story_block(message.card)
    assert_inert(kept)
    assert shown(kept).startswith("@Delight **Bold** _italic_")
    assert len(shown(kept)) <= cards.TYPED_SHOWN
    assert cards.refusal("Nope.", typed=None).summary == "Nope."


def test_help_lists_the_personal_chats_commands_and_the_message_action() -> None:
    message = home_card.help_card()
    assert_card(message)
    read = reads(message)
    for said in (
        "@Delight @Maria",
        "#voluntary",
        "undo",
        "me",
        "top",
        "home",
        "settings",
        "help",
        "Recognise with Delight",
        "--private",
        DEFINITION,
    ):
        assert said in read
    assert "/delight" not in read
    assert "`" not in "".join(blocks(message.card))
    for element in Element:
        assert f"(#{element.value})" in read


def test_the_welcome_explains_delight_the_definition_and_the_seven_elements() -> None:
    message = home_card.welcome_card()
    assert_card(message)
    read = reads(message)
    assert "I'm Delight" in read
    assert DEFINITION in read
    assert "Steve Curtin" in read
    for info in ELEMENT_INFO.values():
        assert f"{info.name} (#{info.element.value}): {info.meaning}" in read
    button = action(message.card, "Recognise someone")
    assert button["type"] == "Action.Submit"
    assert button["data"] == {
        "msteams": {"type": "task/fetch"},
        "delight": "nominate",
        "element": None,
    }


# --- me and top ----------------------------------------------------------------------------


def test_me_shows_what_was_given_received_and_left_with_the_element_bars() -> None:
    stats = PersonStats(
        received=12,
        given=5,
        endorsements_received=3,
        elements=((Element.GENUINE, 4), (Element.ACT, 1)),
    )
    message = home_card.my_stats_card(MyStats(stats=stats, remaining_today=7, daily_limit=10))
    assert_card(message)
    facts = {f["title"]: f["value"] for n in walk(message.card) for f in n.get("facts", [])}
    assert facts["Received"] == "12"
    assert facts["Given"] == "5"
    assert facts["Left to give today"] == "7 of 10"
    assert "▇▇▇▇▇▇▇▇ Genuine 4" in reads(message)
    assert "▇▇ Act 1" in reads(message)
    empty = home_card.my_stats_card(MyStats(stats=PersonStats(), remaining_today=1, daily_limit=1))
    assert "No elements yet" in reads(empty)


def test_top_ranks_people_by_name_and_says_when_nobody_is_ranked() -> None:
    ranked = [Ranked(MARIA, 4), Ranked(TOM, 2)]
    message = home_card.leaderboard_card(ranked, Period.MONTH, names=NAMES)
    assert_card(message)
    read = reads(message)
    assert "Recognition received, the last 30 days" in read
    assert "1. Maria Lopez — 4\n2. Tom Tran — 2" in read
    empty = home_card.leaderboard_card([], Period.WEEK, names=NAMES)
    assert reads(empty) == "No public recognition in the last 7 days yet."
    assert "top month" in reads(home_card.top_usage())


# --- home ------------------------------------------------------------------------------------


def listed(count: int, *, start: int = 100, **changes: Any) -> tuple[Listed, ...]:
    return tuple(
        Listed(make_kudos(f"Story number {start - i} about helping.", id=start - i, **changes), i)
        for i in range(count)
    )


def make_home(**changes: Any) -> Home:
    fields: dict[str, Any] = {
        "user_id": MARIA,
        "cursor": HomeCursor(),
        "received": Page(items=listed(7), older=93),
        "given": Page(items=listed(2, start=50, giver_id=MARIA, recipient_ids=(TOM,))),
        "stats": PersonStats(received=7, given=2, elements=((Element.VOLUNTARY, 7),)),
        "remaining_today": 8,
        "settings": WorkspaceSettings(
            team_id="msteams:t", recognition_channel_id=CHANNEL, daily_limit=10
        ),
        "element_of_week": Element.GENUINE,
        "public_announcements": True,
        "is_admin": False,
    }
    return Home(**(fields | changes))


TIP = Tip(id="ask", element=Element.GENUINE, title="Ask one real question", body="Then listen.")


def test_home_shows_the_definition_the_week_what_is_left_and_five_of_each_list() -> None:
    message = home_card.home_card(make_home(), names=NAMES, tip=TIP)
    assert_card(message)
    read = reads(message)
    assert DEFINITION in read
    assert "This week's element: Genuine — It was sincere, not scripted." in read
    assert "Ask one real question\nThen listen." in read
    week = action(message.card, "Recognise someone who did this")
    assert week["data"]["element"] == "genuine"
    assert "You can recognise 8 more people today." in read
    assert "▇▇▇▇▇▇▇▇ Voluntary 7" in read
    shown_stories = [n for n in range(90, 101) if f"Story number {n} about helping." in read]
    assert shown_stories == [96, 97, 98, 99, 100]
    assert "From Alice Archer" in read
    assert "To Tom Tran" in read
    assert "Story number 50 about helping." in read
    assert "Recognition you received" in read
    assert "Recognition you gave" in read


def test_home_pages_with_buttons_that_carry_where_each_list_starts() -> None:
    first = home_card.home_card(make_home(), names=NAMES)
    older = action(first.card, "Older →")
    assert (older["type"], older["verb"]) == ("Action.Execute", "home")
    assert older["data"] == {"received": 96, "given": None}  # the 5th shown: older than it next
    assert "Newest" not in [a["title"] for a in actions(first.card)]

    later = make_home(
        cursor=HomeCursor(received_before=96, given_before=50),
        received=Page(items=listed(2, start=95), older=None),
    )
    second = home_card.home_card(later, names=NAMES)
    titles = [a["title"] for a in actions(second.card) if a.get("verb") == "home"]
    assert titles == ["Newest", "Newest"]
    newest = [a["data"] for a in actions(second.card) if a.get("verb") == "home"]
    assert newest == [{"received": None, "given": 50}, {"received": 96, "given": None}]


def test_home_says_when_a_list_is_empty_and_has_no_week_without_tips() -> None:
    home = make_home(received=Page(items=()), given=Page(items=()), element_of_week=None)
    read = reads(home_card.home_card(home, names=NAMES))
    assert "Nothing yet. Recognition comes to those who delight customers" in read
    assert "Nothing yet. Seen someone go the extra mile? Recognise them!" in read
    assert "This week's element" not in read


def test_a_private_reflection_tip_has_no_recognise_button() -> None:
    tip = replace(TIP, recognisable=False)
    message = home_card.home_card(make_home(), names=NAMES, tip=tip)
    assert "Recognise someone who did this" not in [a["title"] for a in actions(message.card)]


def test_the_workspace_settings_are_shown_to_admins_only() -> None:
    person = home_card.home_card(make_home(), names=NAMES)
    admin = home_card.home_card(make_home(is_admin=True), names=NAMES)
    assert "Recognition channel" not in reads(person)
    assert "Recognition channel" in reads(admin)
    assert "General › kudos" in reads(admin)


def test_home_offers_to_turn_public_announcements_off_and_on() -> None:
    on = action(home_card.home_card(make_home(), names=NAMES).card, "Turn off public announcements")
    assert (on["verb"], on["data"]) == ("announcements", {"public": False})
    off = home_card.home_card(make_home(public_announcements=False), names=NAMES)
    assert action(off.card, "Turn on public announcements")["data"] == {"public": True}


# --- the nomination dialog -------------------------------------------------------------------


def inputs(card: Card) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in walk(card["body"]) if str(n.get("type", "")).startswith("Input.")}


def test_the_dialog_has_the_people_picker_story_elements_and_private() -> None:
    card = dialog.nomination_dialog()
    found = inputs(card)
    assert list(found) == ["people", "story", "elements", "private"]
    people = found["people"]
    assert people["type"] == "Input.ChoiceSet"
    assert people["isMultiSelect"] is True
    assert people["choices.data"] == {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
    assert found["story"]["type"] == "Input.Text"
    assert found["story"]["isMultiline"] is True
    assert found["story"]["maxLength"] == 1000
    elements = found["elements"]
    assert elements["isMultiSelect"] is True
    assert [c["value"] for c in elements["choices"]] == [e.value for e in Element]
    assert found["private"]["type"] == "Input.Toggle"
    assert found["private"]["value"] == "false"
    assert card["actions"] == [
        {"type": "Action.Submit", "title": "Recognise", "data": {"delight": "nominate"}}
    ]
    assert dialog.dialog_title() == "Recognise someone"


def test_the_dialog_is_prefilled_with_the_messages_author_and_the_message() -> None:
    card = dialog.nomination_dialog(
        people=[Person(id=MARIA, name="Maria Lopez")],
        elements=[Element.GENUINE],
        quoted_message="<p>see [this](https://evil.example)</p>",
    )
    found = inputs(card)
    assert found["people"]["value"] == MARIA
    assert found["people"]["choices"] == [{"title": "Maria Lopez", "value": MARIA}]
    assert found["elements"]["value"] == "genuine"
    assert "About this message:" in reads(card)
    assert_inert(story_block(card))


def test_the_dialogs_errors_are_on_their_fields_with_the_typed_values_kept() -> None:
    typed = "did **great** things " * 10
    card = dialog.nomination_dialog(
        people=[Person(id=MARIA, name="Maria Lopez"), Person(id=TOM, name="Tom Tran")],
        story=typed,
        elements=[Element.DELIGHT, Element.ACT],
        private=True,
        errors={
            "story": "That's 1,200 characters; please keep it to 1,000.",
            "people": "You can't recognise yourself.",
            "form": "You've recognised 10 people today, the daily limit here.",
        },
    )
    found = inputs(card)
    assert found["people"]["value"] == f"{MARIA},{TOM}"
    assert found["story"]["value"] == typed
    assert found["elements"]["value"] == "act,delight"
    assert found["private"]["value"] == "true"
    assert found["story"]["errorMessage"] == "That's 1,200 characters; please keep it to 1,000."
    body = card["body"]
    ids = [part.get("id") for part in body]
    after_story = body[ids.index("story") + 1]
    assert after_story["text"] == "That's 1,200 characters; please keep it to 1,000."
    assert after_story["color"] == "Attention"
    assert body[ids.index("people") + 1]["text"] == "You can't recognise yourself."
    assert body[ids.index("elements") + 1].get("color") != "Attention"
    top = [p for p in body[: ids.index("people")] if p.get("color") == "Attention"]
    assert [p["text"] for p in top] == ["You've recognised 10 people today, the daily limit here."]


# --- size ------------------------------------------------------------------------------------


def test_every_card_fits_a_teams_message_with_ten_recipients_and_the_longest_story() -> None:
    ten = tuple(f"00000000-0000-0000-0000-{n:012d}" for n in range(10))
    long_names = Names(
        people=dict.fromkeys((*ten, GIVER), "Maximiliana Bartholomew-Featherstonehaugh " * 3),
        conversations={CHANNEL: "A team with a long name › a channel with a long name"},
    )
    story = ("*_[<>`|~\\ " * 400)[:4000]
    kudos = make_kudos(story, recipient_ids=ten, elements=tuple(Element))
    failed = {uid: NotPosted(uid, FailureReason.RECIPIENT_UNAVAILABLE) for uid in ten}
    worst = DeliveryReport(
        kudos=kudos,
        announcement=NotPosted(CHANNEL, FailureReason.OTHER, "x" * 64),
        direct_messages=failed,
        prefer_dm=ten,
    )
    many = tuple(Listed(replace(kudos, id=100 - i), 999) for i in range(10))
    home = make_home(
        received=Page(items=many, older=1), given=Page(items=many, older=1), is_admin=True
    )
    messages = [
        cards.announcement(kudos, names=long_names, endorsements=99999),
        cards.recipient_message(kudos, ten[0], names=long_names),
        cards.confirmation(worst, remaining_today=0, names=long_names),
        cards.delivery_update(worst, names=long_names),
        cards.refusal("No.", typed=story * 3),
        home_card.home_card(home, names=long_names, tip=TIP),
        home_card.leaderboard_card([Ranked(uid, 9) for uid in ten], Period.ALL, names=long_names),
    ]
    for message in messages:
        assert_card(message)
    people = [Person(id=uid, name=long_names.person(uid)) for uid in ten]
    card = dialog.nomination_dialog(
        people=people,
        story=story,
        quoted_message=story,
        errors=dict.fromkeys(dialog.FIELDS, "x" * 500),
    )
    assert size(card) < MESSAGE_LIMIT


# --- languages -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_cards_speak_the_readers_language_where_the_catalogs_have_the_words(language: str) -> None:
    catalog = translations(language)

    def translated(msgid: str) -> str:
        said = catalog.gettext(msgid)
        assert said != msgid, msgid  # the catalog has it
        return said

    with speaking(language):
        announcement = reads(cards.announcement(make_kudos(), names=NAMES))
        confirmation = reads(cards.confirmation(report(), remaining_today=1, names=NAMES))
        welcome = reads(home_card.welcome_card())
        dialog_card = reads(dialog.nomination_dialog())
        retracted = reads(cards.retracted_message(Retraction.REMOVED))
        home = home_card.home_card(make_home(), names=NAMES)
    assert blocks(home.card)[0] == "Delight"  # the product's name, not the element's
    voluntary = ELEMENT_INFO[Element.VOLUNTARY]
    assert translated(voluntary.name) in announcement
    assert translated(voluntary.meaning) in announcement
    assert (
        translated("✨ {giver} recognised {recipients}").format(
            giver="Alice Archer", recipients="Maria Lopez"
        )
        in announcement
    )
    assert translated("Undo") in confirmation
    remaining = catalog.ngettext(
        "You can recognise {count} more person today.",
        "You can recognise {count} more people today.",
        1,
    )
    assert remaining.format(count=1) in confirmation
    assert translated(DEFINITION) in welcome
    assert translated("Who do you want to recognise?") in dialog_card
    assert translated("What did they do?") in dialog_card
    assert (
        shown(
            translated(
                "_A recognition you received is no longer here: a Delight admin removed it._"
            )
        )
        in retracted
    )


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_every_card_in_every_language_passes_microsofts_parser_and_fits(language: str) -> None:
    """The worst cases (ten long names, the longest story, every failure) in each language:
    the Adaptive Cards library parses each without a complaint, and each fits a message."""
    ten = tuple(f"00000000-0000-0000-0000-{n:012d}" for n in range(10))
    names = Names(people=dict.fromkeys((*ten, GIVER), "Maximiliana Featherstonehaugh"))
    kudos = make_kudos("Stayed late. " * 300, recipient_ids=ten, elements=tuple(Element))
    failed = {uid: NotPosted(uid, FailureReason.RECIPIENT_UNAVAILABLE) for uid in ten}
    worst = DeliveryReport(
        kudos=kudos,
        announcement=NotPosted(CHANNEL, FailureReason.SERVICE_UNAVAILABLE),
        direct_messages=failed,
        retrying=frozenset({CHANNEL}),
    )
    with speaking(language):
        messages = [
            cards.announcement(kudos, names=names, endorsements=3),
            cards.recipient_message(kudos, ten[0], names=names),
            cards.confirmation(worst, remaining_today=1, names=names),
            cards.confirmation(report(), remaining_today=0, names=names),
            cards.delivery_update(worst, names=names),
            cards.retraction_notice(Retracted(kudos, Retraction.REMOVED), names=names),
            cards.refusal("No.", typed="typed"),
            home_card.home_card(make_home(is_admin=True), names=names, tip=TIP),
            home_card.help_card(),
            home_card.welcome_card(),
            home_card.top_usage(),
            home_card.leaderboard_card([Ranked(uid, 9) for uid in ten], Period.ALL, names=names),
            *(cards.retracted_announcement(how) for how in Retraction),
            *(cards.retracted_message(how) for how in Retraction),
        ]
        dialogs = [
            dialog.nomination_dialog(errors=dict.fromkeys(dialog.FIELDS, "Fix this.")),
            removal_dialog(42, reason="x", error="Say why."),
        ]
    every = [m.card for m in messages] + dialogs
    assert [found for found in check_cards(every) if found] == []
    assert all(size(card) < MESSAGE_LIMIT for card in every)


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (42, 42),
        ("42", 42),
        (True, None),  # JSON's true is no id, though Python's bool is an int
        (0, None),
        (-3, None),
        ("-3", None),
        ("4.2", None),
        ("", None),
        ("9" * 19, None),  # past any row id: never handed to the database
        (2**62, None),
        (None, None),
        ([1], None),
    ],
)
def test_an_id_in_a_cards_data_is_read_only_when_it_is_one(value: object, read: int | None) -> None:
    assert adaptive.data_id(value) == read
