"""Teams, end to end on SQLite and PostgreSQL: removing Delight from one team pauses exactly what
delivers through that team (tips in its channels or 1:1 to its roster, digests of a team of
people read from its roster), with the reason shown, until it is installed there again; a
person who removes Delight from their personal scope gets no 1:1 until they install it again;
a deleted channel is no longer offered and what posts there pauses until it is restored, and
what posts in an archived team until it is unarchived. Each paused tip schedule's owner is told
once, in their language. Teams repeats events: each is taken once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from bot.config import load_settings
from bot.core.installations import PLACE_GONE, REMOVED_FROM_PLACE, TEAM_ARCHIVED
from bot.core.platform import ChannelProblem
from bot.i18n import speaking, translations
from handlers.msteams.tip_cards import schedule_place_paused
from tests.conftest import FakeClock
from tests.driver import RunningApp
from tests.fakemsteams import ALICE, BOB, BOT_ID, CAROL, TEAM_ID, Person, mention
from tests.helpers import query
from tests.teams_driver import TeamsDriver, card_of, texts, wait_for
from tests.test_msteams_admin import (
    KUDOS_CHANNEL,
    OTHER_TEAM,
    channel_rows,
    dialog_card,
    inputs,
    installed,
    removed,
    said_to,
    schedule_state,
    submitted,
    team_event,
    teams_rows,
)
from tests.test_msteams_digests import MONDAY_NINE_NEW_YORK, MONDAY_NINE_UTC, make_team, personal
from tests.test_msteams_digests import run_due as run_digests
from tests.test_msteams_tips import (
    MONDAY_EIGHT,
    NINE_AMSTERDAM,
    SCHEDULE,
    click,
    create,
    run_due,
    task,
)

# The pause notices reach the 1:1 chat on their own, between the answers to what was typed.
NOTICES = ("I've paused your Delight tip schedule", "I've paused the weekly digests")


def told(teams: TeamsDriver, person: Person, text: str, locale: str = "en-US") -> str:
    """`text` typed in their 1:1 chat with Delight: the words of the card it answered with."""
    before = len(teams.fake.activities(person.personal_id))
    client = {"type": "clientInfo", "locale": locale}
    said_to(teams, person, text, locale=locale, entities=[client])

    def answer() -> str | None:
        new = [texts(card_of(a)) for a in teams.fake.activities(person.personal_id)[before:]]
        answers = [said for said in new if not said.startswith(NOTICES)]
        return answers[-1] if answers else None

    return wait_for(answer)


def handled(
    teams: TeamsDriver, database_url: str, activity: dict[str, Any], locale: str = "en-US"
) -> None:
    """Sent, and its work done to the end (Teams is answered at once and the work done after):
    a tenant's lifecycle activities are taken one at a time, in arrival order, so once one
    sent after it (a conversationUpdate that changes nothing) is taken in, it was done. Then
    Alice says "help" in `locale`: her language from then on."""
    barrier = teams.fake.activity(
        "conversation_update_bot_added_to_team",
        membersAdded=None,
        from_=ALICE.sender(),
        conversation={"id": ALICE.personal_id, "conversationType": "personal", "isGroup": None},
        channelData={"team": None, "channel": None, "teamsChannelId": None, "teamsTeamId": None},
    )
    for sent in (activity, barrier):
        assert teams.send(sent).status == 200
    for sent in (activity, barrier):
        event = f"msteams:{sent['id']}"
        wait_for(
            lambda e=event: query(
                database_url, "SELECT 1 FROM processed_event WHERE event_id = :e", e=e
            )
        )
    told(teams, ALICE, "help", locale)


def pause_notices(teams: TeamsDriver, person: Person, language: str = "en") -> list[str]:
    """What the person was told of their tip schedules paused with their place, in `language`."""
    with speaking(language):
        endings = [
            texts(schedule_place_paused("·", reason=reason).card).split("·")[1]
            for reason in (PLACE_GONE[ChannelProblem.NOT_FOUND], REMOVED_FROM_PLACE, TEAM_ARCHIVED)
        ]
    return [
        said
        for card in teams.cards(person.personal_id)
        if (said := texts(card)) and any(ending in said for ending in endings)
    ]


def digest_pause_notices(teams: TeamsDriver, person: Person) -> list[str]:
    """What the person was told of their teams of people whose digests paused."""
    return [
        said
        for card in teams.cards(person.personal_id)
        if (said := texts(card)).startswith("I've paused the weekly digests of")
    ]


def bot_left_the_team(teams: TeamsDriver, team: str) -> dict[str, Any]:
    """The other way Teams says it: a conversationUpdate with Delight among membersRemoved."""
    return teams.fake.activity(
        "conversation_update_bot_added_to_team",
        membersAdded=None,
        membersRemoved=[{"id": BOT_ID}],
        conversation={"id": team},
        channelData={
            "team": {"id": team},
            "channel": {"id": team},
            "eventType": "teamMemberRemoved",
        },
    )


def personal_installation(teams: TeamsDriver, person: Person, action: str) -> dict[str, Any]:
    """Installed (`add`) or removed by the person, in their own (personal) scope."""
    return teams.fake.activity("installation_update_add", action=action, **personal(person))


def channel_event(teams: TeamsDriver, event: str, channel: str, name: str) -> dict[str, Any]:
    return teams.fake.activity(
        "conversation_update_bot_added_to_team",
        membersAdded=None,
        channelData={"eventType": event, "channel": {"id": channel, "name": name}},
    )


def schedule_ids(database_url: str) -> list[int]:
    return [row["id"] for row in query(database_url, "SELECT id FROM tip_schedule ORDER BY id")]


def digest_pauses(database_url: str) -> dict[str, str | None]:
    rows = query(database_url, "SELECT name, paused_reason FROM manager_team ORDER BY name")
    return {row["name"]: row["paused_reason"] for row in rows}


def offered_targets(teams: TeamsDriver) -> str:
    return str(task(teams, "task/fetch", {"delight": "tip_schedule"}))


def schedules_in_kudos_and(
    teams: TeamsDriver, clock: FakeClock, database_url: str, other: str
) -> tuple[int, int]:
    """Delight installed in the team, with a Kudos channel; on Monday 8:00 its admin made a
    tip schedule posting in Kudos and one for `other` (a target as the form offers it)."""
    teams.fake.add_channel(TEAM_ID, KUDOS_CHANNEL, "Kudos")
    clock.current = MONDAY_EIGHT
    installed(teams)
    wait_for(lambda: f"channel|{KUDOS_CHANNEL}" in offered_targets(teams))
    settings = task(teams, "task/submit", submitted(admins=""))
    assert settings["task"] == {"type": "message", "value": "Settings saved."}
    create(teams, target=f"channel|{KUDOS_CHANNEL}")
    create(teams, target=other)
    in_kudos, in_other = schedule_ids(database_url)
    return in_kudos, in_other


# --- removed from one team ---------------------------------------------------------------------


def test_removed_from_one_team_only_what_delivers_through_it_pauses_until_it_is_back(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    teams.fake.add_channel(TEAM_ID, KUDOS_CHANNEL, "Kudos")
    teams.fake.add_channel(OTHER_TEAM, OTHER_TEAM, None)
    clock.current = MONDAY_EIGHT
    installed(teams)  # "Store 12", by Alice
    installed(teams, team=OTHER_TEAM, name="Warehouse")
    wait_for(lambda: len(channel_rows(database_url)) == 3)
    wait_for(lambda: f"channel|{OTHER_TEAM}" in offered_targets(teams))
    for target in (
        f"channel|{KUDOS_CHANNEL}",
        f"members|{TEAM_ID}",
        f"channel|{OTHER_TEAM}",
        f"channel|{TEAM_ID}",
    ):
        create(teams, target=target)
    in_kudos, to_roster, in_warehouse, by_admin = schedule_ids(database_url)
    click(teams, "tips_pause", {"schedule_id": by_admin})
    admins_pause = schedule_state(database_url, by_admin)
    assert admins_pause[0]

    clock.advance(minutes=1)
    removal = teams.fake.activity(
        "installation_update_add",
        action="remove",
        conversation={"id": TEAM_ID},
        channelData={"team": {"id": TEAM_ID}, "channel": {"id": TEAM_ID}},
    )
    handled(teams, database_url, removal)
    assert teams.send(removal).status == 200  # Teams tries again: answered, ignored
    handled(teams, database_url, bot_left_the_team(teams, TEAM_ID))  # and says it its other way

    for schedule in (in_kudos, to_roster):
        assert schedule_state(database_url, schedule) == (True, REMOVED_FROM_PLACE)
    # Their owner is told once each, however often Teams says it; not of the one already paused.
    notices = sorted(pause_notices(teams, ALICE))
    assert [notice.split(":")[0] for notice in notices] == [
        "I've paused your Delight tip schedule for **Kudos**",
        "I've paused your Delight tip schedule for **Store 12**",
    ]
    for notice in notices:
        assert "Delight was removed from its team" in notice
        assert "resumes by itself once Delight is installed in that team again" in notice
    # A new schedule can't be set up where Delight can no longer post or read the roster.
    offered = offered_targets(teams)
    assert f"channel|{OTHER_TEAM}" in offered
    for gone in (f"channel|{KUDOS_CHANNEL}", f"channel|{TEAM_ID}", f"members|{TEAM_ID}"):
        assert gone not in offered
    assert schedule_state(database_url, in_warehouse) == (False, None)
    assert schedule_state(database_url, by_admin) == admins_pause

    # The reason shows in `tips status`, on the schedules card and on the home card.
    status = told(teams, ALICE, "tips status")
    assert status.count("Delight was removed from the team it delivers in") == 2
    assert "Delight was removed from the team it delivers in" in told(teams, ALICE, "tips")
    home = told(teams, ALICE, "home")
    assert "Tips paused (**Kudos**): Delight was removed from the team it delivers in" in home
    assert "Tips paused (1:1 to each member of **Store 12**): Delight was removed" in home
    french = translations("fr").gettext(REMOVED_FROM_PLACE)
    assert french != REMOVED_FROM_PLACE
    assert french in told(teams, ALICE, "tips status", locale="fr-FR")

    clock.current = NINE_AMSTERDAM + timedelta(seconds=30)
    fired = run_due(teams_app)
    assert [(d.schedule_id, d.status) for d in fired] == [(in_warehouse, "sent")]
    assert teams.cards(KUDOS_CHANNEL) == []
    assert not any("Element of the week" in texts(c) for c in teams.cards(BOB.personal_id))

    # Installed there again: what the removal paused resumes, and nothing else.
    clock.advance(minutes=5)
    installed(teams)
    wait_for(lambda: not schedule_state(database_url, in_kudos)[0])
    assert f"members|{TEAM_ID}" in offered_targets(teams)
    assert schedule_state(database_url, to_roster) == (False, None)
    assert schedule_state(database_url, by_admin) == admins_pause
    clock.current = NINE_AMSTERDAM + timedelta(days=1, seconds=30)
    fired = run_due(teams_app)
    assert sorted(d.schedule_id for d in fired if d.status == "sent") == [
        in_kudos,
        to_roster,
        in_warehouse,
    ]
    assert len(teams.cards(KUDOS_CHANNEL)) == 1


def removal_of(teams: TeamsDriver, team: str) -> dict[str, Any]:
    return teams.fake.activity(
        "installation_update_add",
        action="remove",
        conversation={"id": team},
        channelData={"team": {"id": team}, "channel": {"id": team}},
    )


def installation_of(teams: TeamsDriver, team: str) -> dict[str, Any]:
    channel_data = {"team": {"id": team, "name": "Store 12"}, "channel": {"id": team}}
    return teams.fake.activity(
        "installation_update_add", conversation={"id": team}, channelData=channel_data
    )


def all_handled(teams: TeamsDriver, database_url: str, *activities: dict[str, Any]) -> None:
    """Sent one right after the other, then waited for until each was taken in."""
    for activity in activities:
        assert teams.send(activity).status == 200
    for activity in activities:
        handled(teams, database_url, activity)


def test_removed_and_installed_again_at_once_ends_as_the_last_event_says(
    teams: TeamsDriver, clock: FakeClock, database_url: str
) -> None:
    """Events acted on side by side: a removal and an installation of one team arriving
    together still end as the one Teams sent last says, each schedule with them."""
    in_kudos, to_members = schedules_in_kudos_and(teams, clock, database_url, f"members|{TEAM_ID}")
    for _ in range(3):
        all_handled(
            teams, database_url, removal_of(teams, TEAM_ID), installation_of(teams, TEAM_ID)
        )
        assert [row["removed_at"] for row in teams_rows(database_url)] == [None]
        assert schedule_state(database_url, in_kudos) == (False, None)
        assert schedule_state(database_url, to_members) == (False, None)

        all_handled(
            teams, database_url, installation_of(teams, TEAM_ID), removal_of(teams, TEAM_ID)
        )
        assert [row["removed_at"] for row in teams_rows(database_url)] != [None]
        assert schedule_state(database_url, in_kudos) == (True, REMOVED_FROM_PLACE)
        assert schedule_state(database_url, to_members) == (True, REMOVED_FROM_PLACE)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_processes_taking_a_removal_and_an_installation_at_once_agree_with_the_team(
    teams: TeamsDriver, teams_env: dict[str, str], clock: FakeClock, database_url: str
) -> None:
    """Two web processes on one PostgreSQL database, each given one of a removal and an
    installation of the same team at the same moment: they take them one after the other, so
    whichever ends last, the schedules agree with what the team's row says."""
    in_kudos, to_members = schedules_in_kudos_and(teams, clock, database_url, f"members|{TEAM_ID}")
    other = RunningApp(load_settings(teams_env), clock=clock).start()
    try:
        beside = TeamsDriver(other.url, teams.fake)

        def agree() -> bool:
            installed_now = [row["removed_at"] for row in teams_rows(database_url)] == [None]
            expected = (False, None) if installed_now else (True, REMOVED_FROM_PLACE)
            states = (
                schedule_state(database_url, in_kudos),
                schedule_state(database_url, to_members),
            )
            return states == (expected, expected)

        with ThreadPoolExecutor(2) as pool:
            for _ in range(4):
                removal, installation = removal_of(teams, TEAM_ID), installation_of(teams, TEAM_ID)
                sent = [pool.submit(teams.send, removal), pool.submit(beside.send, installation)]
                assert [reply.result().status for reply in sent] == [200, 200]
                for activity in (removal, installation):
                    event = f"msteams:{activity['id']}"
                    wait_for(
                        lambda e=event: query(
                            database_url, "SELECT 1 FROM processed_event WHERE event_id = :e", e=e
                        )
                    )
                wait_for(agree)
                time.sleep(0.3)  # whatever was still under way has ended
                wait_for(agree)
    finally:
        other.stop()


def test_a_team_of_people_read_from_a_removed_team_gets_no_digest_until_delight_is_back(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    teams.fake.add_channel(OTHER_TEAM, OTHER_TEAM, None)
    installed(teams)
    installed(teams, team=OTHER_TEAM, name="Warehouse")  # Alice stays an admin
    told(teams, BOB, "help")
    make_team(teams, clock, name="Floor", managers=(BOB,), members="", rosters=TEAM_ID)
    make_team(teams, clock, name="Picked", managers=(CAROL,), members=BOB.aad_id)

    clock.current = MONDAY_NINE_UTC - timedelta(hours=2)
    removed(teams)
    wait_for(lambda: digest_pauses(database_url)["Floor"] is not None)
    assert digest_pauses(database_url) == {"Floor": REMOVED_FROM_PLACE, "Picked": None}
    assert "Digests paused: Delight was removed from the team it delivers in" in told(
        teams, ALICE, "teams"
    )
    # Alice made the team of people: she is told, once, however often Teams says it.
    [notice] = wait_for(lambda: digest_pause_notices(teams, ALICE))
    handled(teams, database_url, team_event(teams, TEAM_ID, "teamDeleted"))
    assert digest_pause_notices(teams, ALICE) == [notice]
    assert notice.startswith("I've paused the weekly digests of **Floor**: its members are read")
    assert "once Delight is installed in that team again" in notice
    assert "pick its members one by one with `teams`" in notice

    clock.current = MONDAY_NINE_UTC + timedelta(seconds=5)
    assert [(o.manager_id, o.status) for o in run_digests(teams_app)] == [(CAROL.aad_id, "sent")]
    clock.current = MONDAY_NINE_NEW_YORK + timedelta(seconds=5)
    assert run_digests(teams_app) == []  # Bob's team is paused

    clock.advance(minutes=5)
    installed(teams)
    wait_for(lambda: digest_pauses(database_url)["Floor"] is None)
    assert [(o.manager_id, o.status) for o in run_digests(teams_app)] == [(BOB.aad_id, "sent")]


# --- removed by one person ---------------------------------------------------------------------


def test_someone_who_removed_delight_gets_no_1_1_until_they_install_it_again(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    clock.current = MONDAY_EIGHT
    installed(teams)
    wait_for(lambda: f"members|{TEAM_ID}" in offered_targets(teams))
    create(teams, target=f"members|{TEAM_ID}")
    make_team(teams, clock, name="Support", managers=(BOB,), members=CAROL.aad_id)
    told(teams, BOB, "help")
    bob_heard = len(teams.fake.activities(BOB.personal_id))

    removal = personal_installation(teams, BOB, "remove")
    handled(teams, database_url, removal)
    assert teams.send(removal).status == 200  # a repeat changes nothing

    # Tips by 1:1: Bob's is recorded as refused, not tried; the schedule's admin is told.
    clock.current = NINE_AMSTERDAM + timedelta(seconds=30)
    [fired] = run_due(teams_app)
    assert "2 of 3" in str(fired.reason)
    rows = query(database_url, "SELECT recipient_id, status, reason FROM tip_direct_message")
    assert [(r["status"], r["reason"]) for r in rows if r["recipient_id"] == BOB.aad_id] == [
        ("failed", "recipient_unavailable: removed_by_them")
    ]
    to_alice = wait_for(
        lambda: [c for c in teams.cards(ALICE.personal_id) if "isn't installed" in texts(c)]
    )
    assert "Bob Baker" in texts(to_alice[-1])

    # His digest as a manager: recorded as refused, never retried; the team's creator told.
    clock.current = MONDAY_NINE_UTC + timedelta(seconds=5)
    assert [(o.manager_id, o.status) for o in run_digests(teams_app)] == [(BOB.aad_id, "failed")]
    [entry] = query(database_url, "SELECT reason FROM digest_delivery")
    assert entry["reason"] == "recipient_unavailable: removed_by_them"
    wait_for(lambda: [c for c in teams.cards(ALICE.personal_id) if "weekly digest" in texts(c)])
    clock.advance(hours=1)
    assert run_digests(teams_app) == []

    # Recognised: the kudos stands, his 1:1 isn't tried, the giver is told.
    alice_heard = len(teams.fake.activities(ALICE.personal_id))
    given = teams.fake.activity(
        "channel_mention_message",
        text="<at>Delight</at> <at>Bob</at> found the lost parcel",
        entities=[mention(BOT_ID, "Delight"), mention(BOB.member_id, BOB.name, "Bob")],
    )
    assert teams.send(given).status == 200
    confirmation = teams.wait_for_cards(ALICE.personal_id, alice_heard + 1)[alice_heard]
    assert "Teams didn't let me message **Bob Baker**" in texts(confirmation)
    assert len(teams.fake.activities(BOB.personal_id)) == bob_heard
    given_up = query(database_url, "SELECT target, next_attempt_at, last_error FROM outbox")
    assert given_up == [
        {
            "target": BOB.aad_id,
            "next_attempt_at": None,
            "last_error": "recipient_unavailable: removed_by_them",
        }
    ]

    # Installed again: welcomed, and the next round includes him.
    handled(teams, database_url, personal_installation(teams, BOB, "add"))
    assert len(teams.fake.activities(BOB.personal_id)) == bob_heard + 1
    clock.current = NINE_AMSTERDAM + timedelta(days=1, seconds=30)
    [fired] = run_due(teams_app)
    assert "3 of 3" in str(fired.reason)
    assert "Element of the week" in texts(teams.cards(BOB.personal_id)[-1])


# --- a deleted channel -------------------------------------------------------------------------


def test_a_deleted_channel_is_no_longer_offered_and_what_posts_there_pauses_until_restored(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    in_kudos, in_general = schedules_in_kudos_and(teams, clock, database_url, f"channel|{TEAM_ID}")

    deleted = channel_event(teams, "channelDeleted", KUDOS_CHANNEL, "Kudos")
    handled(teams, database_url, deleted)
    assert teams.send(deleted).status == 200
    handled(teams, database_url, channel_event(teams, "channelDeleted", KUDOS_CHANNEL, "Kudos"))

    gone = PLACE_GONE[ChannelProblem.NOT_FOUND]
    assert schedule_state(database_url, in_kudos) == (True, gone)
    [notice] = pause_notices(teams, ALICE)  # once, though Teams said it three times
    assert notice.startswith("I've paused your Delight tip schedule for **Kudos**: its channel")
    assert "resumes by itself if the channel is restored" in notice
    assert schedule_state(database_url, in_general) == (False, None)
    assert f"channel|{KUDOS_CHANNEL}" not in offered_targets(teams)
    # Offered no more: shown only as what is set, said to be deleted.
    form = inputs(dialog_card(task(teams, "task/fetch", {"delight": "settings"})))
    assert [(c["value"], c["title"]) for c in form["channel"]["choices"][:2]] == [
        ("-", "Where it is given (no one channel)"),
        (KUDOS_CHANNEL, "Kudos (deleted)"),
    ]
    status = told(teams, ALICE, "tips status")
    named = "**Kudos** · Mon–Fri at 09:00 (Europe/Amsterdam)"  # a deleted channel keeps its name
    assert f"{named} ⏸️ **Paused** because its channel was deleted" in status

    # The recognition channel is gone: the kudos stands, the giver is told as on Slack.
    alice_heard = len(teams.fake.activities(ALICE.personal_id))
    given = teams.fake.activity(
        "channel_mention_message", text="<at>Delight</at> <at>Bob</at> found the lost parcel"
    )
    assert teams.send(given).status == 200
    confirmation = teams.wait_for_cards(ALICE.personal_id, alice_heard + 1)[alice_heard]
    assert "is archived or deleted, so I couldn't announce it there" in texts(confirmation)
    assert teams.cards(KUDOS_CHANNEL) == []

    clock.current = NINE_AMSTERDAM + timedelta(seconds=30)
    assert [d.schedule_id for d in run_due(teams_app)] == [in_general]

    restored = channel_event(teams, "channelRestored", KUDOS_CHANNEL, "Kudos")
    handled(teams, database_url, restored)
    assert schedule_state(database_url, in_kudos) == (False, None)
    assert f"channel|{KUDOS_CHANNEL}" in offered_targets(teams)
    clock.current = NINE_AMSTERDAM + timedelta(days=1, seconds=30)
    assert sorted(d.schedule_id for d in run_due(teams_app)) == [in_kudos, in_general]
    assert len(teams.cards(KUDOS_CHANNEL)) == 1


def test_an_archived_team_pauses_the_tips_posted_in_it_until_it_is_unarchived(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    in_kudos, to_members = schedules_in_kudos_and(teams, clock, database_url, f"members|{TEAM_ID}")

    archived = team_event(teams, TEAM_ID, "teamArchived")
    handled(teams, database_url, archived)
    assert teams.send(archived).status == 200  # Teams' retry
    handled(teams, database_url, team_event(teams, TEAM_ID, "teamArchived"))  # said again

    # Read only: nothing can be posted in it, but its members are still read and reached 1:1.
    assert schedule_state(database_url, in_kudos) == (True, TEAM_ARCHIVED)
    assert schedule_state(database_url, to_members) == (False, None)
    [notice] = pause_notices(teams, ALICE)  # once, though Teams said it three times
    assert notice.startswith(
        "I've paused your Delight tip schedule for **Kudos**: its team was archived"
    )
    assert "resumes by itself once the team is unarchived" in notice
    status = told(teams, ALICE, "tips status")
    assert "⏸️ **Paused** because its team was archived" in status
    clock.current = NINE_AMSTERDAM + timedelta(seconds=30)
    assert [d.schedule_id for d in run_due(teams_app)] == [to_members]
    assert teams.cards(KUDOS_CHANNEL) == []
    # While archived, its channels aren't offered to post in (its members still are), and a
    # schedule pointed at one anyway is refused.
    offered = offered_targets(teams)
    assert f"channel|{KUDOS_CHANNEL}" not in offered
    assert f"channel|{TEAM_ID}" not in offered
    assert f"members|{TEAM_ID}" in offered
    refused = task(teams, "task/submit", {**SCHEDULE, "target": f"channel|{KUDOS_CHANNEL}"})
    assert "That channel is archived" in str(refused)
    # The recognition channel set there is shown as what is set, said to be archived.
    settings = inputs(dialog_card(task(teams, "task/fetch", {"delight": "settings"})))
    assert [(c["value"], c["title"]) for c in settings["channel"]["choices"]] == [
        ("-", "Where it is given (no one channel)"),
        (KUDOS_CHANNEL, "Kudos (archived)"),
    ]

    handled(teams, database_url, team_event(teams, TEAM_ID, "teamUnarchived"))
    wait_for(lambda: schedule_state(database_url, in_kudos) == (False, None))
    assert f"channel|{KUDOS_CHANNEL}" in offered_targets(teams)
    clock.current = NINE_AMSTERDAM + timedelta(days=1, seconds=30)
    assert sorted(d.schedule_id for d in run_due(teams_app)) == [in_kudos, to_members]
    assert len(teams.cards(KUDOS_CHANNEL)) == 1
    assert len(pause_notices(teams, ALICE)) == 1  # resuming tells no one


def test_a_french_owner_is_told_in_french_that_their_schedule_paused(
    teams: TeamsDriver, clock: FakeClock, database_url: str
) -> None:
    teams.fake.add_channel(TEAM_ID, KUDOS_CHANNEL, "Kudos")
    clock.current = MONDAY_EIGHT
    installed(teams)
    wait_for(lambda: f"channel|{KUDOS_CHANNEL}" in offered_targets(teams))
    create(teams, target=f"channel|{KUDOS_CHANNEL}")
    told(teams, ALICE, "help", locale="fr-FR")  # Alice's Teams speaks French

    deleted = channel_event(teams, "channelDeleted", KUDOS_CHANNEL, "Kudos")
    handled(teams, database_url, deleted, locale="fr-FR")
    [notice] = wait_for(lambda: pause_notices(teams, ALICE, "fr"))
    assert "**Kudos**" in notice
    assert pause_notices(teams, ALICE) == []  # nothing in English

    restored = channel_event(teams, "channelRestored", KUDOS_CHANNEL, "Kudos")
    handled(teams, database_url, restored, locale="fr-FR")
    handled(teams, database_url, bot_left_the_team(teams, TEAM_ID), locale="fr-FR")
    wait_for(lambda: len(pause_notices(teams, ALICE, "fr")) == 2)
    removed_notice = pause_notices(teams, ALICE, "fr")[1]
    assert "**Kudos**" in removed_notice
    assert removed_notice != notice
    assert pause_notices(teams, ALICE) == []
