"""Admins' tip schedules over signed HTTP: the list, the form and its errors, pause, resume,
delete, preview, send now, status; rights, forged ids, and edits applied at the next tick."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import blocks_text, posts, query, reply_text
from tests.tip_helpers import (
    ADMIN,
    LIST_VIEW,
    add_schedule,
    buttons,
    click,
    click_and_wait,
    create_schedule,
    submit_schedule,
    view_text,
)

MONDAY_EIGHT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam
NINE = MONDAY_EIGHT + timedelta(hours=1)


@pytest.fixture(autouse=True)
def monday_morning(clock: FakeClock) -> None:
    clock.current = MONDAY_EIGHT


def run_due(app: RunningApp) -> list[str]:
    assert app.runtime is not None
    return [d.status for d in app.call(app.runtime.tips.run_due())]


def audit_actions(database_url: str) -> list[str]:
    return [r["action"] for r in query(database_url, "SELECT action FROM audit_log ORDER BY id")]


def test_admins_open_the_list_and_everyone_else_is_refused(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    slack.command("tips", user=ADMIN)
    [opened] = fake_slack.wait_for_calls("views.open")
    assert opened.args["view"]["callback_id"] == "delight_tips"
    assert "No schedules yet" in view_text(opened)
    assert buttons(opened.args["view"], "tips_new")

    slack.command("tips", user="U0002")
    assert "Only Delight admins" in reply_text(fake_slack.wait_for_calls("response_url")[-1])
    slack.command("tips status", user="U0002")
    assert "Only Delight admins" in reply_text(fake_slack.wait_for_calls("response_url", 2)[-1])
    slack.command("tips sideways", user=ADMIN)
    assert "/delight tips status" in reply_text(fake_slack.wait_for_calls("response_url", 3)[-1])
    assert len(fake_slack.calls("views.open")) == 1


def test_app_home_has_a_tip_schedules_button_for_admins(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    slack.home_opened(user=ADMIN)
    home = fake_slack.wait_for_calls("views.publish")[-1].args["view"]
    [button] = buttons(home, "home_tips")

    slack.button(button["action_id"], "", user=ADMIN, channel=None, view={"id": "VHOME"})
    [opened] = fake_slack.wait_for_calls("views.open")
    assert opened.args["view"]["callback_id"] == "delight_tips"

    slack.home_opened(user="U0002")
    others = fake_slack.wait_for_calls("views.publish", 2)[-1].args["view"]
    assert buttons(others, "home_tips") == []


def test_the_form_starts_from_the_admins_timezone_and_today(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.state.users[ADMIN]["tz"] = "America/Chicago"
    pushed = click_and_wait(fake_slack, "views.push", lambda: click(slack, "tips_new", "new"))

    form = {b["block_id"]: b["element"] for b in pushed.args["view"]["blocks"]}
    assert form["tip_timezone"]["initial_option"]["value"] == "America/Chicago"
    assert form["tip_start"]["initial_date"] == "2026-11-23"  # 01:00 Monday in Chicago
    assert form["tip_time"]["initial_time"] == "09:00"
    assert [o["value"] for o in form["tip_days"]["initial_options"]] == list("01234")

    reply = slack.suggestion("tip_timezone", "new york", user=ADMIN)
    assert [o["value"] for o in reply.json()["options"]] == ["America/New_York"]
    assert "Europe/Amsterdam" in [
        o["value"] for o in slack.suggestion("tip_timezone", "amster", user=ADMIN).json()["options"]
    ]


def test_a_new_schedule_is_stored_audited_and_listed(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, database_url: str
) -> None:
    create_schedule(slack, fake_slack, app)

    [row] = query(database_url, "SELECT * FROM tip_schedule")
    assert (row["channel_id"], row["weekdays"], row["at"], row["timezone"], row["mode"]) == (
        "CTIPS",
        "0,1,2,3,4",
        "09:00",
        "Europe/Amsterdam",
        "channel",
    )
    assert row["owner_id"] == ADMIN
    assert audit_actions(database_url) == ["tip_schedule.created"]
    [shown] = fake_slack.calls("views.update")
    assert shown.args["view_id"] == LIST_VIEW
    text = view_text(shown)
    assert "<#CTIPS>" in text
    assert "Mon–Fri at 09:00 (Europe/Amsterdam)" in text
    assert "Next: Mon 23 Nov 09:00 CET · Voluntary week" in text
    assert "Nothing sent yet" in text


def test_bad_input_is_named_on_the_right_field_and_nothing_is_stored(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    reply = submit_schedule(
        slack,
        tip_channel={"selected_conversation": None},
        tip_days={"selected_options": []},
        tip_time={"selected_time": "25:00"},
        tip_timezone={"selected_option": {"value": "Mars/Olympus_Mons"}},
        tip_start={"selected_date": "someday"},
    )
    errors = reply.json()["errors"]
    assert set(errors) == {"tip_channel", "tip_days", "tip_time", "tip_timezone", "tip_start"}
    assert "at least one day" in errors["tip_days"]
    assert "09:00" in errors["tip_time"]

    sneaky = submit_schedule(
        slack,
        tip_timezone={"selected_option": {"value": "../../../etc/passwd"}},
        tip_mode={"selected_option": {"value": "everyone"}},
        tip_days={"selected_options": [{"value": "7"}]},
        tip_start={"selected_date": "2031-01-01"},
    )
    assert set(sneaky.json()["errors"]) == {"tip_timezone", "tip_mode", "tip_days", "tip_start"}
    assert query(database_url, "SELECT * FROM tip_schedule") == []
    assert audit_actions(database_url) == []


@pytest.mark.parametrize(
    ("channel", "mode", "expected"),
    [
        ("CGONE", "channel", "invite me first: type `/invite @Delight`"),
        ("CARCH", "channel", "archived"),
        ("GSECRET", "channel", "I'm not in that private channel"),
        ("GMPIM", "channel", "not a direct message"),
        ("DALICE", "channel", "Pick a channel from the list"),
        ("CHUGE", "members", "too many to DM"),
    ],
)
def test_a_channel_delight_cannot_deliver_to_is_refused_with_the_fix(
    slack: SlackDriver,
    fake_slack: FakeSlack,
    database_url: str,
    channel: str,
    mode: str,
    expected: str,
) -> None:
    fake_slack.state.channel_errors["CGONE"] = "channel_not_found"
    fake_slack.state.channels.update(
        {
            "CARCH": {"is_archived": True},
            "GSECRET": {"is_private": True, "is_member": False},
            "GMPIM": {"is_mpim": True, "is_private": True, "is_member": True},
            "CHUGE": {"num_members": 5000},
        }
    )
    reply = submit_schedule(
        slack,
        tip_channel={"selected_conversation": channel},
        tip_mode={"selected_option": {"value": mode}},
    )

    assert expected in reply.json()["errors"]["tip_channel"]
    assert query(database_url, "SELECT * FROM tip_schedule") == []


def test_non_admins_change_nothing_even_with_forged_payloads(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, database_url: str
) -> None:
    schedule_id = create_schedule(slack, fake_slack, app)

    forged = submit_schedule(slack, user="U0002")
    assert "Only Delight admins" in forged.json()["errors"]["tip_channel"]
    edited = submit_schedule(
        slack, user="U0002", schedule_id=schedule_id, tip_time={"selected_time": "06:00"}
    )
    assert "Only Delight admins" in edited.json()["errors"]["tip_channel"]
    for action, value in [
        ("tips_pause", str(schedule_id)),
        ("tips_delete", str(schedule_id)),
        ("tips_send_now", f"{schedule_id}:0"),
        ("tips_preview", str(schedule_id)),
        ("tips_edit", str(schedule_id)),
    ]:
        shown = click_and_wait(
            fake_slack, "views.update", lambda a=action, v=value: click(slack, a, v, user="U0002")
        )
        assert "Only Delight admins" in view_text(shown)

    [row] = query(database_url, "SELECT at, paused FROM tip_schedule")
    assert (row["at"], row["paused"]) == ("09:00", False)
    assert posts(fake_slack) == []
    assert fake_slack.calls("views.push") == []
    assert audit_actions(database_url) == ["tip_schedule.created"]


def test_foreign_and_forged_ids_change_nothing(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, database_url: str
) -> None:
    assert app.runtime is not None
    foreign = add_schedule(app, team_id="T0002", channel_id="CTHEIRS", owner_id="UTHEM")
    for action, value in [
        ("tips_pause", str(foreign.id)),
        ("tips_delete", str(foreign.id)),
        ("tips_send_now", f"{foreign.id}:0"),
        ("tips_pause", "1 OR 1=1"),
        ("tips_delete", "-1"),
        ("tips_send_now", f"{foreign.id}:<!here>"),
        ("tips_preview", "99999999999999999999999"),
    ]:
        shown = click_and_wait(
            fake_slack, "views.update", lambda a=action, v=value: click(slack, a, v)
        )
        assert "isn't there any more" in view_text(shown), (action, value)
    edit = submit_schedule(slack, schedule_id=foreign.id)
    assert "isn't there any more" in edit.json()["errors"]["tip_channel"]
    bad_metadata = slack.submit_view(
        "delight_tip_schedule", {}, user=ADMIN, private_metadata='{"id": 1}'
    )
    assert "errors" in bad_metadata.json()

    [row] = query(database_url, "SELECT team_id, paused, channel_id FROM tip_schedule")
    assert (row["team_id"], row["paused"], row["channel_id"]) == ("T0002", False, "CTHEIRS")
    assert posts(fake_slack) == []
    assert audit_actions(database_url) == []


def test_pause_resume_and_delete_are_audited_and_resume_checks_the_channel(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, database_url: str
) -> None:
    schedule_id = create_schedule(slack, fake_slack, app)

    paused = click_and_wait(
        fake_slack, "views.update", lambda: click(slack, "tips_pause", str(schedule_id))
    )
    assert "Paused" in view_text(paused)
    assert buttons(paused.args["view"], "tips_resume")
    assert query(database_url, "SELECT paused_reason FROM tip_schedule")[0]["paused_reason"] == (
        "paused by an admin"
    )
    fake_slack.state.channel_errors["CTIPS"] = "channel_not_found"
    still = click_and_wait(
        fake_slack, "views.update", lambda: click(slack, "tips_resume", str(schedule_id))
    )
    assert "Still paused" in view_text(still)
    assert "/invite @Delight" in view_text(still)

    del fake_slack.state.channel_errors["CTIPS"]
    resumed = click_and_wait(
        fake_slack, "views.update", lambda: click(slack, "tips_resume", str(schedule_id))
    )
    assert "Resumed" in view_text(resumed)
    assert not query(database_url, "SELECT paused FROM tip_schedule")[0]["paused"]

    deleted = click_and_wait(
        fake_slack, "views.update", lambda: click(slack, "tips_delete", str(schedule_id))
    )
    assert "Deleted" in view_text(deleted)
    assert "No schedules yet" in view_text(deleted)
    assert query(database_url, "SELECT * FROM tip_schedule") == []
    assert audit_actions(database_url) == [
        "tip_schedule.created",
        "tip_schedule.paused",
        "tip_schedule.resumed",
        "tip_schedule.deleted",
    ]
    [delete_button] = buttons(paused.args["view"], "tips_delete")
    assert delete_button["confirm"]["style"] == "danger"


def test_a_paused_schedule_sends_nothing_and_is_not_caught_up_after_resuming(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock
) -> None:
    schedule_id = create_schedule(slack, fake_slack, app)
    click_and_wait(fake_slack, "views.update", lambda: click(slack, "tips_pause", str(schedule_id)))
    clock.current = NINE + timedelta(minutes=30)
    assert run_due(app) == []

    click_and_wait(
        fake_slack, "views.update", lambda: click(slack, "tips_resume", str(schedule_id))
    )
    assert run_due(app) == []  # 09:00 passed while paused: not sent late, not a "missed" skip
    assert posts(fake_slack, "CTIPS") == []
    clock.current = NINE + timedelta(days=1, seconds=5)
    assert run_due(app) == ["sent"]


def test_an_edit_takes_effect_at_the_next_tick(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    schedule_id = create_schedule(slack, fake_slack, app)
    reply = submit_schedule(
        slack,
        schedule_id=schedule_id,
        tip_channel={"selected_conversation": "CNEW"},
        tip_time={"selected_time": "10:00"},
    )
    assert reply.body == b""

    clock.current = NINE + timedelta(seconds=30)
    assert run_due(app) == []  # the old time: no stale job fires
    clock.current = NINE + timedelta(hours=1, seconds=30)
    assert run_due(app) == ["sent"]
    assert [c.args["channel"] for c in posts(fake_slack)] == ["CNEW"]
    [audit] = query(
        database_url, "SELECT detail FROM audit_log WHERE action = 'tip_schedule.changed'"
    )
    detail = json.loads(audit["detail"])
    assert detail["at"] == {"from": "09:00", "to": "10:00"}
    assert detail["channel"] == {"from": "CTIPS", "to": "CNEW"}

    # Moving the time to one already past today doesn't send it late.
    clock.current = NINE + timedelta(hours=2)
    submit_schedule(slack, schedule_id=schedule_id, tip_time={"selected_time": "10:30"})
    assert run_due(app) == []


def test_preview_shows_the_next_tip_exactly_and_leaves_the_rotation_alone(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    schedule_id = create_schedule(slack, fake_slack, app)
    first = click_and_wait(
        fake_slack, "views.push", lambda: click(slack, "tips_preview", str(schedule_id))
    )
    again = click_and_wait(
        fake_slack, "views.push", lambda: click(slack, "tips_preview", str(schedule_id))
    )
    assert first.args["view"]["blocks"] == again.args["view"]["blocks"]
    assert "Nothing was sent" in view_text(first)
    assert "Mon 23 Nov 09:00 CET" in view_text(first)
    assert query(database_url, "SELECT * FROM tip_delivery") == []

    clock.current = NINE + timedelta(seconds=5)
    assert run_due(app) == ["sent"]
    [posted] = posts(fake_slack, "CTIPS")
    assert first.args["view"]["blocks"][2:] == posted.args["blocks"]  # the same blocks

    # The preview's "Recognise someone who did this" opens the form on top of it.
    [recognise] = buttons(first.args["view"], "recognise_from_tip")
    view = {"id": "VPREVIEW", "type": "modal", "private_metadata": ""}
    pushed = click_and_wait(
        fake_slack,
        "views.push",
        lambda: click(slack, "recognise_from_tip", recognise["value"], view=view),
    )
    assert pushed.args["view"]["callback_id"] == "delight_nomination"


def test_send_now_posts_the_next_tip_once_even_on_a_double_click(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    create_schedule(slack, fake_slack, app)
    [send] = buttons(fake_slack.calls("views.update")[-1].args["view"], "tips_send_now")

    threads = [
        threading.Thread(target=click, args=(slack, "tips_send_now", send["value"]))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fake_slack.wait_for_calls("views.update", 4)
    fake_slack.settle()
    click_and_wait(fake_slack, "views.update", lambda: click(slack, "tips_send_now", send["value"]))

    assert len(posts(fake_slack, "CTIPS")) == 1
    notices = [view_text(c) for c in fake_slack.calls("views.update")[1:]]
    assert sum("already sent (a repeated click)" in n for n in notices) == 3
    [row] = query(database_url, "SELECT status, request_key, tip_id FROM tip_delivery")
    assert row["status"] == "sent"
    assert row["request_key"] is not None
    assert audit_actions(database_url) == ["tip_schedule.created", "tip_schedule.sent_now"]

    # The rotation moved on: the list's new button sends the element's next tip.
    [again] = buttons(fake_slack.calls("views.update")[-1].args["view"], "tips_send_now")
    assert again["value"] != send["value"]
    clock.advance(minutes=1)
    click_and_wait(
        fake_slack, "views.update", lambda: click(slack, "tips_send_now", again["value"])
    )
    first, second = posts(fake_slack, "CTIPS")
    assert blocks_text(first.args["blocks"]) != blocks_text(second.args["blocks"])
    tips = [r["tip_id"] for r in query(database_url, "SELECT tip_id FROM tip_delivery ORDER BY id")]
    assert len(set(tips)) == 2


def test_send_now_to_a_channel_delight_left_pauses_the_schedule_and_says_why(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, database_url: str
) -> None:
    schedule_id = create_schedule(slack, fake_slack, app)
    fake_slack.state.channel_errors["CTIPS"] = "is_archived"

    shown = click_and_wait(
        fake_slack, "views.update", lambda: click(slack, "tips_send_now", f"{schedule_id}:0")
    )

    assert "Not sent: archived: is_archived" in view_text(shown)
    assert "Paused" in view_text(shown)
    [row] = query(database_url, "SELECT status, reason FROM tip_delivery")
    assert (row["status"], row["reason"]) == ("failed", "archived: is_archived")


def test_status_shows_each_outcome_and_why_a_schedule_is_paused(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock
) -> None:
    create_schedule(slack, fake_slack, app)
    clock.current = NINE + timedelta(seconds=5)
    run_due(app)  # Monday: sent
    clock.current = NINE + timedelta(days=2, minutes=10)
    run_due(app)  # Tuesday missed (skipped), Wednesday sent late
    fake_slack.state.channel_errors["CTIPS"] = "not_in_channel"
    clock.current = NINE + timedelta(days=3, seconds=5)
    run_due(app)  # Thursday: failed, and the schedule pauses

    slack.command("tips status", user=ADMIN)
    reply = fake_slack.wait_for_calls("response_url")[-1]
    text = blocks_text(reply.args["blocks"])

    assert "Paused* because not_in_channel" in text
    assert "Thu 26 Nov 09:00 CET — failed · not_in_channel" in text
    assert "Tue 24 Nov 09:00 CET — skipped · missed while Delight was not running" in text
    assert text.count("— sent: “") == 2
    assert reply.args["response_type"] == "ephemeral"
