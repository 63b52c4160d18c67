"""Scheduled tips in Teams, end to end: an admin sets a schedule up through the dialog, the bot's
clock reaches its time, and the tip lands in the channel, or in each member's 1:1 in their
language; whom Teams refuses is recorded, never retried, and the admin told. On SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.elements import Element
from bot.core.tip_delivery import Delivered
from bot.core.tips import load_tip_library
from bot.i18n import speaking, translations
from handlers.msteams import tip_cards
from storage.engine import Database
from storage.msteams import ConversationKind, SqlMsTeamsDirectory
from tests.conftest import FakeClock
from tests.driver import RunningApp
from tests.fakemsteams import ALICE, BOB, CAROL, TEAM_ID, TENANT_ID, Person
from tests.helpers import query
from tests.node_checks import check_cards
from tests.teams_driver import TeamsDriver, texts, wait_for

MONDAY_EIGHT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam
NINE_AMSTERDAM = MONDAY_EIGHT + timedelta(hours=1)
WORKSPACE = f"msteams:{TENANT_ID}"
SCHEDULE = {
    "delight": "tip_schedule",
    "target": f"channel|{TEAM_ID}",
    "days": "0,1,2,3,4",
    "at": "09:00",
    "timezone": "Europe/Amsterdam",
    "start": "2026-11-23",
}


def run_due(app: RunningApp) -> list[Delivered]:
    assert app.runtime is not None
    done: list[Delivered] = app.call(app.runtime.tips.run_due())
    return done


def personal_invoke(
    teams: TeamsDriver,
    name: str,
    value: dict[str, Any],
    sender: Person = ALICE,
    locale: str = "en-US",
) -> dict[str, Any]:
    """An invoke from `sender` in their 1:1 chat with Delight, their Teams in `locale`."""
    return teams.fake.activity(
        "card_action_execute",
        name=name,
        from_=sender.sender(),
        conversation={"id": sender.personal_id, "conversationType": "personal", "isGroup": None},
        channelData={"team": None, "channel": None, "teamsChannelId": None, "teamsTeamId": None},
        locale=locale,
        entities=[{"type": "clientInfo", "locale": locale}],
        value=value,
    )


def invoke(
    teams: TeamsDriver,
    name: str,
    value: dict[str, Any],
    sender: Person = ALICE,
    locale: str = "en-US",
) -> Any:
    """An invoke from `sender` in their 1:1 chat with Delight; its answer."""
    reply = teams.send(personal_invoke(teams, name, value, sender, locale))
    assert reply.status == 200, reply.body
    return reply.json()


def task(teams: TeamsDriver, name: str, data: dict[str, Any], sender: Person = ALICE) -> Any:
    return invoke(teams, name, {"data": data}, sender)


def click(teams: TeamsDriver, verb: str, data: dict[str, Any], sender: Person = ALICE) -> Any:
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    return invoke(teams, "adaptiveCard/action", value, sender)


def say(teams: TeamsDriver, text: str, sender: Person = ALICE, locale: str = "en-US") -> None:
    assert (
        teams.act(
            "personal_message",
            text=text,
            from_=sender.sender(),
            conversation={"id": sender.personal_id},
            locale=locale,
            entities=[{"type": "clientInfo", "locale": locale}],
        ).status
        == 200
    )


def installed(teams: TeamsDriver, clock: FakeClock) -> None:
    """Alice installs Delight in the team on Monday 23 November at 08:00 (Amsterdam)."""
    clock.current = MONDAY_EIGHT
    assert teams.act("installation_update_add").status == 200
    wait_for(lambda: teams_app_knows_the_team(teams))


def teams_app_knows_the_team(teams: TeamsDriver) -> bool:
    opened = task(teams, "task/fetch", {"delight": "tip_schedule"})
    return opened["task"]["type"] == "continue" and f"channel|{TEAM_ID}" in str(opened)


def create(teams: TeamsDriver, **changes: str) -> None:
    before = len(teams.cards(ALICE.personal_id))
    assert task(teams, "task/submit", {**SCHEDULE, **changes}) == {}
    saved = teams.wait_for_cards(ALICE.personal_id, before + 1)[before]
    assert "Saved" in texts(saved)


def opened_conversations(teams: TeamsDriver) -> int:
    return len(
        [c for c in teams.fake.calls if c.method == "POST" and c.path.endswith("/v3/conversations")]
    )


def ledger(database_url: str) -> list[dict[str, Any]]:
    return query(database_url, "SELECT status, element, reason FROM tip_delivery ORDER BY id")


def test_a_timezone_teams_gives_later_is_kept_though_the_first_sighting_had_none(
    teams: TeamsDriver, database_url: str
) -> None:
    """An invoke's clientInfo often has no timezone; the message that comes with one is not
    taken for a sighting already written."""
    task(teams, "task/fetch", {"delight": "tip_schedule"}, CAROL)  # no timezone: refused
    with_zone = {"type": "clientInfo", "locale": "en-US", "timezone": "Europe/Paris"}
    assert (
        teams.act(
            "personal_message",
            text="help",
            from_=CAROL.sender(),
            conversation={"id": CAROL.personal_id},
            entities=[with_zone],
        ).status
        == 200
    )
    wait_for(
        lambda: query(
            database_url,
            "SELECT timezone FROM msteams_members WHERE user_id = :u AND timezone IS NOT NULL",
            u=CAROL.aad_id,
        )
    )
    [row] = query(
        database_url, "SELECT timezone FROM msteams_members WHERE user_id = :u", u=CAROL.aad_id
    )
    assert row["timezone"] == "Europe/Paris"


def test_an_admin_sets_up_a_channel_schedule_and_its_tip_lands_once(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    opened = task(teams, "task/fetch", {"delight": "tip_schedule"})
    form = opened["task"]["value"]["card"]["content"]
    timezone = next(i for i in form["body"] if i.get("id") == "timezone")
    assert timezone["value"] == "Europe/Amsterdam"  # Alice's own, from her Teams client
    create(teams)

    clock.current = NINE_AMSTERDAM - timedelta(minutes=1)
    assert run_due(teams_app) == []
    clock.current = NINE_AMSTERDAM + timedelta(seconds=30)

    async def two_clocks() -> list[list[Delivered]]:
        assert teams_app.runtime is not None
        return list(
            await asyncio.gather(teams_app.runtime.tips.run_due(), teams_app.runtime.tips.run_due())
        )

    fired = teams_app.call(two_clocks())
    assert sorted(d.status for batch in fired for d in batch) == ["sent", "taken"]
    assert run_due(teams_app) == []

    [tip] = teams.cards(TEAM_ID)
    shown = texts(tip)
    assert "Element of the week: Voluntary" in shown
    assert "**voluntary**" in shown  # the definition, its element's word in bold
    assert "Steve Curtin" in shown
    [button] = tip["actions"]
    assert button["title"] == "Recognise someone who did this"
    assert button["data"] == {
        "msteams": {"type": "task/fetch"},
        "delight": "nominate",
        "element": "voluntary",
    }
    assert [r["status"] for r in ledger(database_url)] == ["sent"]

    # The tip's button opens the nomination dialog with its element ticked.
    dialog = task(teams, "task/fetch", button["data"], sender=BOB)
    card = dialog["task"]["value"]["card"]["content"]
    elements = next(i for i in card["body"] if i.get("id") == "elements")
    assert elements["value"] == "voluntary"


def test_a_wrong_field_shows_in_the_dialog_with_what_was_typed_kept(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock
) -> None:
    installed(teams, clock)
    again = task(teams, "task/submit", {**SCHEDULE, "at": "9 o'clock", "days": ""})
    card = again["task"]["value"]["card"]["content"]
    shown = texts(card)
    assert "Use a time of day like 09:00 (24-hour clock)." in shown
    assert "Pick at least one day of the week." in shown
    inputs = {i["id"]: i for i in card["body"] if "id" in i}
    assert inputs["at"]["value"] == "9 o'clock"
    assert inputs["target"]["value"] == f"channel|{TEAM_ID}"
    assert inputs["timezone"]["value"] == "Europe/Amsterdam"
    assert teams_app.runtime is not None
    assert teams_app.call(teams_app.runtime.tip_schedules.for_team(WORKSPACE)) == []


def test_a_one_to_one_schedule_reaches_each_member_in_their_language_and_tells_of_refusals(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    say(teams, "me", sender=BOB, locale="nl-NL")  # Bob's Teams speaks Dutch
    teams.wait_for_cards(BOB.personal_id)
    teams.fake.refuse_personal(CAROL.aad_id)
    create(teams, target=f"members|{TEAM_ID}")
    alice_before = len(teams.cards(ALICE.personal_id))

    clock.current = NINE_AMSTERDAM + timedelta(seconds=30)
    [fired] = run_due(teams_app)
    assert fired.status == "sent"
    assert "2 of 3" in str(fired.reason)

    to_alice = texts(teams.cards(ALICE.personal_id)[alice_before])
    assert "Element of the week: Voluntary" in to_alice
    to_bob = texts(teams.cards(BOB.personal_id)[-1])
    dutch = translations("nl").gettext("💡 Element of the week: {element}").split("{")[0]
    assert dutch != "💡 Element of the week: "
    assert dutch in to_bob
    assert teams.cards(TEAM_ID) == []  # nothing in the channel

    rows = query(
        database_url, "SELECT recipient_id, status, reason FROM tip_direct_message ORDER BY id"
    )
    refused = [r for r in rows if r["recipient_id"] == CAROL.aad_id]
    assert [(r["status"], r["reason"]) for r in refused] == [
        ("failed", "recipient_unavailable: not_installed")
    ]
    told = texts(teams.cards(ALICE.personal_id)[-1])
    assert "Carol Chen" in told
    assert "isn't installed for them" in told

    tries = opened_conversations(teams)
    clock.current += timedelta(minutes=1)
    assert run_due(teams_app) == []  # never retried
    assert opened_conversations(teams) == tries

    status_before = len(teams.cards(ALICE.personal_id))
    say(teams, "tips status")
    status = texts(teams.wait_for_cards(ALICE.personal_id, status_before + 1)[status_before])
    assert "1:1 to each member of" in status
    assert "could not be reached" in status

    # The outcome is kept with its numbers apart, so a French reader gets it in French.
    say(teams, "tips status", locale="fr-FR")
    status = texts(teams.wait_for_cards(ALICE.personal_id, status_before + 2)[-1])
    assert "envoyé en message direct à 2 membres sur 3\u00a0; 1 injoignables" in status
    assert "DMed" not in status


def test_the_schedules_card_pauses_previews_sends_now_and_deletes(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams, clock)
    create(teams)
    say(teams, "tips")
    listed = teams.wait_for_cards(ALICE.personal_id, 2)[-1]
    assert "Tip schedules" in texts(listed)
    assert teams_app.runtime is not None
    [schedule] = teams_app.call(
        teams_app.runtime.tip_schedules.for_team(WORKSPACE, include_paused=True)
    )
    ids = {"schedule_id": schedule.id}

    paused = click(teams, "tips_pause", ids)
    assert "Paused" in texts(paused["value"])
    resumed = click(teams, "tips_resume", ids)
    assert "Resumed" in texts(resumed["value"])

    before = len(teams.cards(ALICE.personal_id))
    preview = click(teams, "tips_preview", ids)
    assert "I've sent you the next tip" in texts(preview["value"])
    shown = texts(teams.wait_for_cards(ALICE.personal_id, before + 1)[before])
    assert "Element of the week" in shown
    assert "Nothing was sent" in shown
    assert teams.cards(TEAM_ID) == []

    sent = click(teams, "tips_send_now", {**ids, "send_key": "0"})
    assert "✅" in texts(sent["value"])
    again = click(teams, "tips_send_now", {**ids, "send_key": "0"})
    assert "already sent" in texts(again["value"])
    assert len(teams.cards(TEAM_ID)) == 1

    deleted = click(teams, "tips_delete", ids)
    assert "Deleted" in texts(deleted["value"])
    assert (
        teams_app.call(teams_app.runtime.tip_schedules.for_team(WORKSPACE, include_paused=True))
        == []
    )
    actions = query(database_url, "SELECT action FROM audit_log ORDER BY id")
    assert [a["action"] for a in actions] == [
        "tip_schedule.created",
        "tip_schedule.paused",
        "tip_schedule.resumed",
        "tip_schedule.sent_now",
        "tip_schedule.deleted",
    ]


def test_someone_who_isnt_an_admin_never_sees_the_form(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock
) -> None:
    installed(teams, clock)  # by Alice: Bob is no admin
    refused = task(teams, "task/fetch", {"delight": "tip_schedule"}, sender=BOB)
    assert refused["task"]["type"] == "message"
    assert "Only Delight admins" in refused["task"]["value"]
    submitted = task(teams, "task/submit", SCHEDULE, sender=BOB)
    assert submitted["task"]["type"] == "message"
    say(teams, "tips", sender=BOB)
    assert "Only Delight admins" in texts(teams.wait_for_cards(BOB.personal_id)[0])
    assert teams_app.runtime is not None
    stored = teams_app.call(
        teams_app.runtime.tip_schedules.for_team(WORKSPACE, include_paused=True)
    )
    assert stored == []


# --- the tip card, and the channels Delight knows ---------------------------------------------


def test_a_reflection_tip_has_no_recognise_button_and_the_dutch_definition_is_highlighted() -> None:
    library = load_tip_library()
    reflection = library.get("demonstrates-write-down-why")
    assert reflection is not None
    assert not reflection.recognisable
    bare = tip_cards.tip_card(reflection, Element.DEMONSTRATES)
    assert "actions" not in bare.card
    assert "Recognise someone" not in str(bare.card)
    with speaking("nl"):
        doable = next(t for t in library.for_element(Element.DESIRE) if t.recognisable)
        dutch = tip_cards.tip_card(doable, Element.DESIRE)
    assert "**verlangen**" in texts(dutch.card)
    assert dutch.card["actions"][0]["data"]["element"] == "desire"
    assert check_cards([bare.card, dutch.card]) == [[], []]


def test_the_channels_delight_knows_are_listed_per_tenant(database_url: str) -> None:
    other = "msteams:72f988bf-86f1-41af-91ab-2d7cd011db47"
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    url = "https://smba.trafficmanager.net/amer/"

    async def work() -> list[tuple[str, str | None]]:
        database = Database(database_url)
        book = SqlMsTeamsDirectory(database)
        try:
            rows: tuple[tuple[str, ConversationKind, str | None, str], ...] = (
                ("19:b@thread.tacv2", "channel", "Shop floor", WORKSPACE),
                (TEAM_ID, "channel", "Retail", WORKSPACE),
                (ALICE.personal_id, "personal", None, WORKSPACE),
                ("19:c@thread.tacv2", "channel", "Elsewhere", other),
            )
            for where, kind, name, workspace in rows:
                await book.remember_conversation(
                    workspace, where, service_url=url, kind=kind, at=at, team_id=TEAM_ID, name=name
                )
            return [(c.conversation_id, c.name) for c in await book.channels(WORKSPACE)]
        finally:
            await database.close()

    assert asyncio.run(work()) == [(TEAM_ID, "Retail"), ("19:b@thread.tacv2", "Shop floor")]
