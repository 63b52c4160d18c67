"""Teams: installing Delight (who becomes its admin, the welcome in a personal chat), an admin's
removal of a recognition, health, and Slack and Teams side by side on one database."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import ConfigError, load_settings
from tests.driver import RunningApp, SlackDriver
from tests.fakemsteams import ALICE, BOB, BOT_ID, CAROL, TENANT_ID, mention
from tests.fakeslack import FakeSlack
from tests.teams_driver import CARD, TeamsDriver, card_of, texts, wait_for


def give(teams: TeamsDriver) -> tuple[str, int]:
    """Alice recognises Bob in a thread: the thread and the kudos id."""
    activity = teams.fake.activity(
        "channel_mention_message",
        text="<at>Delight</at> <at>Bob</at> covered the late shift for a colleague #voluntary",
        entities=[mention(BOT_ID, "Delight"), mention(BOB.member_id, "Bob Baker", "Bob")],
    )
    assert teams.send(activity).status == 200
    thread = activity["conversation"]["id"]
    posted = wait_for(lambda: teams.fake.activities(thread))[0]
    endorse = next(a for a in card_of(posted)["actions"] if a.get("verb") == "endorse")
    return thread, endorse["data"]["kudos_id"]


def task(teams: TeamsDriver, name: str, data: dict[str, Any], sender: Any) -> Any:
    activity = teams.fake.activity(
        "card_action_execute", name=name, from_=sender.sender(), value={"data": data}
    )
    reply = teams.send(activity)
    assert reply.status == 200
    return reply.json()


def test_whoever_installed_delight_in_a_team_may_remove_a_recognition(teams: TeamsDriver) -> None:
    assert teams.act("installation_update_add").status == 200  # installed by Alice
    thread, kudos_id = give(teams)
    teams.wait_for_cards(BOB.personal_id)
    refused = task(teams, "task/fetch", {"delight": "remove", "kudos_id": kudos_id}, CAROL)
    assert refused["task"]["type"] == "message"
    asked = task(teams, "task/fetch", {"delight": "remove", "kudos_id": kudos_id}, ALICE)
    assert asked["task"]["type"] == "continue"
    no_reason = {"delight": "remove", "kudos_id": kudos_id, "reason": " "}
    again = task(teams, "task/submit", no_reason, ALICE)
    assert again["task"]["type"] == "continue"  # the dialog again, saying why
    with_reason = {**no_reason, "reason": "Posted in the wrong team"}
    done = task(teams, "task/submit", with_reason, ALICE)
    assert done["task"]["type"] == "message", done
    wait_for(lambda: "covered the late shift" not in texts(teams.cards(thread)[0]))
    wait_for(lambda: "covered the late shift" not in texts(teams.cards(BOB.personal_id)[0]))


def test_installed_personally_delight_says_hello(teams: TeamsDriver) -> None:
    activity = teams.fake.activity(
        "conversation_update_bot_added_to_team",
        conversation={"id": ALICE.personal_id, "conversationType": "personal", "isGroup": None},
        channelData={"tenant": {"id": TENANT_ID}, "team": None, "channel": None, "eventType": None},
    )
    assert teams.send(activity).status == 200
    welcome = texts(teams.wait_for_cards(ALICE.personal_id)[0])
    assert "voluntary" in welcome.lower()


def test_health_answers_on_a_teams_only_deployment(teams: TeamsDriver) -> None:
    slack_like = SlackDriver(teams.base_url, response_url="http://127.0.0.1:9/unused")
    assert slack_like.get("/healthz").status == 200
    assert slack_like.command("help").status == 404  # no Slack endpoint without Slack


def test_slack_and_teams_share_one_database_without_seeing_each_other(
    env: dict[str, str],
    teams_env: dict[str, str],
    clock: Any,
    fake_slack: FakeSlack,
    fake_connector: Any,
) -> None:
    both = {**env, **teams_env}
    running = RunningApp(load_settings(both), clock=clock).start()
    try:
        teams = TeamsDriver(running.url, fake_connector)
        slack = SlackDriver(running.url, response_url=fake_slack.response_url())
        give(teams)
        assert slack.command("<@U0002> stayed late to fix the printer #act").status == 200
        wait_for(lambda: fake_slack.calls("chat.postMessage"))
        assert teams.act("personal_message", text="home").status == 200
        board = wait_for(
            lambda: len(teams.cards(ALICE.personal_id)) >= 2 and teams.cards(ALICE.personal_id)
        )[-1]
        assert "Bob Baker" in texts(board)
        assert "U0002" not in texts(board)
        assert teams.every_card()[0]["type"] == "AdaptiveCard"
        assert CARD
    finally:
        running.stop()


def test_the_agents_playground_switch_takes_unsigned_activities_from_this_machine_only(
    teams_env: dict[str, str], clock: Any, fake_connector: Any
) -> None:
    playground = {k: v for k, v in teams_env.items() if k != "TEAMS_CLIENT_SECRET"}
    playground["TEAMS_PLAYGROUND"] = "true"
    fake_connector.play()
    running = RunningApp(load_settings(playground), clock=clock).start()
    try:
        teams = TeamsDriver(running.url, fake_connector)
        assert teams.send(teams.fake.activity("personal_message"), authorization=None).status == 200
        assert teams.wait_for_cards(ALICE.personal_id)
        elsewhere = teams.fake.activity("personal_message", serviceUrl="https://smba.example/amer/")
        assert teams.send(elsewhere, authorization=None).status == 401
    finally:
        running.stop()


def test_the_playground_switch_refuses_a_real_deployments_secret(
    teams_env: dict[str, str],
) -> None:
    with pytest.raises(ConfigError, match="TEAMS_PLAYGROUND"):
        load_settings({**teams_env, "TEAMS_PLAYGROUND": "true"})


def test_unreadable_signing_keys_answer_503_so_teams_tries_again(teams: TeamsDriver) -> None:
    teams.fake.fail("GET", "/openid", 503, times=3)
    assert teams.act("personal_message", text="help").status == 503
    assert teams.fake.calls == []


def test_the_deployments_slack_channel_is_never_a_teams_organisations(
    teams_env: dict[str, str], clock: Any, fake_connector: Any
) -> None:
    teams_env["DELIGHT_RECOGNITION_CHANNEL"] = "C0123ABCD"
    running = RunningApp(load_settings(teams_env), clock=clock).start()
    try:
        teams = TeamsDriver(running.url, fake_connector)
        thread, _ = give(teams)
        assert teams.fake.activities(thread)  # announced where it was given
    finally:
        running.stop()


def test_the_admin_commands_take_teams_ids() -> None:
    from bot.cli.arguments import user_id, workspace_id

    assert workspace_id(f"MSTEAMS:{TENANT_ID.upper()}") == f"msteams:{TENANT_ID}"
    assert user_id(ALICE.aad_id.upper()) == ALICE.aad_id
    assert workspace_id("t0123abcd") == "T0123ABCD"
