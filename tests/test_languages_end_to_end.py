"""Dutch and French end to end, beyond the giver's path (tests/test_catalogs.py): App Home, a
scheduled tip (in a channel: the workspace's language; by DM: each person's) and a manager's
digest, each in its reader's language, with the locale set in the fake Slack's `users.info`."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from matplotlib.axes import Axes

from bot.core.elements import Element
from bot.core.schedule import DeliveryMode
from bot.core.tip_catalogue import CustomTip, WorkspaceTips
from bot.core.tips import load_tip_libraries
from tests.conftest import FakeClock
from tests.digest_helpers import LAST_WEDNESDAY, MONDAY_NINE_AMSTERDAM, add_team
from tests.digest_helpers import give as give_at
from tests.digest_helpers import run_due as run_due_digests
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import (
    all_block_text,
    blocks_text,
    execute,
    give,
    posts,
    query,
    reply_text,
)
from tests.tip_helpers import ADMIN, add_schedule

NBSP = "\u00a0"
NNBSP = "\u202f"  # French groups digits with a narrow one: 1 000
LIBRARIES = load_tip_libraries()
FIRST = {
    language: library.for_element(Element.VOLUNTARY)[0] for language, library in LIBRARIES.items()
}


def speaks(fake: FakeSlack, user_id: str, locale: str) -> None:
    fake.state.users[user_id] = {**fake.state.users[user_id], "locale": locale}


def choose_workspace_language(slack: SlackDriver, fake: FakeSlack, language: str) -> None:
    """As an admin does it: `/delight admin`, then the settings form."""
    slack.command("admin", user=ADMIN)
    fake.wait_for_calls("views.open")
    values = {
        "daily_limit": {"daily_limit": {"value": "10"}},
        "emoji": {"emoji": {"value": "sparkles"}},
        "language": {"language": {"selected_option": {"value": language}}},
    }
    assert slack.submit_view("delight_settings", values, user=ADMIN).status == 200


# --- App Home ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "nl-NL",
            [
                "Klantenservice is een vrijwillige daad",
                "Je kunt vandaag nog *10* mensen in het zonnetje zetten.",
                "*Wat collega's in je zien* — 1 gekregen, 0 gegeven, 0 keer onderschreven",
                "Waardering die je kreeg",
                "Van <@U0001>",
                "*Oprecht*",
                "*Aankondigingen over jou*: aan",
                "Waardering die je gaf",
                "Nog niets. Zag je iemand een stapje extra zetten?",
            ],
        ),
        (
            "fr-FR",
            [
                "Le service client est un acte volontaire",
                "Vous pouvez encore mettre à l'honneur *10* personnes aujourd'hui.",
                f"*Ce que vos collègues voient en vous* — reçues{NBSP}: 1, données{NBSP}: 0",
                "Reconnaissances reçues",
                "De <@U0001>",
                "*Sincère*",
                f"*Annonces vous concernant*{NBSP}: activées",
                "Reconnaissances données",
                f"Vous avez vu quelqu'un se surpasser{NBSP}?",
            ],
        ),
    ],
)
def test_app_home_speaks_the_language_of_the_person_who_opens_it(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str, locale: str, words: list[str]
) -> None:
    speaks(fake_slack, "U0004", locale)
    give(slack, fake_slack, database_url)  # from U0001, in English

    slack.home_opened(user="U0004")

    view = fake_slack.wait_for_calls("views.publish")[-1].args["view"]
    text = blocks_text(view["blocks"])
    for word in words:
        assert word in text
    for english in ("Recognition you received", "From <@U0001>", "Turn off public", "more people"):
        assert english not in text
    buttons = [
        element["text"]["text"]
        for block in view["blocks"]
        for element in block.get("elements", [])
        if element.get("type") == "button"
    ]
    expected = (
        "✨ Iemand in het zonnetje zetten"
        if locale == "nl-NL"
        else "✨ Mettre quelqu'un à l'honneur"
    )
    assert expected in buttons


def test_an_admins_app_home_and_settings_form_are_in_their_language(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    speaks(fake_slack, ADMIN, "fr-CA")

    slack.home_opened(user=ADMIN)
    home = blocks_text(fake_slack.wait_for_calls("views.publish")[-1].args["view"]["blocks"])
    slack.command("admin", user=ADMIN)
    form = fake_slack.wait_for_calls("views.open")[-1].args["view"]
    refused = slack.submit_view(
        "delight_settings",
        {"daily_limit": {"daily_limit": {"value": "0"}}, "emoji": {"emoji": {"value": "?!"}}},
        user=ADMIN,
    ).json()["errors"]

    assert "Réglages de l'espace de travail" in home
    assert "limite quotidienne 10" in home
    assert form["title"]["text"] == "Réglages de Delight"
    assert json.dumps(form, ensure_ascii=False).count("Canal de reconnaissance") == 1
    assert refused["daily_limit"] == "Indiquez un nombre entier de 1 à 1\u202f000."
    assert refused["emoji"].startswith("Indiquez le nom d'un emoji")


# --- a tip --------------------------------------------------------------------------------------


def run_due_tips(app: RunningApp) -> list[Any]:
    assert app.runtime is not None
    return app.call(app.runtime.tips.run_due())


def test_a_tip_posted_in_a_channel_is_in_the_workspaces_language(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock
) -> None:
    choose_workspace_language(slack, fake_slack, "nl")
    add_schedule(app)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=30)

    assert [d.status for d in run_due_tips(app)] == ["sent"]

    [tip] = posts(fake_slack, "C0TIPS")
    text = all_block_text(tip)
    assert reply_text(tip).startswith("💡 Element van de week: Vrijwillig")
    assert "Klantenservice is een *vrijwillige* daad" in text
    assert FIRST["nl"].title in text
    assert FIRST["nl"].body in text
    assert FIRST["en"].title not in text
    button = tip.args["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "Zet iemand in het zonnetje die dit deed"
    assert button["value"] == "voluntary"


def test_tips_by_dm_are_each_in_the_language_of_the_person_who_reads_them(
    fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    fake_slack.state.channel_members["CTEAM"] = ["U0001", "U0002", "U0003"]
    speaks(fake_slack, "U0001", "nl-BE")
    speaks(fake_slack, "U0002", "fr-FR")  # U0003 keeps English
    add_schedule(app, channel_id="CTEAM", owner_id=ADMIN, mode=DeliveryMode.MEMBERS)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=30)

    [delivered] = run_due_tips(app)

    assert delivered.status == "sent"
    texts = {call.args["channel"]: all_block_text(call) for call in posts(fake_slack)}
    assert FIRST["nl"].title in texts["U0001"]
    assert "Element van de week" in texts["U0001"]
    assert FIRST["fr"].title in texts["U0002"]
    assert f"Élément de la semaine{NBSP}: Volontaire" in texts["U0002"]
    assert "un acte *volontaire*" in texts["U0002"]
    assert FIRST["en"].title in texts["U0003"]
    assert "Element of the week: Voluntary" in texts["U0003"]
    # The rotation is one, whatever the languages: the same tip, once, for everyone.
    [row] = query(database_url, "SELECT tip_id FROM tip_delivery")
    assert row["tip_id"] == FIRST["en"].id


def tips_status(slack: SlackDriver, fake: FakeSlack) -> str:
    """What `/delight tips status` answers the admin."""
    before = len(fake.calls("response_url"))
    slack.command("tips status", user=ADMIN)
    return blocks_text(fake.wait_for_calls("response_url", before + 1)[-1].args["blocks"])


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "nl-NL",
            [
                "DM gestuurd aan 3 van de 3 leden",
                "⏸️ *Gepauzeerd* omdat too_many_members: meer dan 1.000 leden.",
                "mislukt · too_many_members: meer dan 1.000 leden",
            ],
        ),
        (
            "fr-FR",
            [
                "envoyé en message direct à 3 membres sur 3",
                f"⏸️ *En pause*{NBSP}: too_many_members{NBSP}: plus de 1{NNBSP}000 membres.",
                f"échec · too_many_members{NBSP}: plus de 1{NNBSP}000 membres",
            ],
        ),
    ],
)
def test_a_stored_reason_with_numbers_reads_in_the_admins_language_in_tips_status(
    slack: SlackDriver,
    fake_slack: FakeSlack,
    app: RunningApp,
    clock: FakeClock,
    database_url: str,
    locale: str,
    words: list[str],
) -> None:
    speaks(fake_slack, ADMIN, locale)
    fake_slack.state.channel_members["CTEAM"] = ["U0001", "U0002", "U0003"]
    fake_slack.state.channel_members["CBIG"] = [f"U{n:05}" for n in range(1001)]
    add_schedule(app, channel_id="CTEAM", owner_id=ADMIN, mode=DeliveryMode.MEMBERS)
    add_schedule(app, channel_id="CBIG", owner_id=ADMIN, mode=DeliveryMode.MEMBERS)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=30)
    assert sorted(d.status for d in run_due_tips(app)) == ["failed", "sent"]

    text = tips_status(slack, fake_slack)

    for said in words:
        assert said in text
    language = locale[:2]
    assert FIRST[language].title in text  # the tip sent, by its title in the admin's language
    assert FIRST["en"].title not in text
    assert "DMed" not in text
    assert "more than" not in text
    # Kept whole in the ledger, its English first: a person (or a search) reads it there too.
    reasons = [r["reason"] for r in query(database_url, "SELECT reason FROM tip_delivery")]
    assert any("DMed 3 of 3 members" in reason for reason in reasons)
    assert any("too_many_members: more than 1000 members" in reason for reason in reasons)


def test_a_reason_stored_as_plain_english_before_still_reads_as_it_is(
    slack: SlackDriver,
    fake_slack: FakeSlack,
    app: RunningApp,
    database_url: str,
) -> None:
    assert app.runtime is not None
    schedule = add_schedule(app, channel_id="CTEAM", owner_id=ADMIN, mode=DeliveryMode.MEMBERS)
    for days_ago, reason in (
        (2, "DMed 3 of 5 members"),
        (1, "missed while Delight was not running"),
    ):
        app.call(
            app.runtime.tip_schedules.claim(
                schedule.id,
                MONDAY_NINE_AMSTERDAM - timedelta(days=days_ago),
                element=Element.VOLUNTARY,
                tip_id=None,
                status="skipped",
                reason=reason,
                at=MONDAY_NINE_AMSTERDAM,
            )
        )
    execute(
        database_url,
        "UPDATE tip_schedule SET paused = :paused, paused_reason = :reason",
        paused=True,
        reason="too_many_members: more than 1,000 members",
    )
    speaks(fake_slack, ADMIN, "nl-NL")

    text = tips_status(slack, fake_slack)

    assert "⏸️ *Gepauzeerd* omdat too_many_members: more than 1,000 members." in text
    assert "overgeslagen · DMed 3 of 5 members" in text
    assert "overgeslagen · gemist terwijl Delight niet draaide" in text  # a fixed one, translated
    [old] = query(database_url, "SELECT reason FROM tip_delivery WHERE reason LIKE 'DMed%'")
    assert old["reason"] == "DMed 3 of 5 members"


def test_an_admins_own_tip_keeps_the_language_it_was_written_in(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    speaks(fake_slack, ADMIN, "nl-NL")
    values = {
        "tip_title_1": {"tip_title": {"value": "Noem de klant bij naam"}},
        "tip_body_1": {
            "tip_body": {
                "value": "Lees de naam van het ticket of de pas en gebruik die een keer in het "
                "gesprek: het zegt dat je de persoon ziet, niet het nummer."
            }
        },
    }
    reply = slack.submit_view(
        "delight_custom_tips", values, user=ADMIN, private_metadata="customer:1"
    )

    assert reply.json()["response_action"] == "update", reply.json()
    notice = blocks_text(reply.json()["view"]["blocks"])
    assert "✅ ‘Noem de klant bij naam’ toegevoegd" in notice
    [row] = query(database_url, "SELECT title, language FROM tip_custom")
    assert (row["title"], row["language"]) == ("Noem de klant bij naam", "nl")


def test_a_tip_that_exists_in_one_language_only_goes_as_written() -> None:
    tips = WorkspaceTips(
        library=LIBRARIES["en"],
        customisations=None,
        translations=LIBRARIES,  # type: ignore[arg-type]
    )
    own = CustomTip(7, "T0001", Element.ACT, "Say hello first", "…", True, "U1").tip
    dutch = CustomTip(8, "T0001", Element.ACT, "Groet als eerste", "…", True, "U1", "nl").tip

    assert tips.in_language(own, "fr") is own  # English: the fallback
    assert tips.in_language(dutch, "fr") is dutch  # written in Dutch: it exists in no other
    assert tips.in_language(FIRST["en"], "fr") == FIRST["fr"]
    assert tips.in_language(FIRST["en"], "de") == FIRST["en"]


# --- a digest ---------------------------------------------------------------------------------


@pytest.fixture
def chart_labels(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels the digest's chart is drawn with (the PNG itself can't be read back)."""
    labels: list[str] = []
    for method in ("set_title", "set_ylabel"):
        original = getattr(Axes, method)

        def recording(
            self: Axes, label: str, *args: Any, _original: Any = original, **kw: Any
        ) -> Any:
            labels.append(label)
            return _original(self, label, *args, **kw)

        monkeypatch.setattr(Axes, method, recording)
    return labels


@pytest.mark.parametrize(
    ("locale", "words", "chart"),
    [
        (
            "nl-NL",
            [
                "De week van je team in Delight — Support EMEA, 16–22 nov 2026",
                "*1 waardering* voor *1 van je 3 mensen*",
                "afgelopen 4 weken: gemiddeld 0 per week",
                "Niemand heeft <@U0003> of <@U0004> de afgelopen 30 dagen in het zonnetje gezet",
                "Wat collega's waardeerden, in hun eigen woorden.",
            ],
            ["Support EMEA — waarderingen per element", "Waarderingen"],
        ),
        (
            "fr-FR",
            [
                "La semaine de votre équipe dans Delight — Support EMEA, 16–22 nov. 2026",
                "*1 reconnaissance* pour *1 de vos 3 personnes*",
                f"4 dernières semaines{NBSP}: 0 par semaine en moyenne",
                "Personne n'a mis <@U0003> ou <@U0004> à l'honneur ces 30 derniers jours",
                "Ce que les collègues ont salué, avec leurs mots.",
            ],
            ["Support EMEA — reconnaissances par élément", "Reconnaissances"],
        ),
    ],
)
def test_a_managers_digest_and_its_chart_are_in_their_language(
    app: RunningApp,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    clock: FakeClock,
    database_url: str,
    chart_labels: list[str],
    locale: str,
    words: list[str],
    chart: list[str],
) -> None:
    speaks(fake_slack, "U0001", locale)  # the manager
    add_team(app, fake_slack, clock)
    give_at(slack, clock, database_url, LAST_WEDNESDAY, "<@U0002> stayed late to fix a refund")
    fake_slack.reset()
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=30)

    assert [o.status for o in run_due_digests(app)] == ["sent"]

    [digest] = [all_block_text(c) for c in posts(fake_slack, "D0001") if "Delight" in reply_text(c)]
    for word in words:
        assert word in digest
    assert "recognition" not in digest
    assert "stayed late to fix a refund" in digest  # the story as it was written
    [upload] = fake_slack.state.shared_files
    assert chart[0].split(" — ")[1] in upload["title"]
    assert sorted(chart_labels) == sorted(chart)
