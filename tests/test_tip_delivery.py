"""Scheduled tips end to end: stored schedule → due → posted once, through the real app."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.elements import Element
from bot.core.tip_delivery import Delivered
from bot.core.tips import load_tip_library
from handlers.slack import blocks
from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import Failure, FakeSlack
from tests.helpers import all_block_text, posts, query, reply_text
from tests.tip_helpers import add_schedule

MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam
NINE_AMSTERDAM = MONDAY + timedelta(hours=1)


def run_due(app: RunningApp) -> list[Delivered]:
    assert app.runtime is not None
    return app.call(app.runtime.tips.run_due())


def ledger(database_url: str) -> list[dict[str, Any]]:
    return query(
        database_url, "SELECT status, element, tip_id, reason FROM tip_delivery ORDER BY occurrence"
    )


def test_a_due_tip_is_posted_once_with_its_element_and_button(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_schedule(app)
    clock.current = NINE_AMSTERDAM + timedelta(seconds=30)

    assert [d.status for d in run_due(app)] == ["sent"]
    assert run_due(app) == []  # the next tick finds nothing new

    [tip] = posts(fake_slack, "C0TIPS")
    text = all_block_text(tip)
    assert "Element of the week: Voluntary" in text
    assert "a *voluntary* act" in text
    assert "Steve Curtin" in text
    button = tip.args["blocks"][-1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("recognise_from_tip", "voluntary")
    [row] = ledger(database_url)
    assert (row["status"], row["element"]) == ("sent", "voluntary")


def test_a_reflection_tip_comes_without_the_recognise_button() -> None:
    library = load_tip_library()
    reflection = library.get("demonstrates-write-down-why")
    assert reflection is not None
    assert not reflection.recognisable
    message = blocks.tip_message(reflection, Element.DEMONSTRATES)

    assert [block["type"] for block in message.blocks] == ["header", "context", "section"]
    assert "Recognise someone" not in str(message.blocks)
    assert reflection.title in message.text  # the tip itself is all there

    doable = next(t for t in library.for_element(Element.DEMONSTRATES) if t.recognisable)
    [button] = blocks.tip_message(doable, Element.DEMONSTRATES).blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == ("recognise_from_tip", "demonstrates")
    assert button["text"]["text"] == "Recognise someone who did this"


def test_nothing_is_due_before_nine(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    add_schedule(app)
    clock.current = NINE_AMSTERDAM - timedelta(minutes=1)

    assert run_due(app) == []
    assert posts(fake_slack) == []


def test_each_day_brings_a_tip_not_sent_before(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_schedule(app)
    for day in range(5):
        clock.current = NINE_AMSTERDAM + timedelta(days=day, seconds=5)
        run_due(app)

    rows = ledger(database_url)
    assert [r["status"] for r in rows] == ["sent"] * 5
    assert len({r["tip_id"] for r in rows}) == 5
    assert {r["element"] for r in rows} == {"voluntary"}  # one element all week


def test_missed_occurrences_are_caught_up_once_and_older_ones_skipped(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_schedule(app)
    clock.current = NINE_AMSTERDAM + timedelta(days=2, minutes=20)  # Wednesday 09:20

    outcomes = run_due(app)

    assert sorted(d.status for d in outcomes) == ["sent", "skipped", "skipped"]
    assert len(posts(fake_slack, "C0TIPS")) == 1
    assert [r["status"] for r in ledger(database_url)] == ["skipped", "skipped", "sent"]
    assert ledger(database_url)[0]["reason"] == "missed while Delight was not running"


def test_after_a_long_outage_nothing_is_sent_as_a_burst(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_schedule(app)
    clock.current = NINE_AMSTERDAM + timedelta(days=2, hours=3)

    run_due(app)

    assert posts(fake_slack) == []
    assert [r["status"] for r in ledger(database_url)] == ["skipped"] * 3


def test_two_schedulers_at_once_send_each_occurrence_once(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    assert app.runtime is not None
    add_schedule(app)
    clock.current = NINE_AMSTERDAM + timedelta(seconds=1)
    tips = app.runtime.tips

    async def together() -> list[list[Delivered]]:
        return await asyncio.gather(tips.run_due(), tips.run_due(), tips.run_due())

    outcomes = [d.status for batch in app.call(together()) for d in batch]

    assert outcomes.count("sent") == 1
    assert len(posts(fake_slack, "C0TIPS")) == 1


def test_a_channel_problem_pauses_the_schedule_and_tells_its_owner(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_schedule(app)
    fake_slack.state.channel_errors["C0TIPS"] = "not_in_channel"
    clock.current = NINE_AMSTERDAM + timedelta(seconds=1)

    assert [d.status for d in run_due(app)] == ["failed"]

    [dm] = posts(fake_slack, "U0001")
    assert "paused your Delight tip schedule" in reply_text(dm)
    assert "/invite @Delight" in reply_text(dm)
    [schedule] = query(database_url, "SELECT paused, paused_reason FROM tip_schedule")
    assert schedule["paused"]
    assert "not_in_channel" in schedule["paused_reason"]
    clock.current += timedelta(days=1)
    assert run_due(app) == []  # paused: nothing more until an admin resumes it


def test_slack_down_marks_the_occurrence_failed_without_pausing(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_schedule(app)
    fake_slack.fail("chat.postMessage", *[Failure(status=503, error="service_unavailable")] * 8)
    clock.current = NINE_AMSTERDAM + timedelta(seconds=1)

    run_due(app)

    [row] = ledger(database_url)
    assert row["status"] == "failed"
    assert "service_unavailable" in row["reason"]
    [schedule] = query(database_url, "SELECT paused FROM tip_schedule")
    assert not schedule["paused"]


def tip_button_click(value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": "U0002", "username": "bob", "name": "bob", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "FAKEverificationTOKEN0001",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": "C0TIPS",
            "is_ephemeral": False,
        },
        "trigger_id": "7777.8888.tip",
        "channel": {"id": "C0TIPS", "name": "tips"},
        "message": {"type": "message", "ts": "1700000000.000001", "text": "tip"},
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [
            {
                "action_id": "recognise_from_tip",
                "block_id": "b1",
                "value": value,
                "type": "button",
                "action_ts": "1700000100.123456",
            }
        ],
        "state": {"values": {}},
    }


def test_the_tip_button_opens_the_form_with_its_element_chosen(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    assert slack.interaction(tip_button_click("genuine")).status == 200

    [call] = fake_slack.wait_for_calls("views.open")
    elements = next(b for b in call.args["view"]["blocks"] if b.get("block_id") == "elements")
    assert [o["value"] for o in elements["element"]["initial_options"]] == ["genuine"]


def test_a_forged_button_value_opens_the_form_with_nothing_chosen(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    assert slack.interaction(tip_button_click("<!here>")).status == 200

    [call] = fake_slack.wait_for_calls("views.open")
    elements = next(b for b in call.args["view"]["blocks"] if b.get("block_id") == "elements")
    assert "initial_options" not in elements["element"]


def test_a_rate_limited_tip_waits_for_retry_after_and_is_sent_once(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_schedule(app)
    fake_slack.fail("chat.postMessage", Failure(status=429, retry_after=1))
    clock.current = NINE_AMSTERDAM + timedelta(seconds=1)

    assert [d.status for d in run_due(app)] == ["sent"]

    first, retry = fake_slack.calls("chat.postMessage")
    assert retry.at - first.at >= 1.0  # Retry-After was honoured
    assert [r["status"] for r in ledger(database_url)] == ["sent"]
