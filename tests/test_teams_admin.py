"""Admins define teams and the digest schedule through modals, over signed HTTP."""

from __future__ import annotations

import json
from typing import Any

from tests.digest_helpers import make_admin
from tests.driver import SlackDriver, unique
from tests.fakeslack import FakeSlack
from tests.helpers import query, reply_text


def click(
    action_id: str, value: str = "", *, user_id: str = "U0001", view: dict[str, Any] | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "FAKEverificationTOKEN0001",
        "trigger_id": unique("9999.0000."),
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "type": "button",
                "action_ts": "1.2",
            }
        ],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = view
    else:
        payload["channel"] = {"id": "C0001", "name": "general"}
        payload["container"] = {"type": "message", "message_ts": "1.1", "channel_id": "C0001"}
    return payload


def submit(
    callback_id: str, values: dict[str, Any], *, metadata: str = "{}", user_id: str = "U0001"
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "FAKEverificationTOKEN0001",
        "trigger_id": unique("3333.4444."),
        "view": {
            "id": unique("V"),
            "root_view_id": "VROOT",
            "team_id": "T0001",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": {block: {"value": v} for block, v in values.items()}},
            "blocks": [],
        },
    }


def team_form(name: str, managers: list[str], people: list[str], **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "team_name": {"type": "plain_text_input", "value": name},
        "team_managers": {"type": "multi_users_select", "selected_users": managers},
        "team_members": {"type": "multi_users_select", "selected_users": people},
        "team_channels": {"type": "multi_conversations_select", "selected_conversations": []},
    }
    values.update(extra)
    return values


def test_teams_are_for_admins_only(slack: SlackDriver, fake_slack: FakeSlack) -> None:
    slack.command("teams", user="U0002")

    [reply] = fake_slack.wait_for_calls("chat.postEphemeral")
    assert "Only Delight admins can do that" in reply_text(reply)
    assert fake_slack.calls("views.open") == []


def test_an_admin_opens_the_teams_list_by_command_or_by_any_open_teams_button(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    make_admin(fake_slack)
    slack.command("teams")
    slack.interaction(click("open_teams"))

    opened = fake_slack.wait_for_calls("views.open", 2)
    for call in opened:
        view = call.args["view"]
        assert view["callback_id"] == "delight_teams"
        text = json.dumps(view["blocks"])
        assert "Mondays at 09:00" in text
        assert "No teams yet." in text


def test_from_the_settings_modal_the_teams_list_goes_on_top_of_it(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    make_admin(fake_slack)
    slack.command("admin")
    [opened] = fake_slack.wait_for_calls("views.open")
    settings = {**opened.args["view"], "id": "VSETTINGS"}
    assert "open_teams" in json.dumps(settings["blocks"])

    slack.interaction(click("open_teams", view=settings))

    [pushed] = fake_slack.wait_for_calls("views.push")
    assert pushed.args["view"]["callback_id"] == "delight_teams"
    assert len(fake_slack.calls("views.open")) == 1


def test_a_team_is_created_checked_and_edited_through_the_form(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    make_admin(fake_slack)
    fake_slack.state.usergroups["S0SUP"] = ["U0003"]
    slack.interaction(click("team_new"))
    [push] = fake_slack.wait_for_calls("views.push")
    form = push.args["view"]
    groups = next(b for b in form["blocks"] if b["block_id"] == "team_usergroups")
    assert [o["value"] for o in groups["element"]["options"]] == ["S0SUP"]

    no_manager = slack.interaction(submit("delight_team_edit", team_form("Support", [], ["U0002"])))
    assert no_manager.json() == {
        "response_action": "errors",
        "errors": {"team_managers": "Pick at least one manager: they get the weekly digest."},
    }
    nobody = slack.interaction(submit("delight_team_edit", team_form("Support", ["U0004"], [])))
    assert "team_members" in nobody.json()["errors"]
    bot = slack.interaction(submit("delight_team_edit", team_form("Support", ["UBOT2"], ["U0002"])))
    assert "team_managers" in bot.json()["errors"]
    assert query(database_url, "SELECT * FROM manager_team") == []

    groups_value = {"type": "multi_static_select", "selected_options": [{"value": "S0SUP"}]}
    saved = slack.interaction(
        submit(
            "delight_team_edit",
            team_form("  Support   EMEA ", ["U0004"], ["U0002"], team_usergroups=groups_value),
        )
    )
    assert saved.status == 200
    assert saved.body == b""
    [team] = query(database_url, "SELECT id, name, created_by FROM manager_team")
    assert (team["name"], team["created_by"]) == ("Support EMEA", "U0001")
    sources = query(database_url, "SELECT kind, ref_id FROM manager_team_source ORDER BY kind")
    assert [(s["kind"], s["ref_id"]) for s in sources] == [
        ("user", "U0002"),
        ("usergroup", "S0SUP"),
    ]
    [manager] = query(database_url, "SELECT user_id, tz FROM manager_team_manager")
    assert (manager["user_id"], manager["tz"]) == ("U0004", "Europe/Amsterdam")
    [update] = fake_slack.wait_for_calls("views.update")
    assert update.args["view_id"] == "VROOT"  # the list beneath shows the new team
    assert "Support EMEA" in json.dumps(update.args["view"]["blocks"])

    twin = slack.interaction(
        submit("delight_team_edit", team_form("support emea", ["U0004"], ["U0002"]))
    )
    assert "already a team" in twin.json()["errors"]["team_name"]  # names differ by more than case
    again = slack.interaction(
        submit("delight_team_edit", team_form("Support EMEA", ["U0004"], ["U0002"]))
    )
    assert "already a team called “Support EMEA”" in again.json()["errors"]["team_name"]

    edit = slack.interaction(
        submit(
            "delight_team_edit",
            team_form("Support EMEA", ["U0004", "U0005"], ["U0002", "U0003"]),
            metadata=json.dumps({"team": team["id"]}),
        )
    )
    assert edit.status == 200
    managers = query(database_url, "SELECT user_id FROM manager_team_manager ORDER BY user_id")
    assert [m["user_id"] for m in managers] == ["U0004", "U0005"]

    delete = {"type": "checkboxes", "selected_options": [{"value": "delete"}]}
    slack.interaction(
        submit(
            "delight_team_edit",
            team_form("Support EMEA", ["U0004"], ["U0002"], team_delete=delete),
            metadata=json.dumps({"team": team["id"]}),
        )
    )
    assert query(database_url, "SELECT id FROM manager_team WHERE id = :t", t=team["id"]) == []
    assert (
        query(
            database_url,
            "SELECT * FROM manager_team_manager WHERE manager_team_id = :t",
            t=team["id"],
        )
        == []
    )


def test_a_non_admin_cannot_save_a_team_even_with_a_forged_submission(
    slack: SlackDriver, database_url: str
) -> None:
    reply = slack.interaction(
        submit("delight_team_edit", team_form("Mine", ["U0002"], ["U0003"]), user_id="U0002")
    )

    assert "Only Delight admins" in reply.json()["errors"]["team_name"]
    assert query(database_url, "SELECT * FROM manager_team") == []


def test_admins_change_the_digest_day_hour_and_charts(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    make_admin(fake_slack)
    slack.interaction(click("digest_settings"))
    [push] = fake_slack.wait_for_calls("views.push")
    day = next(b for b in push.args["view"]["blocks"] if b["block_id"] == "digest_day")
    assert day["element"]["initial_option"]["value"] == "0"

    slack.interaction(
        submit(
            "delight_digest_settings",
            {
                "digest_day": {"type": "static_select", "selected_option": {"value": "4"}},
                "digest_hour": {"type": "static_select", "selected_option": {"value": "16"}},
                "digest_charts": {"type": "checkboxes", "selected_options": []},
            },
        )
    )

    [row] = query(database_url, "SELECT weekday, hour, charts FROM digest_schedule")
    assert (row["weekday"], row["hour"], bool(row["charts"])) == (4, 16, False)
    [update] = fake_slack.wait_for_calls("views.update")
    assert "Fridays at 16:00" in json.dumps(update.args["view"]["blocks"])
