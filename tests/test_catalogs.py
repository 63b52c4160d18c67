"""The catalogs: every message Delight marks is translated into Dutch and French, keeps its
placeholders and Slack markup, has the right plural forms, and still fits Slack; a Dutch- or
French-speaking giver is answered in their own language, end to end."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.core import errors
from bot.core.elements import ELEMENT_INFO, Element
from bot.core.model import DeliveryReport, FailureReason, Kudos, NotPosted, Posted, Retraction
from bot.core.model import Source as KudosSource
from bot.i18n import LOCALES, speaking, translations
from handlers.slack import blocks
from handlers.slack.language import acting_user
from handlers.slack.nominate import SLACK_TROUBLE, SOMETHING_BROKE
from handlers.slack.parsing import GroupMention, UnknownTag
from handlers.slack.refusals import explain
from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import all_block_text, posts, query, reply_text

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = LOCALES / "delight.pot"
LANGUAGES = ("nl", "fr")
# The gettext plural rule of each language: the form for 0, 1, 2 and 5.
PLURAL_FORMS = {"nl": (2, [1, 0, 1, 1]), "fr": (2, [0, 0, 1, 1])}

_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)[^{}]*\}(?!\})")
_SLACK_MARKUP = re.compile(r"<[@#!]|`|:\{emoji\}:")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def catalog(language: str) -> Catalog:
    return read(LOCALES / language / "LC_MESSAGES" / "delight.po", language)


def template_ids() -> list[Any]:
    return [m.id for m in read(TEMPLATE) if m.id]


def forms(value: str | tuple[str, ...] | Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def markup(text: str) -> Counter[str]:
    """Mentions, code spans and the emoji placeholder; bold, italics as whole-message frames."""
    found = Counter(_SLACK_MARKUP.findall(text))
    found["*"] = text.count("*")
    found["_frame"] = int(text.startswith("_") and text.endswith("_"))
    return found


def test_the_template_holds_every_message_the_code_marks(tmp_path: Path) -> None:
    """Someone who marks a message and forgets `pybabel extract` finds out here."""
    fresh = tmp_path / "delight.pot"
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    keywords = ["-k", "_", "-k", "N_", "-k", "ngettext:1,2"]
    subprocess.run(
        [*pybabel, "extract", "-F", "babel.cfg", *keywords, "-o", str(fresh), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert sorted(map(str, template_ids())) == sorted(map(str, [m.id for m in read(fresh) if m.id]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    translated = {m.id: m for m in catalog(language) if m.id}
    for msgid in template_ids():
        message = translated.get(msgid)
        assert message is not None, f"{language}: missing {msgid!r}"
        assert not message.fuzzy, f"{language}: fuzzy {msgid!r}"
        assert all(forms(message.string)), f"{language}: untranslated {msgid!r}"


def _pairs(language: str) -> Iterator[tuple[str, str, Message]]:
    """(source, translation) for each form: a plural's singular against its first form, its
    plural against every other."""
    for message in catalog(language):
        if not message.id:
            continue
        sources = forms(message.id)
        for index, translation in enumerate(forms(message.string)):
            yield sources[min(index, len(sources) - 1)], translation, message


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder_and_slack_markup(language: str) -> None:
    for source, translation, _message in _pairs(language):
        assert placeholders(translation) == placeholders(source), (language, source)
        assert markup(translation) == markup(source), (language, source, translation)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_follow_the_language(language: str) -> None:
    count, expected = PLURAL_FORMS[language]
    found = catalog(language)
    assert found.num_plurals == count
    rule = translations(language).plural  # type: ignore[attr-defined]
    assert [rule(n) for n in (0, 1, 2, 5)] == expected
    plurals = [m for m in found if m.pluralizable]
    assert plurals
    for message in plurals:
        assert len(forms(message.string)) == count, message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_element_meaning_still_fits_a_menu_option(language: str) -> None:
    with speaking(language):
        for info in ELEMENT_INFO.values():
            assert len(translations(language).gettext(info.meaning)) <= 75, info.meaning


# --- every message kind of the giver's path, in every language, still fits Slack -----------

SECTION_LIMIT = 3000
ALL_LANGUAGES = ("en", *LANGUAGES)


def kudos(**changes: Any) -> Kudos:
    fields: dict[str, Any] = {
        "id": 7,
        "team_id": "T1",
        "giver_id": "UGIVER",
        "recipient_ids": ("U1", "U2"),
        "story": "Stayed after close to help a customer find the right gift. " * 16,
        "elements": tuple(Element),
        "source": KudosSource.COMMAND,
        "created_at": datetime(2025, 3, 4, 12, 0, tzinfo=UTC),
        "origin_channel_id": "C1",
        "source_url": "https://acme.slack.com/archives/C1/p1",
    }
    return Kudos(**(fields | changes))


def texts(node: Any) -> Iterator[tuple[str, str]]:
    """(kind, text) of every text object under `node`."""
    if isinstance(node, dict):
        if isinstance(node.get("text"), str) and node.get("type") in ("mrkdwn", "plain_text"):
            yield node["type"], node["text"]
        for value in node.values():
            yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def assert_fits_slack(message: blocks.Message) -> None:
    assert message.text.strip()
    assert len(message.blocks) <= 50
    for _kind, text in texts(message.blocks):
        assert 0 < len(text) <= SECTION_LIMIT
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                if confirm := element.get("confirm"):
                    assert len(confirm["title"]["text"]) <= 100
                    assert len(confirm["text"]["text"]) <= 300
                    assert len(confirm["confirm"]["text"]) <= 30
                    assert len(confirm["deny"]["text"]) <= 30


def reports() -> Iterator[DeliveryReport]:
    given = kudos()
    dms = {uid: Posted(f"D{uid}", "1.0") for uid in given.recipient_ids}
    yield DeliveryReport(kudos=given, announcement=Posted("C9", "1.0"), direct_messages=dms)
    failed = {uid: NotPosted(uid, FailureReason.RECIPIENT_UNAVAILABLE) for uid in dms}
    for reason in FailureReason:
        yield DeliveryReport(
            kudos=given, announcement=NotPosted("C9", reason, "oops"), direct_messages=failed
        )
    yield DeliveryReport(kudos=given, announcement=None, direct_messages=dms, deferred=True)


def refusals() -> Iterator[Exception]:
    yield from (
        errors.SelfRecognition(),
        errors.NoRecipients(),
        errors.TooManyRecipients(count=12, limit=10),
        errors.RecipientIsBot(user_ids=("UBOT", "UBOT2")),
        errors.RecipientDeactivated(user_ids=("UGONE",)),
        errors.RecipientUnknown(names=("@nobody", "UX1")),
        errors.NameLookupUnavailable(name="maria"),
        errors.RecipientAmbiguous(name="sam", candidates=("U1", "U2")),
        errors.StoryTooLong(length=1200, limit=1000),
        errors.DailyLimitReached(limit=10, remaining=0, requested=1),
        errors.DailyLimitReached(limit=10, remaining=1, requested=2),
        errors.ElementRequired(),
        errors.UndoWindowPassed(window_minutes=15),
        UnknownTag(tag="genuin", suggestion=Element.GENUINE),
        GroupMention(label="@here"),
    )


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_every_message_of_the_givers_path_fits_slack_in_each_language(language: str) -> None:
    with speaking(language):
        given = kudos()
        assert_fits_slack(blocks.announcement(given))
        assert_fits_slack(blocks.announcement(given, endorsements=3))
        assert_fits_slack(blocks.recipient_dm(given, "U1"))
        assert_fits_slack(blocks.recipient_dm(kudos(elements=(), recipient_ids=("U1",)), "U1"))
        for how in Retraction:
            assert_fits_slack(blocks.retracted_announcement(how))
            assert_fits_slack(blocks.retracted_dm(how))
        for report in reports():
            assert_fits_slack(blocks.confirmation(report, remaining_today=1))
            assert_fits_slack(blocks.delivery_update(report))
        typed = "/delight " + "x" * 3000
        for refused in refusals():
            assert_fits_slack(blocks.refusal(explain(refused), typed=typed))  # type: ignore[arg-type]
        for trouble in (SLACK_TROUBLE, SOMETHING_BROKE):
            assert_fits_slack(blocks.refusal(translations(language).gettext(trouble), typed=None))
        assert_fits_slack(blocks.help_message())


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_the_nomination_modal_fits_slack_in_each_language(language: str) -> None:
    with speaking(language):
        view = blocks.nomination_modal(
            context=blocks.ModalContext(channel_id="C1"), quoted_message="x" * 600
        )
    assert len(view["title"]["text"]) <= 24
    assert len(view["submit"]["text"]) <= 24
    assert len(view["close"]["text"]) <= 24
    for block in view["blocks"]:
        if block["type"] == "input":
            assert len(block["label"]["text"]) <= 2000
            element = block["element"]
            if placeholder := element.get("placeholder"):
                assert len(placeholder["text"]) <= 150
            for option in element.get("options", []):
                assert len(option["text"]["text"]) <= 75
                assert len(option["description"]["text"]) <= 75


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ("Vrijwillig", "Blij verrassen", "zet je in het zonnetje")),
        ("fr", ("Volontaire", "Enchantement", "vous met à l'honneur")),
    ],
)
def test_the_recipients_dm_names_the_elements_in_their_language(
    language: str, words: tuple[str, ...]
) -> None:
    given = kudos(elements=(Element.VOLUNTARY, Element.DELIGHT), recipient_ids=("U1",))
    with speaking(language):
        message = blocks.recipient_dm(given, "U1")
    shown = message.text + " ".join(text for _kind, text in texts(message.blocks))
    for word in words:
        assert word in shown


# --- end to end: the giver's Slack locale decides ----------------------------------------------


def speaks(fake: FakeSlack, user_id: str, locale: str) -> None:
    fake.state.users[user_id] = {**fake.state.users[user_id], "locale": locale}


def answer(slack: SlackDriver, fake: FakeSlack, text: str) -> str:
    before = len(fake.calls("response_url"))
    reply = slack.command(text)
    assert reply.status == 200
    if reply.body:
        return str(reply.json()["text"])
    return reply_text(fake.wait_for_calls("response_url", before + 1)[-1])


@pytest.mark.parametrize(
    ("locale", "sent", "remaining", "yourself"),
    [
        ("nl-NL", "Verstuurd! <@U0004> krijgt een DM", "nog 9 mensen", "Jezelf in het zonnetje"),
        ("nl-BE", "Verstuurd! <@U0004> krijgt een DM", "nog 9 mensen", "Jezelf in het zonnetje"),
        (
            "fr-FR",
            "Envoyé\u00a0! <@U0004> recevra un message direct",
            "encore mettre à l'honneur 9 personnes",
            "vous mettre vous-même à l'honneur",
        ),
    ],
)
def test_a_giver_is_answered_in_the_language_of_their_slack_locale(
    slack: SlackDriver,
    fake_slack: FakeSlack,
    database_url: str,
    locale: str,
    sent: str,
    remaining: str,
    yourself: str,
) -> None:
    speaks(fake_slack, "U0001", locale)

    confirmation = answer(slack, fake_slack, "<@U0004|maria> stayed to help a customer #voluntary")
    refusal = answer(slack, fake_slack, "<@U0001|alice> I was great today, honestly")

    assert confirmation.startswith(sent)
    assert remaining in confirmation
    assert yourself in refusal
    assert "Your text" not in refusal
    # What others read is not in the giver's language: the channel's is English for now,
    # Maria's DM is in hers (en-US).
    [announcement] = posts(fake_slack, "C0001")
    assert "<@U0001> recognised <@U0004>" in reply_text(announcement)
    [dm] = posts(fake_slack, "U0004")
    assert "recognised you for something you did" in reply_text(dm)
    assert "*voluntary* service" in all_block_text(dm)


def test_a_recipient_reads_their_dm_in_their_own_language(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    speaks(fake_slack, "U0004", "fr-CA")

    confirmation = answer(slack, fake_slack, "<@U0004|maria> stayed to help a customer #genuine")

    assert confirmation.startswith("Sent!")
    [dm] = posts(fake_slack, "U0004")
    assert "vous met à l'honneur" in reply_text(dm)
    assert "*Sincère*" in all_block_text(dm)


def test_a_help_request_and_a_parse_refusal_in_the_ack_speak_the_givers_language(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    speaks(fake_slack, "U0001", "nl-NL")

    assert "De zeven elementen" in answer(slack, fake_slack, "help")
    assert "Bedoelde je `#genuine`?" in answer(slack, fake_slack, "<@U0002|bob> helped #genuin")


@pytest.mark.parametrize(
    ("body", "user"),
    [
        ({"command": "/delight", "user_id": "U1"}, "U1"),
        ({"type": "block_actions", "user": {"id": "U2"}}, "U2"),
        ({"type": "view_submission", "user": {"id": "U3"}}, "U3"),
        ({"type": "event_callback", "event": {"type": "app_mention", "user": "U4"}}, "U4"),
        ({"type": "event_callback", "event": {"type": "app_home_opened", "user": "U5"}}, "U5"),
        # Nobody to answer: no lookup (a reaction is everyday traffic).
        ({"type": "event_callback", "event": {"type": "reaction_added", "user": "U6"}}, None),
        ({"type": "event_callback", "event": {"type": "app_mention", "bot_id": "B1"}}, None),
    ],
)
def test_the_language_is_looked_up_only_for_someone_talking_to_delight(
    body: dict[str, Any], user: str | None
) -> None:
    assert acting_user(body) == user


def test_a_dutch_workspace_speaks_dutch_in_its_channel_and_to_its_english_locale_people(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    """Slack has no Dutch interface: a workspace's language setting brings Dutch to people
    whose Slack is in English, and to its channels; a French locale keeps French."""
    slack.command("admin", user="UADMIN")
    fake_slack.wait_for_calls("views.open")
    values = {
        "daily_limit": {"daily_limit": {"value": "10"}},
        "emoji": {"emoji": {"value": "sparkles"}},
        "language": {"language": {"selected_option": {"value": "nl"}}},
    }
    assert slack.submit_view("delight_settings", values, user="UADMIN").status == 200

    confirmation = answer(slack, fake_slack, "<@U0004|maria> stayed to help a customer #oprecht")

    assert confirmation.startswith("Verstuurd! <@U0004> krijgt een DM")
    [announcement] = posts(fake_slack, "C0001")
    assert "<@U0001> zet <@U0004> in het zonnetje" in reply_text(announcement)
    [dm] = posts(fake_slack, "U0004")
    assert "zet je in het zonnetje" in reply_text(dm)
    assert query(database_url, "SELECT language FROM workspace_settings")[0]["language"] == "nl"
    speaks(fake_slack, "U0005", "fr-FR")  # a French Slack keeps its French
    assert slack.command("<@U0005|tom> I was great today, honestly", user="U0005").status == 200
    refusal = reply_text(fake_slack.wait_for_calls("response_url", 2)[-1])
    assert "vous mettre vous-même à l'honneur" in refusal


def test_a_language_delight_does_not_speak_is_refused_in_the_settings_form(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    values = {
        "daily_limit": {"daily_limit": {"value": "10"}},
        "emoji": {"emoji": {"value": "sparkles"}},
        "language": {"language": {"selected_option": {"value": "de"}}},
    }

    reply = slack.submit_view("delight_settings", values, user="UADMIN")

    assert reply.json()["errors"] == {"language": "Pick a language from the list."}
