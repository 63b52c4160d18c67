"""Private recognition, opting out of announcements, admin settings, /delight me and top."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from bot.core.home import Period
from bot.core.model import Ranked
from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import execute, give, posts, query, reply_text


def test_private_kudos_go_by_dm_only(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(
        slack, fake_slack, database_url, "<@U0004|maria> calmed a worried customer --private"
    )

    assert kudos["private"]
    assert kudos["announcement_message_id"] is None
    assert [c.args["channel"] for c in posts(fake_slack)] == ["U0004"]
    assert "private" in reply_text(fake_slack.calls("response_url")[-1])
    assert kudos["story"] == "calmed a worried customer"


def test_the_modal_can_make_it_private(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    values = {
        "recipients": {"users": {"selected_users": ["U0004"]}},
        "story": {"text": {"value": "Quietly fixed a customer's broken order."}},
        "visibility": {"private": {"selected_options": [{"value": "private"}]}},
    }
    slack.submit_view(
        "delight_nomination", values, user="U0001", private_metadata='{"channel_id":"C0001"}'
    )
    fake_slack.wait_for_calls("chat.postEphemeral")

    assert query(database_url, "SELECT private FROM kudos")[0]["private"]
    assert [c.args["channel"] for c in posts(fake_slack)] == ["U0004"]


def test_people_who_opt_out_are_recognised_by_dm_only(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.button("home_public_announcements", "off", user="U0004", channel=None, view={"id": "VH"})
    fake_slack.wait_for_calls("views.publish")

    give(slack, fake_slack, database_url, "<@U0004|maria> <@U0005|tom> rescued a customer's day")

    assert sorted(c.args["channel"] for c in posts(fake_slack)) == ["U0004", "U0005"]
    assert "prefers recognition by DM" in reply_text(fake_slack.calls("response_url")[-1])


def settings_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "channel": {"channel": {"selected_conversation": "CKUDOS"}},
        "daily_limit": {"daily_limit": {"value": "3"}},
        "options": {
            "options": {
                "selected_options": [{"value": "require_element"}, {"value": "leaderboard_enabled"}]
            }
        },
        "emoji": {"emoji": {"value": ":raised_hands:"}},
        "admins": {"admins": {"selected_users": ["U0003"]}},
    }
    values.update(overrides)
    return values


def test_admins_change_settings_and_every_change_is_audited(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.command("admin", user="UADMIN")
    [opened] = fake_slack.wait_for_calls("views.open")
    assert opened.args["view"]["callback_id"] == "delight_settings"

    reply = slack.submit_view("delight_settings", settings_values(), user="UADMIN")
    assert reply.status == 200
    assert reply.body == b""

    [row] = query(database_url, "SELECT * FROM workspace_settings")
    assert (row["recognition_channel_id"], row["daily_limit"], row["endorsement_reaction"]) == (
        "CKUDOS",
        3,
        "raised_hands",
    )
    assert row["require_element"]
    assert row["leaderboard_enabled"]
    assert row["admin_ids"] == "U0003"
    [audit] = query(database_url, "SELECT * FROM audit_log")
    assert (audit["actor_id"], audit["action"]) == ("UADMIN", "settings.changed")
    assert '"daily_limit": {"from": 10, "to": 3}' in audit["detail"]

    # The new rules apply at once in this process: an element is now required…
    slack.command("<@U0004|maria> helped a customer find the right size", user="U0001")
    assert "element" in reply_text(fake_slack.wait_for_calls("response_url")[-1])
    # …and U0003, named in the settings, is now an admin too.
    slack.command("admin", user="U0003")
    fake_slack.wait_for_calls("views.open", 2)


def test_settings_are_for_admins_and_bad_values_are_named(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.command("admin", user="U0002")
    assert "Only Delight admins" in reply_text(fake_slack.wait_for_calls("response_url")[-1])
    forged = slack.submit_view("delight_settings", settings_values(), user="U0002")
    bad = slack.submit_view(
        "delight_settings",
        settings_values(
            daily_limit={"daily_limit": {"value": "5000"}},
            emoji={"emoji": {"value": "not an emoji!"}},
        ),
        user="UOWNER",
    )

    assert "Only Delight admins" in forged.json()["errors"]["channel"]
    assert set(bad.json()["errors"]) == {"daily_limit", "emoji"}
    assert query(database_url, "SELECT * FROM workspace_settings") == []
    assert query(database_url, "SELECT * FROM audit_log") == []
    assert fake_slack.calls("views.open") == []


def test_me_shows_my_stats(slack: SlackDriver, fake_slack: FakeSlack, database_url: str) -> None:
    give(
        slack, fake_slack, database_url, "<@U0004|maria> found a customer's lost keys #act #genuine"
    )
    give(
        slack,
        fake_slack,
        database_url,
        "<@U0004|maria> stayed late for a customer #genuine",
        user="U0002",
    )

    slack.command("me", user="U0004")
    text = reply_text(fake_slack.wait_for_calls("response_url", 3)[-1])

    assert "2 received · 0 given" in text
    assert "*Genuine* 2" in text
    assert "*Act* 1" in text


def test_leaderboards_are_off_until_an_admin_turns_them_on(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    give(slack, fake_slack, database_url)
    slack.command("top", user="U0002")
    assert "Leaderboards are off" in reply_text(fake_slack.wait_for_calls("response_url", 2)[-1])

    slack.submit_view(
        "delight_settings",
        settings_values(
            options={"options": {"selected_options": [{"value": "leaderboard_enabled"}]}}
        ),
        user="UADMIN",
    )
    give(slack, fake_slack, database_url, "<@U0005|tom> secret kindness to a customer --private")
    slack.command("top week", user="U0002")
    text = reply_text(fake_slack.wait_for_calls("response_url", 4)[-1])
    assert "1. <@U0004> — 1" in text
    assert "U0005" not in text
    slack.command("top decade", user="U0002")
    assert "top week" in reply_text(fake_slack.wait_for_calls("response_url", 5)[-1])


def leaderboard_statements(app: RunningApp) -> list[str]:
    """Every leaderboard query the app runs from now on, as sent to the database."""
    assert app.runtime is not None
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "GROUP BY kudos_recipient.recipient_id" in statement:
            seen.append(statement)

    event.listen(app.runtime.database.engine, "before_cursor_execute", record)
    return seen


def test_a_leaderboard_is_worked_out_once_a_minute_with_a_bounded_query(
    app: RunningApp,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    database_url: str,
    clock: FakeClock,
) -> None:
    execute(
        database_url,
        "INSERT INTO workspace_settings (team_id, leaderboard_enabled, updated_at) "
        "VALUES ('T0001', true, CURRENT_TIMESTAMP)",
    )
    give(slack, fake_slack, database_url)
    queries = leaderboard_statements(app)

    slack.command("top all", user="U0002")
    slack.command("top all", user="U0003")
    first, second = (reply_text(c) for c in fake_slack.wait_for_calls("response_url", 3)[1:])

    assert first == second
    assert "1. <@U0004> — 1" in first
    assert len(queries) == 1
    assert "LIMIT" in queries[0].upper()

    clock.advance(seconds=61)
    slack.command("top all", user="U0002")
    fake_slack.wait_for_calls("response_url", 4)
    assert len(queries) == 2

    # Asked for many times at once when it is due: worked out once, for all of them.
    clock.advance(seconds=61)
    assert app.runtime is not None
    home = app.runtime.services.recognition.home

    async def at_once() -> list[list[Ranked]]:
        return await asyncio.gather(*(home.leaderboard("T0001", Period.ALL) for _ in range(5)))

    boards = app.call(at_once())
    assert len(queries) == 3
    assert all(board == boards[0] for board in boards)
    assert [(r.user_id, r.received) for r in boards[0]] == [("U0004", 1)]
