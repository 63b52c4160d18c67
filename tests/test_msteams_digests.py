"""Teams: managers' teams made through the admin's dialogs, the weekly digest in each manager's
1:1 chat at their hour, See everyone, a refused 1:1, `digest`, and the chart Delight serves
itself; end to end against the fake Bot Connector, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from bot.config import ConfigError, load_settings
from bot.core.digest import Digest, Received, build_digest
from bot.core.digest_delivery import RETRY_AFTER, Outcome
from bot.core.digest_week import DigestSchedule, week_of
from bot.core.elements import Element
from bot.core.teams import Team
from bot.i18n import speaking
from handlers.msteams.digest_card import digest_card, full_list_card
from handlers.msteams.teams_card import teams_card
from handlers.msteams.text import Names
from storage.engine import alembic_config, make_sync_engine
from tests.conftest import FakeClock
from tests.digest_helpers import ledger, run_due
from tests.driver import RunningApp
from tests.fakemsteams import ALICE, BOB, BOT_ID, CAROL, TEAM_ID, TENANT_ID, Person, mention
from tests.helpers import query
from tests.node_checks import check_cards
from tests.teams_driver import TeamsDriver, card_of, texts, wait_for

TEAM_CREATED = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # Monday of the covered week
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
MONDAY_NINE_NEW_YORK = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
MONDAY_NINE_UTC = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAVE_AAD = "0b8a7c55-3a1e-4d2f-9c61-5e0f4a2b7d10"


def personal(sender: Person, **fields: Any) -> dict[str, Any]:
    return {
        "from_": sender.sender(),
        "conversation": {"id": sender.personal_id, "conversationType": "personal", "isGroup": None},
        "channelData": {
            "tenant": {"id": TENANT_ID},
            "team": None,
            "channel": None,
            "teamsChannelId": None,
            "teamsTeamId": None,
        },
        **fields,
    }


def say(teams: TeamsDriver, sender: Person, text: str, timezone: str = "Europe/Amsterdam") -> None:
    client = {"type": "clientInfo", "locale": "en-US", "timezone": timezone}
    activity = teams.fake.activity(
        "personal_message", text=text, entities=[client], **personal(sender)
    )
    assert teams.send(activity).status == 200


def invoke(teams: TeamsDriver, name: str, data: dict[str, Any], sender: Person, **more: Any) -> Any:
    fields = {"name": name, "value": {"data": data}, **personal(sender), **more}
    activity = teams.fake.activity("card_action_execute", **fields)
    reply = teams.send(activity)
    assert reply.status == 200, reply.body
    return reply.json()


def execute(teams: TeamsDriver, verb: str, data: dict[str, Any], sender: Person) -> Any:
    action = {"type": "Action.Execute", "verb": verb, "data": data}
    return invoke(teams, "adaptiveCard/action", {}, sender, value={"action": action})


def cards_saying(teams: TeamsDriver, person: Person, words: str) -> list[dict[str, Any]]:
    return [c for c in teams.cards(person.personal_id) if words in texts(c)]


def give(teams: TeamsDriver, clock: FakeClock, database_url: str, at: datetime, story: str) -> None:
    """Alice recognises Carol in the team's channel, at `at`."""
    clock.current = at
    before = len(query(database_url, "SELECT id FROM kudos"))
    activity = teams.fake.activity(
        "channel_mention_message",
        text=f"<at>Delight</at> <at>Carol</at> {story} #voluntary",
        entities=[mention(BOT_ID, "Delight"), mention(CAROL.member_id, CAROL.name, "Carol")],
    )
    assert teams.send(activity).status == 200
    wait_for(lambda: len(query(database_url, "SELECT id FROM kudos")) > before)


def make_team(
    teams: TeamsDriver,
    clock: FakeClock,
    *,
    name: str = "Support EMEA",
    managers: tuple[Person, ...] = (BOB,),
    members: str = CAROL.aad_id,
    rosters: str = "",
) -> Any:
    """As the admin does it: the New team button's dialog, filled in and saved."""
    saved_at = clock.current
    clock.current = TEAM_CREATED
    try:
        opened = invoke(teams, "task/fetch", {"delight": "team", "team_pk": None}, ALICE)
        assert opened["task"]["type"] == "continue"
        form = {
            "delight": "team",
            "team_pk": None,
            "name": name,
            "managers": ",".join(m.aad_id for m in managers),
            "members": members,
            "rosters": rosters,
        }
        return invoke(teams, "task/submit", form, ALICE)
    finally:
        clock.current = saved_at


def installed(teams: TeamsDriver) -> None:
    """Installed in the team by Alice (its admin); Bob talked to Delight from New York."""
    assert teams.act("installation_update_add").status == 200
    say(teams, BOB, "help", timezone="America/New_York")
    wait_for(lambda: teams.cards(BOB.personal_id))


def test_an_admin_makes_a_team_and_its_manager_gets_the_digest_once_at_nine_in_new_york(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams)
    dave = teams.fake.add_member(TENANT_ID, DAVE_AAD, "Dave Dunn")
    say(teams, ALICE, "teams")
    [listing] = wait_for(lambda: cards_saying(teams, ALICE, "No teams yet"))

    # A problem shows in the dialog, on its field, with what was typed kept.
    clock.current = TEAM_CREATED
    unnamed = {
        "delight": "team",
        "team_pk": None,
        "name": " ",
        "managers": BOB.aad_id,
        "members": CAROL.aad_id,
    }
    again = invoke(teams, "task/submit", unnamed, ALICE)
    card = again["task"]["value"]["card"]["content"]
    assert "Give the team a name" in texts(card)
    managers = next(p for p in card["body"] if p.get("id") == "managers")
    assert managers["value"] == BOB.aad_id
    assert managers["choices"] == [{"title": "Bob Baker", "value": BOB.aad_id}]

    # Carol never talked to Delight: the team's roster says who she is. The team's members
    # come from the people picked and from the Teams team's roster (Dave).
    listing_id = teams.fake.activities(ALICE.personal_id)[-1]["id"]
    form = {**unnamed, "name": "Support EMEA", "rosters": TEAM_ID}
    done = invoke(teams, "task/submit", form, ALICE, replyToId=listing_id)
    assert done == {"task": {"type": "message", "value": "The team “Support EMEA” is saved."}}
    assert "Support EMEA" in texts(card_of(teams.fake.activities(ALICE.personal_id)[-1]))
    assert listing

    give(teams, clock, database_url, WEDNESDAY, "stayed late to fix a refund")
    for day in (1, 2):
        give(teams, clock, database_url, WEDNESDAY + timedelta(days=day), f"story number {day}")
    teams.fake.add_member(TENANT_ID, dave.aad_id, "Dave Dunn")  # still in the team

    clock.current = MONDAY_NINE_NEW_YORK - timedelta(minutes=1)
    assert run_due(teams_app) == []
    clock.current = MONDAY_NINE_NEW_YORK + timedelta(seconds=30)
    assert teams_app.runtime is not None
    service = teams_app.runtime.services.digests.digests

    async def two_clocks() -> list[list[Outcome]]:
        return await asyncio.gather(service.run_due(), service.run_due())

    sent = [o for batch in teams_app.call(two_clocks()) for o in batch]
    assert [(o.manager_id, o.week, o.status) for o in sent] == [(BOB.aad_id, "2026-W47", "sent")]
    assert run_due(teams_app) == []

    [digest] = cards_saying(teams, BOB, "week in Delight")
    words = texts(digest)
    assert "Your team's week in Delight — Support EMEA, 16\u2009–\u200922 Nov 2026" in words
    assert "story number 2" in words
    assert "stayed late to fix a refund" not in words
    assert "and 1 more story" in words  # two stories a person here; See everyone has all
    assert "Carol Chen" in words
    assert "Alice Archer" in words  # the giver; and from the roster: in the team, unrecognised
    assert "Nobody has recognised" in words
    assert "Dave Dunn" in words
    assert "Bob Baker" not in words.split("Nobody has recognised")[1]  # managers aren't members
    assert "avg" in words  # no DELIGHT_PUBLIC_URL: text bars
    assert not any(p.get("type") == "Image" for p in digest["body"])
    [row] = ledger(database_url)
    assert (row["manager_id"], row["status"]) == (BOB.aad_id, "sent")

    # See everyone: the full list, in place, for the team's manager only.
    [everyone] = [a for a in digest.get("actions", []) if a.get("verb") == "digest_everyone"]
    answered = execute(teams, "digest_everyone", everyone["data"], BOB)
    assert answered["type"] == "application/vnd.microsoft.card.adaptive"
    full = texts(answered["value"])
    assert "Support EMEA, 16\u2009–\u200922 Nov 2026: everyone" in full
    assert all(f"story number {n}" in full for n in (1, 2))
    assert "stayed late to fix a refund" in full
    refused = execute(teams, "digest_everyone", everyone["data"], ALICE)
    assert refused["type"] == "application/vnd.microsoft.activity.message"
    assert refused["value"] == ""


def test_a_manager_whose_1_1_teams_refuses_is_recorded_and_the_teams_creator_told(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams)
    done = make_team(teams, clock, managers=(CAROL,), members=BOB.aad_id)
    assert done["task"]["type"] == "message"
    teams.fake.refuse_personal(CAROL.aad_id)

    clock.current = MONDAY_NINE_UTC + timedelta(seconds=5)  # nobody knows Carol's zone: UTC
    assert [(o.manager_id, o.status) for o in run_due(teams_app)] == [(CAROL.aad_id, "failed")]
    [row] = ledger(database_url)
    assert row["reason"] == "recipient_unavailable: not_installed"

    [told] = wait_for(lambda: cards_saying(teams, ALICE, "couldn't deliver the weekly digest"))
    assert "Support EMEA" in texts(told)
    assert "Carol Chen" in texts(told)

    tries = len([c for c in teams.fake.calls if c.path.endswith("/v3/conversations")])
    clock.current += RETRY_AFTER * 3
    assert run_due(teams_app) == []  # never tried again
    assert len([c for c in teams.fake.calls if c.path.endswith("/v3/conversations")]) == tries


def test_digest_and_digest_last_in_the_1_1_chat(
    teams: TeamsDriver, teams_app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    installed(teams)
    make_team(teams, clock)
    give(teams, clock, database_url, WEDNESDAY, "kept the queue moving")

    say(teams, ALICE, "digest")
    wait_for(lambda: cards_saying(teams, ALICE, "you don't manage one yet"))
    say(teams, BOB, "digest last")
    wait_for(lambda: cards_saying(teams, BOB, "I haven't sent you a digest yet"))
    clock.current = WEDNESDAY + timedelta(hours=5)
    say(teams, BOB, "digest")
    [so_far] = wait_for(lambda: cards_saying(teams, BOB, "week so far"))
    assert "kept the queue moving" in texts(so_far)

    clock.current = MONDAY_NINE_NEW_YORK + timedelta(seconds=1)
    assert [o.status for o in run_due(teams_app)] == ["sent"]
    say(teams, BOB, "digest last")
    wait_for(lambda: len(cards_saying(teams, BOB, "Your team's week in Delight")) == 2)


def test_only_admins_see_the_teams_card_and_its_dialogs(
    teams: TeamsDriver, clock: FakeClock
) -> None:
    installed(teams)
    say(teams, CAROL, "teams")
    [refusal] = wait_for(lambda: cards_saying(teams, CAROL, "Only Delight admins"))
    assert "New team" not in texts(refusal)
    opened = invoke(teams, "task/fetch", {"delight": "team", "team_pk": None}, CAROL)
    assert opened["task"]["type"] == "message"
    sneaked = invoke(
        teams,
        "task/submit",
        {"delight": "team", "name": "Mine", "managers": CAROL.aad_id, "members": BOB.aad_id},
        CAROL,
    )
    assert sneaked["task"]["type"] == "message"
    assert "Only Delight admins" in sneaked["task"]["value"]
    schedule = invoke(teams, "task/fetch", {"delight": "digest_schedule"}, CAROL)
    assert schedule["task"]["type"] == "message"

    opened = invoke(teams, "task/fetch", {"delight": "digest_schedule"}, ALICE)
    assert opened["task"]["type"] == "continue"
    saved = invoke(
        teams,
        "task/submit",
        {"delight": "digest_schedule", "day": "4", "hour": "16", "charts": "false"},
        ALICE,
    )
    assert saved["task"]["type"] == "message"
    say(teams, ALICE, "teams")
    [listing] = wait_for(lambda: cards_saying(teams, ALICE, "Fridays"))
    assert "16:00" in texts(listing)
    assert "charts off" in texts(listing)


@pytest.fixture
def public_url(teams_env: dict[str, str]) -> str:
    teams_env["DELIGHT_PUBLIC_URL"] = "https://delight.example/"
    return "https://delight.example"


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def test_the_chart_is_served_at_an_unguessable_address_until_it_expires(
    public_url: str,
    teams: TeamsDriver,
    teams_app: RunningApp,
    clock: FakeClock,
    database_url: str,
) -> None:
    installed(teams)
    make_team(teams, clock)
    give(teams, clock, database_url, WEDNESDAY, "found the lost parcel")
    clock.current = MONDAY_NINE_NEW_YORK + timedelta(seconds=1)
    assert [o.status for o in run_due(teams_app)] == ["sent"]

    [digest] = cards_saying(teams, BOB, "week in Delight")
    [image] = [p for p in digest["body"] if p.get("type") == "Image"]
    assert image["url"].startswith(public_url + "/charts/")
    assert image["altText"]
    assert "avg" not in texts(digest)
    path = image["url"].removeprefix(public_url)
    status, kind, png = get(teams_app.url + path)
    assert (status, kind) == (200, "image/png")
    assert png.startswith(b"\x89PNG")
    assert get(teams_app.url + "/charts/" + "x" * 43 + ".png")[0] == 404

    clock.current += timedelta(days=29)
    assert get(teams_app.url + path)[0] == 404


def test_the_public_url_must_be_https(teams_env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="DELIGHT_PUBLIC_URL"):
        load_settings({**teams_env, "DELIGHT_PUBLIC_URL": "http://delight.example"})
    assert load_settings(teams_env).public_url is None


def test_0014_adds_the_chart_table_and_downgrades_to_0013(database_url: str) -> None:
    config = alembic_config(database_url)

    def inspected() -> tuple[bool, set[str]]:
        engine = make_sync_engine(database_url)
        try:
            inspector = sa.inspect(engine)
            if not inspector.has_table("digest_chart"):
                return False, set()
            return True, {str(i["name"]) for i in inspector.get_indexes("digest_chart")}
        finally:
            engine.dispose()

    assert inspected() == (True, {"ix_digest_chart_expires"})  # at head already
    command.downgrade(config, "0013")
    assert inspected() == (False, set())
    command.upgrade(config, "head")  # this database is shared: leave it at the newest
    assert inspected() == (True, {"ix_digest_chart_expires"})


# --- the cards on their own: a big team, many teams, another language ----------------------


def big_digest(people: int, stories: int) -> Digest:
    week = week_of(date(2026, 11, 16), "Europe/Amsterdam")
    received = [
        Received(
            kudos_id=n * 100 + s,
            recipient_id=f"{n:08d}-0000-4000-8000-000000000000",
            giver_id=ALICE.aad_id,
            story=f"person {n} story {s} " + "went the extra mile *again* " * 10,
            created_at=week.start + timedelta(hours=s + 1),
            elements=(Element.VOLUNTARY,),
            endorsements=s % 3,
            private=s == 0,
        )
        for n in range(people)
        for s in range(stories)
    ]
    members = [r.recipient_id for r in received] + [CAROL.aad_id]
    return build_digest(
        team_pk=7, team_name="Support *EMEA*", week=week, member_ids=members, received=received
    )


def test_a_big_teams_full_list_fits_one_teams_message_and_says_how_many_more() -> None:
    digest = big_digest(people=60, stories=4)
    compact = digest_card(digest, Names(), chart_url=None)
    full = full_list_card(digest, Names())
    assert len(json.dumps(full.card).encode()) < 28_000
    assert "more people recognised" in texts(full.card)
    assert "Support \\*EMEA\\*" in texts(compact.card)  # the name is shown as written
    assert "*EMEA*" in compact.summary
    assert [a["verb"] for a in compact.card["actions"]] == ["digest_everyone"]
    assert check_cards([compact.card, full.card]) == [[], []]


def test_many_teams_page_through_the_teams_card() -> None:
    teams = [
        Team(id=n, team_id=f"msteams:{TENANT_ID}", name=f"Team {n}", manager_ids=(BOB.aad_id,))
        for n in range(1, 31)
    ]
    first = teams_card(teams, DigestSchedule(f"msteams:{TENANT_ID}"), Names())
    second = teams_card(teams, DigestSchedule(f"msteams:{TENANT_ID}"), Names(), page=1)
    assert "Team 25" in texts(first.card)
    assert "Team 26" not in texts(first.card)
    assert "Team 30" in texts(second.card)
    assert check_cards([first.card, second.card]) == [[], []]


def test_a_dutch_manager_reads_the_digest_in_dutch_with_dutch_dates() -> None:
    digest = big_digest(people=2, stories=1)
    with speaking("nl"):
        card = digest_card(digest, Names(), chart_url=None)
    assert "De week van je team in Delight" in texts(card.card)
    assert "16–22 nov 2026" in texts(card.card)
    assert "Your team" not in texts(card.card)
