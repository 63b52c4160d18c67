"""Schedules that DM every member of a channel: people only, once each (a ledger row per
recipient), paged member lists, failures per person, paced, and a cut-off fan-out resumed
without repeating anyone; plus how interrupted channel posts end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.elements import Element
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_delivery import INTERRUPTED
from bot.core.tips import load_tip_library
from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack, user
from tests.helpers import posts, query, reply_text
from tests.tip_helpers import add_schedule, create_schedule

MONDAY_EIGHT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
NINE = MONDAY_EIGHT + timedelta(hours=1)
TEAM = ["U0001", "U0002", "UBOT", "UGONE", "U0003", "UBOT2"]  # 3 people, 2 bots, a leaver
FIRST_TIP = load_tip_library().for_element(Element.VOLUNTARY)[0]


@pytest.fixture(autouse=True)
def monday_morning(clock: FakeClock, fake_slack: FakeSlack) -> None:
    clock.current = MONDAY_EIGHT
    fake_slack.state.channel_members["CTEAM"] = list(TEAM)


def run_due(app: RunningApp) -> list[Any]:
    assert app.runtime is not None
    return app.call(app.runtime.tips.run_due())


def dm_recipients(fake: FakeSlack) -> list[str]:
    return sorted(c.args["channel"] for c in posts(fake) if c.args["channel"].startswith("U"))


def members_schedule(app: RunningApp, **changes: Any) -> TipSchedule:
    fields = {"channel_id": "CTEAM", "owner_id": "UADMIN", "mode": DeliveryMode.MEMBERS}
    return add_schedule(app, **{**fields, **changes})


def test_each_person_in_the_channel_gets_the_tip_by_dm_once(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    create_schedule(
        slack,
        fake_slack,
        app,
        tip_channel={"selected_conversation": "CTEAM"},
        tip_mode={"selected_option": {"value": "members"}},
    )
    clock.current = NINE + timedelta(seconds=5)

    [delivered] = run_due(app)
    assert run_due(app) == []

    assert delivered.status == "sent"
    assert delivered.reason == "DMed 3 of 3 members"
    assert dm_recipients(fake_slack) == ["U0001", "U0002", "U0003"]
    assert posts(fake_slack, "CTEAM") == []
    rows = query(database_url, "SELECT recipient_id, status FROM tip_direct_message")
    assert sorted((r["recipient_id"], r["status"]) for r in rows) == [
        ("U0001", "sent"),
        ("U0002", "sent"),
        ("U0003", "sent"),
    ]
    assert "Element of the week: Voluntary" in reply_text(posts(fake_slack)[0])


def test_long_member_lists_are_read_page_by_page(
    fake_slack: FakeSlack, app: RunningApp, clock: FakeClock
) -> None:
    bots = [f"UB{n:04d}" for n in range(230)]
    for uid in bots:
        fake_slack.state.users[uid] = user(uid, uid.lower(), is_bot=True)
    fake_slack.state.channel_members["CTEAM"] = [*bots, "U0004", "U0005"]
    members_schedule(app)
    clock.current = NINE + timedelta(seconds=5)

    run_due(app)

    assert len(fake_slack.calls("conversations.members")) == 2
    assert dm_recipients(fake_slack) == ["U0004", "U0005"]


def test_a_person_who_cannot_be_reached_is_recorded_and_the_rest_still_get_it(
    fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    fake_slack.state.channel_errors["U0002"] = "messages_tab_disabled"
    members_schedule(app)
    clock.current = NINE + timedelta(seconds=5)

    [delivered] = run_due(app)

    assert (delivered.status, delivered.reason) == (
        "sent",
        "DMed 2 of 3 members; 1 could not be reached",
    )
    [failed] = query(
        database_url, "SELECT recipient_id, reason FROM tip_direct_message WHERE status = 'failed'"
    )
    assert failed == {
        "recipient_id": "U0002",
        "reason": "recipient_unavailable: messages_tab_disabled",
    }


def test_a_channel_delight_cannot_read_pauses_the_schedule_and_tells_its_owner(
    fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    fake_slack.state.channel_errors["CTEAM"] = "channel_not_found"
    members_schedule(app)
    clock.current = NINE + timedelta(seconds=5)

    [delivered] = run_due(app)

    assert delivered.status == "failed"
    assert query(database_url, "SELECT paused FROM tip_schedule")[0]["paused"]
    [told] = posts(fake_slack, "UADMIN")
    assert "paused your Delight tip schedule" in reply_text(told)


def test_a_cut_off_fan_out_is_resumed_without_repeating_anyone(
    fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    assert app.runtime is not None
    store = app.runtime.tip_schedules
    schedule = members_schedule(app)
    # A process DMed U0001, then died (its last sign of life at 09:00:01).
    at = NINE + timedelta(seconds=1)
    element = Element.VOLUNTARY
    app.call(
        store.claim(
            schedule.id, NINE, element=element, tip_id=FIRST_TIP.id, status="sending", at=at
        )
    )
    app.call(store.claim_recipient(schedule.id, NINE, team_id="T0001", recipient_id="U0001", at=at))
    app.call(store.finish_recipient(schedule.id, NINE, recipient_id="U0001", status="sent", at=at))

    clock.current = NINE + timedelta(minutes=5)  # within the lease: it may still be running
    assert run_due(app) == []
    clock.current = NINE + timedelta(minutes=15)
    [resumed] = run_due(app)

    assert (resumed.status, resumed.reason) == ("sent", "DMed 3 of 3 members")
    assert dm_recipients(fake_slack) == ["U0002", "U0003"]
    assert query(database_url, "SELECT status FROM tip_delivery") == [{"status": "sent"}]


def test_a_channel_post_cut_off_midway_ends_as_failed_not_sent_twice(
    fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    assert app.runtime is not None
    schedule = members_schedule(app, mode=DeliveryMode.CHANNEL)
    app.call(
        app.runtime.tip_schedules.claim(
            schedule.id,
            NINE,
            element=Element.VOLUNTARY,
            tip_id=FIRST_TIP.id,
            status="sending",
            at=NINE,
        )
    )
    clock.current = NINE + timedelta(minutes=11)

    [settled] = run_due(app)

    assert settled.status == "failed"
    assert posts(fake_slack) == []
    [row] = query(database_url, "SELECT status, reason FROM tip_delivery")
    assert (row["status"], row["reason"]) == ("failed", INTERRUPTED)
