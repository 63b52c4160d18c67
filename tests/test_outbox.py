"""The outbox while Slack is down: retried with backoff, given up with a reason (and the giver
told), cancelled by undo, reported by /healthz."""

from __future__ import annotations

import time

from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import Failure, FakeSlack
from tests.helpers import delivered, kudos_rows, posts, query, reply_text

STORY = "<@U0002|bob> stayed late to finish a customer's order"
# Slack's own "try again later" (no HTTP error, so the client doesn't wait to retry it):
# once for the announcement, once for the DM.
SLACK_DOWN = [Failure(error="internal_error")] * 2


def confirmation(slack: SlackDriver, fake: FakeSlack, text: str = STORY) -> str:
    before = len(fake.calls("response_url"))
    assert slack.command(text).status == 200
    return reply_text(fake.wait_for_calls("response_url", before + 1, timeout=30)[-1])


def outbox(database_url: str) -> list[dict[str, object]]:
    return query(
        database_url,
        "SELECT kind, target, attempts, next_attempt_at, last_error FROM outbox "
        "ORDER BY kind, target",
    )


def drain(app: RunningApp) -> None:
    assert app.runtime is not None
    app.call(app.runtime.drainer.deliver_due())


def test_while_slack_is_down_the_giver_is_told_it_will_come_and_it_does(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    fake_slack.fail("chat.postMessage", *SLACK_DOWN)

    message = confirmation(slack, fake_slack)

    assert "I'll post it in <#C0001> as soon as Slack takes it" in message
    assert "couldn't send a DM to <@U0002> yet" in message
    assert "I'll keep trying" in message
    owed = outbox(database_url)
    assert [(r["kind"], r["target"], r["attempts"]) for r in owed] == [
        ("announcement", "C0001", 1),
        ("dm", "U0002", 1),
    ]  # the receipt is done: the giver was just told
    assert {r["last_error"] for r in owed} == {"service_unavailable: internal_error"}
    failed_tries = len(fake_slack.calls("chat.postMessage"))

    drain(app)  # not due yet: the first retry waits five seconds
    assert len(fake_slack.calls("chat.postMessage")) == failed_tries

    clock.advance(seconds=6)
    drain(app)

    delivered = fake_slack.calls("chat.postMessage")[failed_tries:]
    assert sorted(c.args["channel"] for c in delivered) == ["C0001", "U0002"]  # once each
    assert outbox(database_url) == []
    [row] = kudos_rows(database_url)
    assert row["announcement_channel_id"] == "C0001"
    assert row["announcement_message_id"]
    [dm] = query(database_url, "SELECT dm_channel_id, dm_message_id FROM kudos_recipient")
    assert dm["dm_channel_id"] == "D0002"
    assert dm["dm_message_id"]
    drain(app)
    clock.advance(minutes=30)
    drain(app)
    assert len(fake_slack.calls("chat.postMessage")) == failed_tries + 2  # nothing more


def test_retries_back_off_and_a_channel_lost_meanwhile_is_given_up_and_explained(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    fake_slack.fail("chat.postMessage", *SLACK_DOWN)
    confirmation(slack, fake_slack)
    fake_slack.fail("chat.postMessage", *SLACK_DOWN)  # still down at the first retry

    clock.advance(seconds=6)
    drain(app)

    waits = {r["target"]: r for r in outbox(database_url)}
    assert waits["C0001"]["attempts"] == 2
    first_retry_at = waits["C0001"]["next_attempt_at"]
    clock.advance(seconds=9)
    drain(app)  # the second retry waits ten seconds, not five
    assert outbox(database_url)[0]["next_attempt_at"] == first_retry_at

    fake_slack.state.channel_errors["C0001"] = "is_archived"
    clock.advance(seconds=2)
    drain(app)

    [given_up] = outbox(database_url)
    assert (given_up["kind"], given_up["next_attempt_at"]) == ("announcement", None)
    assert given_up["last_error"] == "archived: is_archived"
    assert len(delivered(fake_slack, "U0002")) == 1  # the DM went out
    [update] = delivered(fake_slack, "U0001")  # and the giver hears what to do
    assert "<#C0001> is archived" in update["text"]
    assert "<@U0002> got a DM" in update["text"]
    tries = len(posts(fake_slack, "C0001"))
    clock.advance(hours=1)
    drain(app)
    assert len(posts(fake_slack, "C0001")) == tries  # given up: never tried again
    assert delivered(fake_slack, "C0001") == []


def test_after_a_day_of_outage_delivery_is_given_up_and_the_giver_told(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    fake_slack.fail("chat.postMessage", *SLACK_DOWN)
    confirmation(slack, fake_slack)
    fake_slack.fail("chat.postMessage", *SLACK_DOWN)

    clock.advance(hours=25)
    drain(app)

    assert {(r["target"], r["next_attempt_at"]) for r in outbox(database_url)} == {
        ("C0001", None),
        ("U0002", None),
    }
    [update] = delivered(fake_slack, "U0001")
    assert "Slack didn't accept the announcement" in update["text"]
    assert "couldn't send a DM to <@U0002>" in update["text"]


def test_undo_cancels_what_was_not_delivered_yet(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    fake_slack.fail("chat.postMessage", *SLACK_DOWN)
    confirmation(slack, fake_slack)

    undone = confirmation(slack, fake_slack, "undo")
    assert "withdrawn" in undone.lower()
    assert outbox(database_url) == []
    sent = len(fake_slack.calls("chat.postMessage"))
    clock.advance(minutes=1)
    drain(app)
    assert len(fake_slack.calls("chat.postMessage")) == sent


def test_health_reports_the_outbox_backlog_when_details_are_on(
    health_details: None, app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    assert slack.get("/healthz").json()["outbox"] == {"running": True, "waiting": 0, "given_up": 0}
    fake_slack.fail("chat.postMessage", *SLACK_DOWN)
    confirmation(slack, fake_slack)

    # The count is cached for a couple of seconds (bot/health.py).
    deadline = time.monotonic() + 5
    while (outbox := slack.get("/healthz").json()["outbox"])["waiting"] == 0:
        assert time.monotonic() < deadline, outbox
        time.sleep(0.2)
    assert outbox == {"running": True, "waiting": 2, "given_up": 0}


def test_what_was_given_up_is_kept_a_month_with_its_reason(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    fake_slack.state.channel_errors["U0002"] = "messages_tab_disabled"
    confirmation(slack, fake_slack)
    assert app.runtime is not None
    forget = app.runtime.drainer.forget_old_failures

    clock.advance(days=29)
    assert app.call(forget()) == 0
    [kept] = outbox(database_url)
    assert (kept["target"], kept["last_error"]) == (
        "U0002",
        "recipient_unavailable: messages_tab_disabled",
    )

    clock.advance(days=2)
    assert app.call(forget()) == 1
    assert outbox(database_url) == []
