"""Recognising a colleague in Teams, end to end: signed activities in, cards out through the
fake Bot Connector, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.config import load_settings
from handlers.msteams.bot import ACTING_AT_ONCE, ACTING_AT_ONCE_POSTGRES
from tests.driver import RunningApp
from tests.fakemsteams import ALICE, BOB, BOT_ID, CAROL, TEAM_ID, mention
from tests.teams_driver import CARD, TeamsDriver, card_of, texts, wait_for


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
    assert "the thread where it was given" in confirmation  # Teams never named the channel
    announcement = texts(teams.wait_for_cards(thread)[0])
    assert "Alice Archer" in announcement
    assert "Bob Baker" in announcement
    assert "stayed after close to help a customer find a gift" in announcement
    to_bob = texts(teams.wait_for_cards(BOB.personal_id)[0])
    assert "Alice Archer" in to_bob
    assert "stayed after close" in to_bob
    assert teams.every_card()  # and each passes the card check (the fixture's teardown)


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


def test_twice_as_many_activities_are_acted_on_at_once_on_postgresql(
    teams_app: RunningApp, database_url: str
) -> None:
    assert teams_app.runtime is not None
    assert teams_app.runtime.teams is not None
    on_postgres = database_url.startswith("postgresql")
    expected = ACTING_AT_ONCE_POSTGRES if on_postgres else ACTING_AT_ONCE
    assert teams_app.runtime.teams.acting_at_once == expected


def test_a_burst_beyond_what_is_acted_on_at_once_is_acked_and_every_message_answered(
    teams: TeamsDriver, teams_app: RunningApp
) -> None:
    """Activities are acked as they come and acted on so many at a time; those beyond wait
    their turn, and none is lost. (Three senders: Teams takes 8 messages in 2 s in a
    conversation, and Delight keeps to that.)"""
    assert teams_app.runtime is not None
    assert teams_app.runtime.teams is not None
    at_once = teams_app.runtime.teams.acting_at_once
    people = (ALICE, BOB, CAROL)
    burst = [
        teams.fake.activity(
            "personal_message",
            text="help",
            from_=people[n % 3].sender(),
            conversation={"id": people[n % 3].personal_id},
        )
        for n in range(3 * ((at_once + 7) // 3))  # past it, as many from each sender
    ]
    with ThreadPoolExecutor(max_workers=len(burst)) as pool:
        statuses = list(pool.map(lambda activity: teams.send(activity).status, burst))
    assert statuses == [200] * len(burst)
    for person in people:
        teams.wait_for_cards(person.personal_id, count=len(burst) // 3)
        assert len(teams.cards(person.personal_id)) == len(burst) // 3


def test_an_activity_of_a_shape_delight_does_not_know_is_acked_and_ignored(
    teams: TeamsDriver,
) -> None:
    unreadable = teams.fake.activity("personal_message", text="help", entities="not a list")
    tenantless = teams.fake.activity(
        "personal_message",
        text="help",
        channelData={"tenant": None},
        conversation={"tenantId": None},
    )
    assert teams.send(unreadable).status == 200
    assert teams.send(tenantless).status == 200
    assert teams.act("personal_message", text="help").status == 200  # acted on after them
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
    assert "Teams didn't let me message **Carol Chen**" in told
    assert "ask an admin to install Delight for everyone" in told
    assert teams.wait_for_cards(thread)


def announced(teams: TeamsDriver) -> tuple[str, str, int]:
    """Alice recognises Bob in a thread: (the thread, the announcement's id, the kudos id)."""
    thread = recognise(
        teams,
        "<at>Delight</at> <at>Bob</at> stayed after close to help a customer #voluntary",
        mention(BOB.member_id, "Bob Baker", "Bob"),
    )
    teams.wait_for_cards(ALICE.personal_id)
    posted = teams.fake.activities(thread)[0]
    endorse = next(a for a in card_of(posted)["actions"] if a.get("verb") == "endorse")
    return thread, posted["id"], endorse["data"]["kudos_id"]


def execute(teams: TeamsDriver, verb: str, data: dict[str, Any], *, sender: Any = CAROL) -> Any:
    activity = teams.fake.activity(
        "card_action_execute",
        from_=sender.sender(),
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
    )
    reply = teams.send(activity)
    assert reply.status == 200
    return reply.json()


def test_i_saw_it_too_updates_the_announcement_for_everyone_once_a_person(
    teams: TeamsDriver,
) -> None:
    thread, _, kudos_id = announced(teams)
    answer = execute(teams, "endorse", {"kudos_id": kudos_id})
    assert answer["statusCode"] == 200
    wait_for(lambda: "1" in texts(teams.cards(thread)[0]))
    again = execute(teams, "endorse", {"kudos_id": kudos_id})
    assert "already" in again["value"]
    own = execute(teams, "endorse", {"kudos_id": kudos_id}, sender=BOB)
    assert "can't endorse" in own["value"]


def test_a_like_on_the_announcement_endorses_and_taking_it_back_unendorses(
    teams: TeamsDriver,
) -> None:
    thread, message_id, _ = announced(teams)
    before = texts(teams.cards(thread)[0])
    liked = teams.fake.activity(
        "message_reaction_added", conversation={"id": thread}, replyToId=message_id
    )
    assert teams.send(liked).status == 200
    wait_for(lambda: texts(teams.cards(thread)[0]) != before)
    after_like = texts(teams.cards(thread)[0])
    unliked = teams.fake.activity(
        "message_reaction_added",
        conversation={"id": thread},
        replyToId=message_id,
        reactionsAdded=None,
        reactionsRemoved=[{"type": "like"}],
    )
    assert teams.send(unliked).status == 200
    wait_for(lambda: texts(teams.cards(thread)[0]) != after_like)


def test_undo_replaces_the_announcement_and_the_recipients_message(teams: TeamsDriver) -> None:
    thread, _, kudos_id = announced(teams)
    teams.wait_for_cards(BOB.personal_id)
    answer = execute(teams, "undo", {"kudos_id": kudos_id}, sender=ALICE)
    assert answer["type"] == CARD
    wait_for(lambda: "stayed after close" not in texts(teams.cards(thread)[0]))
    wait_for(lambda: "stayed after close" not in texts(teams.cards(BOB.personal_id)[0]))
    # only the giver may, and only once
    again = execute(teams, "undo", {"kudos_id": kudos_id}, sender=ALICE)
    assert again["type"] != CARD


def test_undo_in_the_personal_chat_takes_back_the_latest(teams: TeamsDriver) -> None:
    thread, _, _ = announced(teams)
    assert teams.act("personal_message", text="undo").status == 200
    wait_for(lambda: "stayed after close" not in texts(teams.cards(thread)[0]))


def test_the_message_action_opens_the_dialog_with_the_author_and_gives_on_submit(
    teams: TeamsDriver,
) -> None:
    opened = teams.act("message_action_fetch_task")
    dialog = opened.json()["task"]["value"]["card"]["content"]
    people = next(i for i in dialog["body"] if i.get("id") == "people")
    assert people["value"] == BOB.aad_id
    assert teams.act("message_action_submit_action").json() == {}
    to_bob = texts(teams.wait_for_cards(BOB.personal_id)[0])
    assert "stayed after close to help a customer find the right gift" in to_bob
    assert "Sent!" in texts(teams.wait_for_cards(ALICE.personal_id)[0])


def test_a_refused_dialog_shows_the_problem_on_its_field_and_keeps_what_was_typed(
    teams: TeamsDriver,
) -> None:
    submitted = teams.fake.activity(
        "message_action_submit_action",
        value={"data": {"people": ALICE.aad_id, "story": "I was great", "private": "true"}},
    )
    answer = teams.send(submitted).json()
    dialog = answer["task"]["value"]["card"]["content"]
    story = next(i for i in dialog["body"] if i.get("id") == "story")
    assert story["value"] == "I was great"
    assert "yourself" in texts(dialog)
    assert teams.fake.activities(BOB.personal_id) == []


def test_home_and_me_in_the_personal_chat(teams: TeamsDriver) -> None:
    announced(teams)
    assert teams.act("personal_message", text="home").status == 200
    home = texts(teams.wait_for_cards(ALICE.personal_id, 2)[1])
    assert "Bob Baker" in home
    assert teams.act("personal_message", text="me").status == 200
    teams.wait_for_cards(ALICE.personal_id, 3)


def test_a_typed_name_in_the_personal_chat_is_found_in_the_roster(teams: TeamsDriver) -> None:
    # Carol has been met (she spoke to Delight once); Alice names her without a mention.
    teams.act(
        "personal_message",
        text="help",
        from_=CAROL.sender(),
        conversation={"id": CAROL.personal_id},
    )
    teams.wait_for_cards(CAROL.personal_id)
    teams.act("personal_message", text="@Carol found the gift a customer wanted #delight")
    to_carol = wait_for(
        lambda: len(teams.cards(CAROL.personal_id)) >= 2 and teams.cards(CAROL.personal_id)
    )
    assert "found the gift" in texts(to_carol[1])


def test_another_tenant_is_refused_by_a_single_tenant_bot(
    teams_env: dict[str, str], clock: Any, fake_connector: Any
) -> None:
    teams_env["TEAMS_TENANT_ID"] = "00000000-0000-4000-8000-000000000000"
    running = RunningApp(load_settings(teams_env), clock=clock).start()
    try:
        driver = TeamsDriver(running.url, fake_connector)
        assert driver.act("personal_message", text="help").status == 403
        assert fake_connector.calls == []
    finally:
        running.stop()


def test_while_teams_is_down_the_recipients_message_waits_in_the_outbox_then_arrives(
    teams: TeamsDriver, teams_app: RunningApp, clock: Any
) -> None:
    # Teams asks for a minute's pause: more than a delivery may wait, so the outbox has it.
    teams.fake.fail("POST", BOB.personal_id[2:], 503, retry_after=60)
    recognise(
        teams,
        "<at>Delight</at> <at>Bob</at> kept the queue moving on a busy Saturday #act",
        mention(BOB.member_id, "Bob Baker", "Bob"),
    )
    told = texts(teams.wait_for_cards(ALICE.personal_id)[0])
    assert "Bob Baker" in told
    assert "keep trying" in told
    assert teams.cards(BOB.personal_id) == []
    assert teams_app.runtime is not None
    clock.advance(seconds=6)
    teams_app.call(teams_app.runtime.drainer.deliver_due())
    [to_bob] = teams.wait_for_cards(BOB.personal_id)
    assert "kept the queue moving" in texts(to_bob)
    clock.advance(minutes=30)
    teams_app.call(teams_app.runtime.drainer.deliver_due())
    assert len(teams.cards(BOB.personal_id)) == 1  # once


def test_a_bot_or_an_unknown_tag_is_refused_privately_with_what_was_typed(
    teams: TeamsDriver,
) -> None:
    other_bot = "28:0f0e0d0c-0000-4000-8000-000000000000"
    thread = recognise(
        teams,
        "<at>Delight</at> <at>Helper</at> answered every question #act",
        mention(other_bot, "Helper", "Helper"),
    )
    refused = texts(teams.wait_for_cards(ALICE.personal_id)[0])
    assert "Recognition is for colleagues" in refused
    assert "@Helper answered every question #act" in refused
    recognise(
        teams,
        "<at>Delight</at> <at>Bob</at> listened to the whole story #genuin",
        mention(BOB.member_id, "Bob Baker", "Bob"),
    )
    suggested = texts(teams.wait_for_cards(ALICE.personal_id, 2)[1])
    assert "Did you mean #genuine?" in suggested
    assert teams.fake.activities(thread) == []  # nothing in the channel


def test_a_repeated_mention_gives_one_recognition(teams: TeamsDriver) -> None:
    activity = teams.fake.activity("channel_mention_message")
    assert teams.send(activity).status == 200
    assert teams.send(activity).status == 200
    thread = activity["conversation"]["id"]
    teams.wait_for_cards(thread)
    teams.wait_for_cards(ALICE.personal_id)
    wait_for(lambda: teams.cards(BOB.personal_id))
    assert len(teams.cards(thread)) == 1
    assert len(teams.cards(BOB.personal_id)) == 1
    assert len(teams.cards(ALICE.personal_id)) == 1  # the repeat is not answered
