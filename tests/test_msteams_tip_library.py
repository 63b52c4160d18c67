"""The tip library in Teams, end to end: an admin opens "Manage tips" from the schedules card,
turns a built-in tip off, adds one of their own, and the next rounds (in the channel and in
each member's 1:1) never send the one turned off and do send their own; problems show in the
dialog with what was typed kept; anyone else is refused; forged and repeated submits change
nothing they shouldn't; Dutch and French admins read it all in their language. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core.custom_tips import MAX_CUSTOM_PER_ELEMENT
from bot.core.elements import Element
from bot.core.tips import library_path, load_tip_library
from bot.i18n import translations
from handlers.msteams.text import inert
from storage.custom_tip_repository import SqlTipCustomisations
from tests.conftest import FakeClock
from tests.driver import RunningApp
from tests.fakemsteams import ALICE, BOB, TEAM_ID, Person
from tests.helpers import query
from tests.teams_driver import TeamsDriver, texts
from tests.test_msteams_tips import (
    NINE_AMSTERDAM,
    WORKSPACE,
    create,
    installed,
    invoke,
    personal_invoke,
    run_due,
    say,
)

LIBRARY = {"delight": "tip_library"}
DIALOG_BYTES = 28_000  # what Teams takes in a bot's message or card, at most
OWN_TITLE = "Thank the colleague who covered for you"
OWN_BODY = (
    "When someone quietly takes over a task so you can help a customer, say so in front of "
    "the team, and name what it made possible."
)
VOLUNTARY_TIPS = load_tip_library().for_element(Element.VOLUNTARY)


def submit(
    teams: TeamsDriver, do: str, sender: Person = ALICE, locale: str = "en-US", **data: Any
) -> Any:
    """One of the library dialog's buttons, with the dialog's inputs; its answer."""
    return ask(teams, "task/submit", {**LIBRARY, "do": do, **data}, sender, locale)


def ask(teams: TeamsDriver, name: str, data: dict[str, Any], sender: Person, locale: str) -> Any:
    return invoke(teams, name, {"data": data}, sender, locale)


def dialog(answer: Any) -> dict[str, Any]:
    """The card a dialog answer shows (failing on a refusal)."""
    assert answer["task"]["type"] == "continue", answer
    card: dict[str, Any] = answer["task"]["value"]["card"]["content"]
    return card


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {part["id"]: part for part in card["body"] if "id" in part}


def buttons(card: dict[str, Any], do: str) -> list[dict[str, Any]]:
    """The data of each button of the card that asks `do`, in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if (
                isinstance(data, dict)
                and node.get("type") == "Action.Submit"
                and data.get("do") == do
            ):
                found.append(data)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def audit(database_url: str) -> list[str]:
    rows = query(database_url, "SELECT action FROM audit_log WHERE action LIKE 'tip.%' ORDER BY id")
    return [row["action"] for row in rows]


def own_tips(database_url: str) -> list[dict[str, Any]]:
    return query(database_url, "SELECT id, title, enabled, language FROM tip_custom ORDER BY id")


def test_a_tip_turned_off_is_never_sent_and_an_own_tip_joins_the_rotation(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    say(teams, "tips")
    listed = teams.wait_for_cards(ALICE.personal_id)[-1]
    [manage] = [a for a in listed["actions"] if a["title"] == "Manage tips"]
    assert manage["data"] == {"msteams": {"type": "task/fetch"}, **LIBRARY}

    opened = dialog(ask(teams, "task/fetch", manage["data"], ALICE, "en-US"))
    shown = texts(opened)
    assert f"{len(VOLUNTARY_TIPS)} of {len(VOLUNTARY_TIPS)} tips in the rotation" in shown
    assert all(tip.title in shown for tip in VOLUNTARY_TIPS)
    first = VOLUNTARY_TIPS[0]
    turn_off = buttons(opened, "off")[0]
    assert turn_off["tip"] == first.id

    off = dialog(submit(teams, "off", **{k: v for k, v in turn_off.items() if k != "do"}))
    assert f"{len(VOLUNTARY_TIPS) - 1} of {len(VOLUNTARY_TIPS)} tips" in texts(off)
    assert first.id in [b["tip"] for b in buttons(off, "on")]

    added = dialog(
        submit(teams, "add", element="voluntary", tip_title=OWN_TITLE, tip_body=OWN_BODY)
    )
    shown = texts(added)
    assert f"Added “{OWN_TITLE}”: it joins the rotation." in shown
    assert "added by **Alice Archer**" in shown
    assert "value" not in inputs(added)["tip_title"]  # the form is empty again
    [own] = own_tips(database_url)
    own_id = f"custom:{own['id']}"
    assert [b["tip"] for b in buttons(added, "delete")] == [own_id]

    # Every day of the Voluntary week, in the channel and to each member of the team.
    create(teams, days="0,1,2,3,4,5,6")
    create(teams, days="0,1,2,3,4,5,6", target=f"members|{TEAM_ID}")
    for day in range(7):
        clock.current = NINE_AMSTERDAM + timedelta(days=day, seconds=30)
        assert [d.status for d in run_due(teams_app)] == ["sent", "sent"]
    rows = query(database_url, "SELECT schedule_id, tip_id FROM tip_delivery ORDER BY id")
    sent = {row["schedule_id"]: set() for row in rows}
    for row in rows:
        sent[row["schedule_id"]].add(row["tip_id"])
    expected = {tip.id for tip in VOLUNTARY_TIPS[1:]} | {own_id}
    assert list(sent.values()) == [expected, expected]

    in_channel = " ".join(texts(card) for card in teams.cards(TEAM_ID))
    assert OWN_TITLE in in_channel
    assert first.title not in in_channel
    to_bob = " ".join(texts(card) for card in teams.cards(BOB.personal_id))
    assert OWN_TITLE in to_bob
    assert first.title not in to_bob
    assert audit(database_url) == ["tip.disabled", "tip.added"]

    # Turned on again, it is back in the rotation; deleting the own tip takes it out.
    on = dialog(submit(teams, "on", element="voluntary", tip=first.id))
    assert f"{len(VOLUNTARY_TIPS) + 1} of {len(VOLUNTARY_TIPS) + 1} tips" in texts(on)
    deleted = dialog(submit(teams, "delete", element="voluntary", tip=own_id))
    assert "🗑️ Deleted." in texts(deleted)
    assert OWN_TITLE not in texts(deleted)
    assert own_tips(database_url) == []
    assert audit(database_url) == ["tip.disabled", "tip.added", "tip.enabled", "tip.deleted"]


def test_field_errors_show_in_the_dialog_with_what_was_typed_kept(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    again = dialog(submit(teams, "add", element="act", tip_title="", tip_body="Too short."))
    shown = texts(again)
    assert "Give the tip a short title (up to 70 characters)." in shown
    assert "That's too short (10 characters, at least 80)." in shown
    assert inputs(again)["tip_body"]["value"] == "Too short."
    assert inputs(again)["chosen_element"]["value"] == "act"  # still on the element's page

    long_title = "A title that goes on and on " * 4
    again = dialog(submit(teams, "add", element="act", tip_title=long_title, tip_body=OWN_BODY))
    assert "That's too long (111 characters, at most 70)." in texts(again)
    assert inputs(again)["tip_title"]["value"] == long_title
    assert inputs(again)["tip_body"]["value"] == OWN_BODY

    # A near-copy of a built-in tip is refused on the field it copies.
    library_tip = load_tip_library().for_element(Element.ACT)[0]
    again = dialog(
        submit(teams, "add", element="act", tip_title=library_tip.title, tip_body=OWN_BODY)
    )
    assert f"This title is very like the tip “{library_tip.title}”" in texts(again)
    # What was typed survives a click elsewhere on the page, too.
    switched = dialog(
        submit(
            teams,
            "off",
            element="act",
            tip=library_tip.id,
            tip_title="Half-typed",
            tip_body=OWN_BODY,
        )
    )
    assert inputs(switched)["tip_title"]["value"] == "Half-typed"
    assert own_tips(database_url) == []
    assert audit(database_url) == ["tip.disabled"]

    # A title quoted back is shown as typed: its markdown and links do nothing.
    marked = "Say *thanks* to [the helper](https://example.com)"
    dialog(submit(teams, "add", element="act", tip_title=marked, tip_body=OWN_BODY))
    again = dialog(submit(teams, "add", element="act", tip_title=marked, tip_body=OWN_BODY))
    assert f"This title is very like the tip “{inert(marked)}”" in texts(again)
    assert inputs(again)["tip_title"]["value"] == marked  # the input keeps it as typed


def test_someone_who_isnt_an_admin_is_refused_on_open_and_on_every_submit(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)  # by Alice: Bob is no admin
    refused = ask(teams, "task/fetch", LIBRARY, BOB, "en-US")
    assert refused["task"]["type"] == "message"
    assert "Only Delight admins" in refused["task"]["value"]
    first = VOLUNTARY_TIPS[0]
    for do, data in (
        ("off", {"element": "voluntary", "tip": first.id}),
        ("add", {"element": "voluntary", "tip_title": OWN_TITLE, "tip_body": OWN_BODY}),
        ("show", {"element": "voluntary", "chosen_element": "act"}),
    ):
        answer = submit(teams, do, sender=BOB, **data)
        assert answer["task"]["type"] == "message", answer
        assert "Only Delight admins" in answer["task"]["value"]
    assert own_tips(database_url) == []
    assert audit(database_url) == []
    # Alice, an admin, still finds every tip on.
    shown = texts(dialog(ask(teams, "task/fetch", LIBRARY, ALICE, "en-US")))
    assert f"{len(VOLUNTARY_TIPS)} of {len(VOLUNTARY_TIPS)} tips" in shown


def test_forged_huge_and_repeated_submits_change_nothing_they_should_not(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    gone = "That tip isn't there any more (another admin may have deleted it)."
    for forged in ("custom:999999", "x" * 10_000, 42, "../voluntary", None):
        answer = dialog(submit(teams, "off", element="voluntary", tip=forged))
        assert gone in texts(answer), forged
    library_tip = VOLUNTARY_TIPS[0]
    assert gone in texts(dialog(submit(teams, "delete", element="voluntary", tip=library_tip.id)))
    forged_element = dialog(
        submit(teams, "add", element="nonsense", tip_title=OWN_TITLE, tip_body=OWN_BODY)
    )
    assert "Something about that didn't work" in texts(forged_element)
    odd = dialog(submit(teams, "dance", element="genuine"))
    assert inputs(odd)["chosen_element"]["value"] == "genuine"

    huge = dialog(
        submit(teams, "add", element="voluntary", tip_title=OWN_TITLE, tip_body="x" * 300_000)
    )
    assert "That's too long (1,000 characters, at most 500)." in texts(huge)
    assert own_tips(database_url) == []

    # The same submit twice (a double click, a retry): one tip.
    first = submit(teams, "add", element="voluntary", tip_title=OWN_TITLE, tip_body=OWN_BODY)
    assert "joins the rotation" in texts(dialog(first))
    again = dialog(
        submit(teams, "add", element="voluntary", tip_title=OWN_TITLE, tip_body=OWN_BODY)
    )
    assert f"This title is very like the tip “{OWN_TITLE}”" in texts(again)
    value = {"data": {**LIBRARY, "do": "off", "element": "voluntary", "tip": library_tip.id}}
    activity = personal_invoke(teams, "task/submit", value)
    assert teams.send(activity).status == 200
    assert teams.send(activity).json() == {}  # Teams' retry of the same activity: ignored
    assert len(own_tips(database_url)) == 1
    assert audit(database_url) == ["tip.added", "tip.disabled"]

    # An element's last tip stays on.
    for tip in VOLUNTARY_TIPS[1:]:
        submit(teams, "off", element="voluntary", tip=tip.id)
    own_id = f"custom:{own_tips(database_url)[0]['id']}"
    last = dialog(submit(teams, "off", element="voluntary", tip=own_id))
    assert "That's the last Voluntary tip still on" in texts(last)
    assert f"1 of {len(VOLUNTARY_TIPS) + 1} tips" in texts(last)
    refused_delete = dialog(submit(teams, "delete", element="voluntary", tip=own_id))
    assert "That's the last Voluntary tip still on" in texts(refused_delete)
    assert len(own_tips(database_url)) == 1


def test_dutch_and_french_admins_manage_tips_in_their_language(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    for language, locale in (("nl", "nl-NL"), ("fr", "fr-FR")):
        words = translations(language).gettext
        library = load_tip_library(library_path(language)).for_element(Element.VOLUNTARY)
        opened = dialog(ask(teams, "task/fetch", LIBRARY, ALICE, locale))
        shown = texts(opened)
        assert library[0].title in shown
        assert library[0].title != VOLUNTARY_TIPS[0].title
        for english in ("Turn off", "Add tip", "The tip"):
            assert words(english) != english
            assert words(english) in shown
        assert "Turn off" not in shown

        answer = submit(
            teams, "add", locale=locale, element="voluntary", tip_title="", tip_body=OWN_BODY
        )
        problem = words("Give the tip a short title (up to {limit} characters).")
        assert problem.format(limit=70) in texts(dialog(answer))

    # Written in French by a French admin, it is kept as French.
    title = "Remerciez qui vous a remplacé au pied levé"
    body = (
        "Quand quelqu’un reprend une tâche pour que vous puissiez aider un client, dites-le "
        "devant l’équipe et nommez ce que cela a permis."
    )
    submit(teams, "add", locale="fr-FR", element="voluntary", tip_title=title, tip_body=body)
    assert [(t["title"], t["language"]) for t in own_tips(database_url)] == [(title, "fr")]


def test_an_element_holds_at_most_twenty_tips_of_your_own(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    assert teams_app.runtime is not None
    stored = SqlTipCustomisations(teams_app.runtime.database)
    for number in range(1, MAX_CUSTOM_PER_ELEMENT + 1):
        teams_app.call(
            stored.add_custom_tip(
                team_id=WORKSPACE,
                element=Element.CUSTOMER,
                title=f"Notre conseil numéro {number}, à l’écoute de l’équipe et des clients",
                body=f"{number}: " + "Something the team agreed is worth trying this week. " * 9,
                language="fr",
                author_id=ALICE.aad_id,
                at=clock.now(),
            )
        )
    data = {**LIBRARY, "do": "add", "element": "customer"}
    typed = {"tip_title": OWN_TITLE, "tip_body": OWN_BODY}
    full = teams.send(personal_invoke(teams, "task/submit", {"data": {**data, **typed}}))
    card = dialog(full.json())
    shown = texts(card)
    assert "Customer already has 20 tips of your own: delete one first." in shown
    assert inputs(card)["tip_body"]["value"] == OWN_BODY
    assert len(own_tips(database_url)) == MAX_CUSTOM_PER_ELEMENT
    # The whole page, every tip and the form, stays within what Teams shows in a dialog.
    assert len(full.body) < DIALOG_BYTES
