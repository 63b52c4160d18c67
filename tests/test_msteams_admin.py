"""Teams admin, end to end against the fake Bot Connector: installing Delight in a team (its
channels remembered, its installer an admin), removing it (what delivers through that team
paused, the rest of the tenant's once no team has it; each resumed exactly when it comes back),
the settings dialog (refused to others, saved with an audit entry, a problem shown on its field
with what was typed kept), and `python -m bot audit`."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.__main__ import main
from bot.core.installations import REMOVED_FROM_PLACE, REMOVED_FROM_WORKSPACE
from bot.core.model import WorkspaceSettings
from handlers.msteams.directory import TeamsDirectory
from handlers.msteams.endorsing import endorsing, stored
from handlers.msteams.settings_admin import read_settings, zone_named
from tests.conftest import FakeClock
from tests.fakemsteams import ALICE, BOB, CAROL, TEAM_ID, TENANT_ID, Person
from tests.helpers import execute, query
from tests.teams_driver import TeamsDriver, card_of, texts, wait_for

WORKSPACE = f"msteams:{TENANT_ID}"
KUDOS_CHANNEL = "19:kudos-channel@thread.tacv2"
OTHER_TEAM = "19:other-team@thread.tacv2"


def installed(teams: TeamsDriver, *, team: str = TEAM_ID, name: str = "Store 12") -> None:
    """Alice installs Delight in a team."""
    channel_data = {"team": {"id": team, "name": name}, "channel": {"id": team}}
    activity = teams.fake.activity(
        "installation_update_add", conversation={"id": team}, channelData=channel_data
    )
    assert teams.send(activity).status == 200


def team_event(teams: TeamsDriver, team: str, event: str, **fields: Any) -> dict[str, Any]:
    """A conversationUpdate about the team (`teamDeleted`, `teamRestored`, …); `fields` as
    FakeConnector.activity takes them."""
    return teams.fake.activity(
        "conversation_update_bot_added_to_team",
        membersAdded=None,
        conversation={"id": team},
        channelData={"team": {"id": team}, "channel": {"id": team}, "eventType": event},
        **fields,
    )


def removed(teams: TeamsDriver, *, team: str = TEAM_ID, how: str = "remove") -> None:
    if how == "remove":
        activity = teams.fake.activity(
            "installation_update_add",
            action="remove",
            conversation={"id": team},
            channelData={"team": {"id": team}, "channel": {"id": team}},
        )
    else:
        activity = team_event(teams, team, how)
    assert teams.send(activity).status == 200


def teams_rows(database_url: str) -> list[dict[str, Any]]:
    return query(
        database_url,
        "SELECT msteams_team_id, name, installed_by, removed_at FROM msteams_teams "
        "WHERE workspace_id = :w ORDER BY msteams_team_id",
        w=WORKSPACE,
    )


def task(teams: TeamsDriver, name: str, data: dict[str, Any], sender: Person) -> Any:
    activity = teams.fake.activity(
        "card_action_execute",
        name=name,
        from_=sender.sender(),
        conversation={"id": sender.personal_id, "conversationType": "personal"},
        channelData={"team": None, "channel": None},
        value={"data": data},
    )
    reply = teams.send(activity)
    assert reply.status == 200
    return reply.json()


def said_to(teams: TeamsDriver, person: Person, text: str, **fields: Any) -> dict[str, Any]:
    """`text` typed in their 1:1 chat with Delight (the activity's other `fields` changed), and
    the card it answered with."""
    before = len(teams.fake.activities(person.personal_id))
    activity = teams.fake.activity(
        "personal_message",
        text=text,
        from_=person.sender(),
        conversation={"id": person.personal_id},
        **fields,
    )
    assert teams.send(activity).status == 200
    return card_of(
        wait_for(lambda: (a := teams.fake.activities(person.personal_id))[before:] and a)[-1]
    )


def dialog_card(answer: Any) -> dict[str, Any]:
    assert answer["task"]["type"] == "continue", answer
    card: dict[str, Any] = answer["task"]["value"]["card"]["content"]
    return card


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {part["id"]: part for part in card["body"] if part.get("id")}


def a_schedule(
    database_url: str, *, paused_reason: str | None = None, channel: str = TEAM_ID
) -> int:
    """A tip schedule in a channel (the team's General), made as before Teams could make one."""
    execute(
        database_url,
        "INSERT INTO tip_schedule (team_id, channel_id, owner_id, weekdays, at, timezone, "
        "start_date, paused, paused_reason, created_at) VALUES (:team, :channel, :owner, "
        "'0,1,2,3,4', '09:00', 'Europe/Amsterdam', :start, :paused, :reason, :created)",
        team=WORKSPACE,
        channel=channel,
        owner=ALICE.aad_id,
        start=date(2026, 11, 2),
        paused=paused_reason is not None,
        reason=paused_reason,
        created=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return int(query(database_url, "SELECT max(id) AS id FROM tip_schedule")[0]["id"])


def schedule_state(database_url: str, schedule_id: int) -> tuple[bool, str | None]:
    [row] = query(
        database_url,
        "SELECT paused, paused_reason FROM tip_schedule WHERE id = :id",
        id=schedule_id,
    )
    return bool(row["paused"]), row["paused_reason"]


# --- installing and removing ------------------------------------------------------------------


def test_installed_in_a_team_delight_remembers_its_channels_and_its_installer(
    teams: TeamsDriver, database_url: str
) -> None:
    teams.fake.add_channel(TEAM_ID, KUDOS_CHANNEL, "Kudos")
    installed(teams)

    wait_for(lambda: teams_rows(database_url))
    [team] = teams_rows(database_url)
    assert (team["name"], team["installed_by"], team["removed_at"]) == (
        "Store 12",
        ALICE.aad_id,
        None,
    )
    channels = wait_for(
        lambda: len(rows := channel_rows(database_url)) == 2 and rows  # General and Kudos
    )
    assert any("/teams/" in call.path for call in teams.fake.calls)
    assert {(c["conversation_id"], c["name"], c["msteams_team_id"]) for c in channels} == {
        (TEAM_ID, "Store 12", TEAM_ID),  # (the General channel is named by its team)
        (KUDOS_CHANNEL, "Kudos", TEAM_ID),
    }
    # A channel created later is remembered too.
    created = teams.fake.activity(
        "conversation_update_bot_added_to_team",
        membersAdded=None,
        channelData={"eventType": "channelCreated", "channel": {"id": "19:new", "name": "Wins"}},
    )
    assert teams.send(created).status == 200
    wait_for(lambda: len(channel_rows(database_url)) == 3)
    # The installer is an admin: the settings open for her, with the channels by name.
    card = dialog_card(task(teams, "task/fetch", {"delight": "settings"}, ALICE))
    titles = [c["title"] for c in inputs(card)["channel"]["choices"]]
    assert titles[1:] == ["Store 12 › General", "Store 12 › Kudos", "Store 12 › Wins"]


def channel_rows(database_url: str) -> list[dict[str, Any]]:
    return query(
        database_url,
        "SELECT conversation_id, name, msteams_team_id FROM msteams_conversations "
        "WHERE workspace_id = :w AND kind = 'channel' ORDER BY conversation_id",
        w=WORKSPACE,
    )


def test_removed_from_its_last_team_the_schedules_pause_and_installing_again_resumes_them(
    teams: TeamsDriver, database_url: str, clock: FakeClock
) -> None:
    teams.fake.add_channel(OTHER_TEAM, OTHER_TEAM, None)
    installed(teams)
    installed(teams, team=OTHER_TEAM, name="Warehouse")
    wait_for(lambda: len(teams_rows(database_url)) == 2)
    # In a channel Delight no longer knows of: it depends on no team Delight is in.
    running = a_schedule(database_url, channel="19:forgotten@thread.tacv2")
    in_other_team = a_schedule(database_url, channel=OTHER_TEAM)
    paused_by_admin = a_schedule(database_url, paused_reason="paused by an admin")

    clock.advance(minutes=1)
    removed(teams)  # one team of two: only what delivers through it stops
    wait_for(lambda: teams_rows(database_url)[-1]["removed_at"] is not None)
    assert schedule_state(database_url, running) == (False, None)
    assert schedule_state(database_url, in_other_team) == (False, None)

    clock.advance(minutes=1)
    removed(teams, team=OTHER_TEAM, how="teamDeleted")  # the last team
    wait_for(lambda: schedule_state(database_url, running)[0])
    assert schedule_state(database_url, running) == (True, REMOVED_FROM_WORKSPACE)
    assert schedule_state(database_url, in_other_team) == (True, REMOVED_FROM_PLACE)
    assert schedule_state(database_url, paused_by_admin) == (True, "paused by an admin")
    # Alice no longer is an admin: she installed Delight in no team that still has it.
    refused = task(teams, "task/fetch", {"delight": "settings"}, ALICE)
    assert refused["task"]["type"] == "message"

    clock.advance(minutes=1)
    installed(teams)
    wait_for(lambda: not schedule_state(database_url, running)[0])
    assert schedule_state(database_url, running) == (False, None)
    assert schedule_state(database_url, in_other_team) == (True, REMOVED_FROM_PLACE)
    assert schedule_state(database_url, paused_by_admin) == (True, "paused by an admin")
    assert task(teams, "task/fetch", {"delight": "settings"}, ALICE)["task"]["type"] == "continue"


def test_a_deleted_team_restored_resumes_what_its_deletion_paused_and_keeps_its_installer(
    teams: TeamsDriver, database_url: str, clock: FakeClock
) -> None:
    teams.fake.add_channel(OTHER_TEAM, OTHER_TEAM, None)
    for team, name in ((TEAM_ID, "Store 12"), (OTHER_TEAM, "Warehouse")):  # both by Alice
        # Resumed by the install's last step: once it is, that install is all done (a deletion
        # acted on meanwhile would be undone by the install resuming what it paused).
        last_step = a_schedule(database_url, paused_reason=REMOVED_FROM_WORKSPACE)
        installed(teams, team=team, name=name)
        wait_for(lambda step=last_step: not schedule_state(database_url, step)[0])
    in_other_team = a_schedule(database_url, channel=OTHER_TEAM)
    paused_by_admin = a_schedule(database_url, channel=OTHER_TEAM, paused_reason="by an admin")

    clock.advance(minutes=1)
    removed(teams, team=OTHER_TEAM, how="teamDeleted")
    wait_for(lambda: schedule_state(database_url, in_other_team)[0])
    assert schedule_state(database_url, in_other_team) == (True, REMOVED_FROM_PLACE)

    # Bob, a Teams admin, restores it: Delight comes back with it, and Bob is no installer.
    clock.advance(minutes=1)
    restored = team_event(teams, OTHER_TEAM, "teamRestored", from_=BOB.sender())
    assert teams.send(restored).status == 200
    wait_for(lambda: not schedule_state(database_url, in_other_team)[0])
    assert schedule_state(database_url, in_other_team) == (False, None)
    assert schedule_state(database_url, paused_by_admin) == (True, "by an admin")
    [_, warehouse] = teams_rows(database_url)
    assert warehouse["removed_at"] is None
    assert warehouse["installed_by"] == ALICE.aad_id
    assert task(teams, "task/fetch", {"delight": "settings"}, BOB)["task"]["type"] == "message"


# --- the settings ---------------------------------------------------------------------------


def test_settings_are_refused_to_anyone_but_an_admin_who_never_sees_the_form(
    teams: TeamsDriver, database_url: str
) -> None:
    installed(teams)  # by Alice
    wait_for(lambda: teams_rows(database_url))

    refusal = texts(said_to(teams, CAROL, "settings"))
    assert "Only Delight admins" in refusal
    assert "Workspace settings" not in refusal
    refused = task(teams, "task/fetch", {"delight": "settings"}, CAROL)
    assert refused["task"]["type"] == "message"
    assert "Only Delight admins" in refused["task"]["value"]
    sneaked = task(teams, "task/submit", {"delight": "settings", "daily_limit": "999"}, CAROL)
    assert sneaked["task"]["type"] == "message"
    assert query(database_url, "SELECT * FROM workspace_settings") == []
    assert query(database_url, "SELECT * FROM audit_log") == []


def submitted(**changes: Any) -> dict[str, Any]:
    values = {
        "delight": "settings",
        "channel": KUDOS_CHANNEL,
        "daily_limit": "3",
        "require_element": "false",
        "leaderboards": "true",
        "reactions": "like,laugh",
        "admins": BOB.aad_id,
        "timezone": "new york",
        "language": "en",
    }
    return {**values, **changes}


def test_an_admin_changes_the_settings_and_the_change_is_in_the_audit_log(
    teams: TeamsDriver, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    teams.fake.add_channel(TEAM_ID, KUDOS_CHANNEL, "Kudos")
    installed(teams)
    wait_for(lambda: len(channel_rows(database_url)) == 2)

    card = said_to(teams, ALICE, "settings")
    [button] = card["actions"]
    assert button["data"] == {"msteams": {"type": "task/fetch"}, "delight": "settings"}
    form = inputs(dialog_card(task(teams, "task/fetch", button["data"], ALICE)))
    assert form["channel"]["value"] == "-"  # where it's given
    assert form["daily_limit"]["value"] == 10
    assert form["reactions"]["value"] == "like,heart"

    done = task(teams, "task/submit", submitted(), ALICE)
    assert done["task"] == {"type": "message", "value": "Settings saved."}

    # Bob, named an extra admin, sees what Alice chose.
    again = inputs(dialog_card(task(teams, "task/fetch", {"delight": "settings"}, BOB)))
    assert again["channel"]["value"] == KUDOS_CHANNEL
    assert again["daily_limit"]["value"] == 3
    assert again["leaderboards"]["value"] == "true"
    assert again["reactions"]["value"] == "like,laugh"
    assert again["admins"]["value"] == BOB.aad_id
    assert again["admins"]["choices"] == [{"title": BOB.name, "value": BOB.aad_id}]
    assert again["timezone"]["value"] == "America/New_York"
    # The home card's admin section opens the same dialog.
    home = said_to(teams, ALICE, "home")
    assert {"msteams": {"type": "task/fetch"}, "delight": "settings"} in [
        a.get("data") for part in home["body"] for a in part.get("actions", [])
    ]

    # Recognition given in a thread of General is now announced in Kudos.
    given = teams.fake.activity(
        "channel_mention_message", text="<at>Delight</at> <at>Bob</at> found the lost parcel"
    )
    assert teams.send(given).status == 200
    [announcement] = teams.wait_for_cards(KUDOS_CHANNEL)
    assert "found the lost parcel" in texts(announcement)
    assert teams.cards(given["conversation"]["id"]) == []

    [entry] = query(database_url, "SELECT * FROM audit_log")
    assert (entry["team_id"], entry["actor_id"], entry["action"]) == (
        WORKSPACE,
        ALICE.aad_id,
        "settings.changed",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["audit", "--workspace", WORKSPACE.upper()]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert f"{ALICE.aad_id}  settings.changed" in line
    assert '"daily_limit": {"from": 10, "to": 3}' in line
    assert f'"recognition_channel_id": {{"from": null, "to": "{KUDOS_CHANNEL}"}}' in line
    assert '"default_timezone": {"from": null, "to": "America/New_York"}' in line
    assert f'"admin_ids": {{"from": [], "to": ["{BOB.aad_id}"]}}' in line


def test_a_problem_shows_on_its_field_with_what_was_typed_kept(
    teams: TeamsDriver, database_url: str
) -> None:
    teams.fake.add_channel(TEAM_ID, KUDOS_CHANNEL, "Kudos")
    installed(teams)
    wait_for(lambda: len(channel_rows(database_url)) == 2)

    typed = submitted(daily_limit="5000", timezone="Atlantis", admins=f"{BOB.aad_id},29:xyz")
    card = dialog_card(task(teams, "task/submit", typed, ALICE))

    form = inputs(card)
    assert form["daily_limit"]["value"] == 5000
    assert form["daily_limit"]["errorMessage"] == "Use a whole number from 1 to 1,000."
    assert form["timezone"]["value"] == "Atlantis"
    assert "timezone" in form["timezone"]["errorMessage"]
    assert "Pick people" in form["admins"]["errorMessage"]
    assert form["channel"]["value"] == KUDOS_CHANNEL  # the rest as typed, too
    assert form["reactions"]["value"] == "like,laugh"
    assert form["leaderboards"]["value"] == "true"
    shown = texts(card)
    assert "Use a whole number from 1 to 1,000." in shown
    assert query(database_url, "SELECT * FROM workspace_settings") == []
    assert query(database_url, "SELECT * FROM audit_log") == []

    fixed = task(teams, "task/submit", submitted(daily_limit="50"), ALICE)
    assert fixed["task"]["type"] == "message"
    [row] = query(database_url, "SELECT daily_limit, default_timezone FROM workspace_settings")
    assert (row["daily_limit"], row["default_timezone"]) == (50, "America/New_York")


def test_a_channel_not_among_the_teams_channels_is_refused(
    teams: TeamsDriver, database_url: str
) -> None:
    installed(teams)
    wait_for(lambda: teams_rows(database_url))  # with its installer: an admin
    card = dialog_card(task(teams, "task/submit", submitted(channel="19:elsewhere"), ALICE))
    assert inputs(card)["channel"]["errorMessage"] == "Pick a channel from the list."


# --- the parts, without the app -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Amsterdam", "Europe/Amsterdam"),
        ("europe/amsterdam", "Europe/Amsterdam"),
        ("Amsterdam", "Europe/Amsterdam"),
        ("new  york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("UTC", "UTC"),
        ("Atlantis", None),
        ("../etc/passwd", None),
    ],
)
def test_a_typed_timezone_is_a_zone_or_a_city(typed: str, zone: str | None) -> None:
    assert zone_named(typed) == zone


def test_reading_the_dialog_tolerates_odd_values_and_names_what_it_cannot_read() -> None:
    form, problems = read_settings(
        {
            "channel": "-",
            "daily_limit": 7,
            "leaderboards": True,
            "reactions": "heart,like,thumbsdown",
            "admins": f"{BOB.aad_id.upper()}; {BOB.aad_id}",
            "language": "nl",
        },
        known_channels=set(),
    )
    assert problems == {}
    assert (form.recognition_channel_id, form.daily_limit, form.leaderboard_enabled) == (
        None,
        "7",
        True,
    )
    assert form.endorsement_reaction is None  # like and heart: the default
    assert form.admin_ids == (BOB.aad_id,)
    assert (form.language, form.default_timezone, form.require_element) == ("nl", None, False)
    _form, problems = read_settings(
        {"channel": "19:unknown", "reactions": "", "admins": "bob", "timezone": "Mars/Base"},
        known_channels={KUDOS_CHANNEL},
    )
    assert set(problems) == {
        "recognition_channel_id",
        "endorsement_reaction",
        "admin_ids",
        "default_timezone",
    }


def test_someone_whose_timezone_teams_never_sent_is_in_the_organisation_s_default() -> None:
    class Book:
        async def member(self, _workspace: str, user_id: str) -> Any:
            return SimpleNamespace(
                user_id=user_id, name="Bob", is_bot=False, timezone=None, locale=None
            )

    class Installs:
        async def is_installer(self, _workspace: str, user_id: str) -> bool:
            return user_id == ALICE.aad_id

    class Settings:
        async def get(self, team_id: str) -> WorkspaceSettings:
            return WorkspaceSettings(team_id, None, 10, default_timezone="America/New_York")

    directory = TeamsDirectory(
        Book(),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        FakeClock(),
        installs=Installs(),  # type: ignore[arg-type]
        settings=Settings(),
    )
    bob = asyncio.run(directory.person(WORKSPACE, BOB.aad_id))
    alice = asyncio.run(directory.person(WORKSPACE, ALICE.aad_id))
    assert bob is not None
    assert alice is not None
    assert (bob.tz, bob.is_admin, alice.is_admin) == ("America/New_York", False, True)


def test_the_endorsing_reactions_are_like_and_heart_unless_others_were_picked() -> None:
    assert endorsing(None) == {"like", "heart"}
    assert endorsing(stored(["laugh", "like"])) == {"like", "laugh"}
    assert stored(["heart", "like"]) is None
    assert stored(["angry", "like", "sad"]) == "like,sad,angry"
