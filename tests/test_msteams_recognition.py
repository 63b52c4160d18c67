"""Recognising a colleague in Teams, end to end: signed activities in, cards out through the
fake Bot Connector, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.fakemsteams import ALICE, BOB, BOT_ID, CAROL, TEAM_ID, mention
from tests.teams_driver import TeamsDriver, texts


def recognise(teams: TeamsDriver, text: str, *people_mentioned: dict[str, Any]) -> str:
    """Post the message in a channel's thread; the thread's conversation id."""
    activity = teams.fake.activity(
        "channel_mention_message",
        text=text,
        entities=[mention(BOT_ID, "Delight"), *people_mentioned],
    )
    assert teams.send(activity).status == 200
    thread: str = activity["conversation"]["id"]
    assert thread.startswith(TEAM_ID + ";messageid=")
    return thread


def test_a_mention_in_a_channel_announces_tells_the_recipient_and_confirms_privately(
    teams: TeamsDriver,
) -> None:
    thread = recognise(
        teams,
        "<at>Delight</at> <at>Bob</at> stayed after close to help a customer find a gift "
        "#voluntary",
        mention(BOB.member_id, "Bob Baker", "Bob"),
    )
    confirmation = texts(teams.wait_for_cards(ALICE.personal_id)[0])
    assert "Bob Baker" in confirmation
    announcement = texts(teams.wait_for_cards(thread)[0])
    assert "Alice Archer" in announcement and "Bob Baker" in announcement
    assert "stayed after close to help a customer find a gift" in announcement
    to_bob = texts(teams.wait_for_cards(BOB.personal_id)[0])
    assert "Alice Archer" in to_bob and "stayed after close" in to_bob


def test_an_activity_without_a_valid_token_is_refused_and_does_nothing(
    teams: TeamsDriver,
) -> None:
    activity = teams.fake.activity("personal_message", text="help")
    assert teams.send(activity, authorization=None).status == 401
    assert teams.send(activity, authorization=teams.fake.bearer(activity, aud="x")).status == 401
    assert teams.fake.calls == []


def test_help_in_the_personal_chat(teams: TeamsDriver) -> None:
    assert teams.act("personal_message", text="help").status == 200
    assert "help" in texts(teams.wait_for_cards(ALICE.personal_id)[0]).lower()


def test_a_repeated_activity_is_acted_on_once(teams: TeamsDriver) -> None:
    activity = teams.fake.activity("personal_message", text="help")
    assert teams.send(activity).status == 200
    assert teams.send(activity).status == 200
    teams.wait_for_cards(ALICE.personal_id)
    assert len(teams.cards(ALICE.personal_id)) == 1


def test_a_refused_one_to_one_keeps_the_kudos_and_tells_the_giver(teams: TeamsDriver) -> None:
    teams.fake.refuse_personal(CAROL.aad_id)
    thread = recognise(
        teams,
        "<at>Delight</at> <at>Carol</at> found the gift a customer wanted #delight",
        mention(CAROL.member_id, "Carol Chen", "Carol"),
    )
    told = texts(teams.wait_for_cards(ALICE.personal_id)[0])
    assert "Carol Chen" in told
    assert teams.wait_for_cards(thread)
