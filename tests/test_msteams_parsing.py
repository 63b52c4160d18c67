"""Reading a Teams message: mentions, typed names, tags, --private, the personal chat's words."""

from __future__ import annotations

import pytest

from bot.core.elements import Element
from bot.nomination import UserRef
from bot.typed_text import UnknownTag
from handlers.msteams.parsing import (
    Command,
    GroupMentioned,
    Help,
    Mention,
    OpenDialog,
    TypedNomination,
    parse_message,
)

BOT = "28:bot"
DELIGHT = Mention("<at>Delight</at>", BOT, "Delight")
BOB = Mention("<at>Bob</at>", "29:bob", "Bob Baker")
MARIA = Mention("<at>Maria</at>", "29:maria", "Maria Lopez")


def parse(text: str, *mentions: Mention) -> object:
    return parse_message(text, mentions, bot_id=BOT)


def test_a_channel_mention_names_the_recipient_and_keeps_the_story() -> None:
    parsed = parse(
        "<at>Delight</at> <at>Bob</at> stayed after close to help a customer #voluntary",
        DELIGHT,
        BOB,
    )
    assert parsed == TypedNomination(
        recipients=(UserRef(user_id="29:bob"),),
        story="stayed after close to help a customer",
        elements=(Element.VOLUNTARY,),
    )


def test_several_recipients_joined_by_and_commas_or_ampersands() -> None:
    parsed = parse("<at>Bob</at>, <at>Maria</at> &amp; @carol fixed it #act", BOB, MARIA)
    assert isinstance(parsed, TypedNomination)
    assert parsed.recipients == (
        UserRef(user_id="29:bob"),
        UserRef(user_id="29:maria"),
        UserRef(name="carol"),
    )
    assert parsed.story == "fixed it"


def test_a_mention_later_in_the_story_is_plain_text_and_notifies_nobody() -> None:
    parsed = parse("<at>Bob</at> covered for <at>Maria</at> all week", BOB, MARIA)
    assert isinstance(parsed, TypedNomination)
    assert parsed.recipients == (UserRef(user_id="29:bob"),)
    assert parsed.story == "covered for @Maria all week"


def test_private_and_html_entities() -> None:
    parsed = parse("--private <at>Bob</at> said &quot;no problem&quot; &lt;3", BOB)
    assert parsed == TypedNomination(
        recipients=(UserRef(user_id="29:bob"),),
        story='said "no problem" <3',
        elements=(),
        private=True,
    )


def test_people_without_a_story_open_the_dialog() -> None:
    assert parse("<at>Delight</at> <at>Bob</at> and", DELIGHT, BOB) == OpenDialog(
        recipients=(UserRef(user_id="29:bob"),)
    )


@pytest.mark.parametrize("text", ["help", "?", "", "<at>Delight</at>"])
def test_help(text: str) -> None:
    assert parse(text, DELIGHT) == Help()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me", Command("me")),
        ("TOP  Week", Command("top", "week")),
        ("undo", Command("undo")),
        ("<at>Delight</at> home", Command("home")),
        ("settings", Command("settings")),
    ],
)
def test_the_personal_chats_words(text: str, expected: Command) -> None:
    assert parse(text, DELIGHT) == expected


def test_a_channel_or_team_mentioned_as_recipient_is_refused() -> None:
    general = Mention("<at>General</at>", "19:general@thread.tacv2", "General")
    with pytest.raises(GroupMentioned) as refused:
        parse("<at>General</at> was great", general)
    assert refused.value.label == "General"


def test_an_unknown_tag_suggests_the_element() -> None:
    with pytest.raises(UnknownTag) as refused:
        parse("<at>Bob</at> listened well #genuin", BOB)
    assert refused.value.suggestion is Element.GENUINE


def test_a_mention_without_an_entity_reads_as_its_words() -> None:
    parsed = parse("<at>Bob</at> helped <at>Ghost</at> today", BOB)
    assert isinstance(parsed, TypedNomination)
    assert parsed.story == "helped Ghost today"


def test_control_characters_cannot_forge_a_mention() -> None:
    parsed = parse("<at>Bob</at> typed \x010\x01 here", BOB)
    assert isinstance(parsed, TypedNomination)
    assert parsed.story == "typed 0 here"
