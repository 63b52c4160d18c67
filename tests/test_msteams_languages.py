"""A Dutch- and a French-speaking person go through Delight in Teams in their own language:
nominating, a refusal, the recipient's message and home (their Teams client's locale says)."""

from __future__ import annotations

import pytest

from bot.i18n import ngettext as plural
from bot.i18n import speaking, translations
from tests.fakemsteams import ALICE, BOB, BOT_ID, mention
from tests.teams_driver import TeamsDriver, texts

LOCALES = {"nl": "nl-NL", "fr": "fr-FR"}


def said(language: str, message: str) -> str:
    translated = translations(language).gettext(message)
    assert translated != message, f"not translated: {message}"
    return translated


def in_locale(locale: str) -> dict[str, object]:
    return {"locale": locale, "entities": [{"type": "clientInfo", "locale": locale}]}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_person_goes_through_delight_in_their_language(teams: TeamsDriver, language: str) -> None:
    locale = LOCALES[language]
    # Bob has talked to Delight from a client in that language, so his messages are in it.
    teams.act(
        "personal_message",
        text="me",
        from_=BOB.sender(),
        conversation={"id": BOB.personal_id},
        **in_locale(locale),
    )
    teams.wait_for_cards(BOB.personal_id)

    recognise = teams.fake.activity(
        "channel_mention_message",
        text="<at>Delight</at> <at>Bob</at> bleef na sluitingstijd om te helpen #voluntary",
        locale=locale,
    )
    recognise["entities"] = [
        mention(BOT_ID, "Delight"),
        mention(BOB.member_id, BOB.name, "Bob"),
        {"type": "clientInfo", "locale": locale},
    ]
    assert teams.send(recognise).status == 200
    confirmation = texts(teams.wait_for_cards(ALICE.personal_id)[0])
    with speaking(language):
        undo = plural(
            "You can undo it for {minutes} minute.", "You can undo it for {minutes} minutes.", 15
        ).format(minutes=15)
    assert undo in confirmation
    assert said(language, "Undo") in confirmation
    to_bob = texts(teams.wait_for_cards(BOB.personal_id, 2)[1])
    assert said(language, "Type **home** to see all the recognition you received.") in to_bob

    teams.act("personal_message", text="@Bob deed het #genuin", **in_locale(locale))
    refusal = texts(teams.wait_for_cards(ALICE.personal_id, 2)[1])
    assert (
        said(language, "I don't know the tag #{tag}. Did you mean #{suggestion}? Tags: {tags}")[:12]
        in refusal
    )

    teams.act("personal_message", text="home", **in_locale(locale))
    home = texts(teams.wait_for_cards(ALICE.personal_id, 3)[2])
    assert "Bob Baker" in home
    assert said(language, "Recognise someone") in home
