"""Weekly digests end to end: kudos given over signed HTTP, the scheduler's run, the DM with
its chart in the fake Slack, the ledger; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core.digest_delivery import MAX_ATTEMPTS, RETRY_AFTER, Outcome
from bot.core.digest_week import DigestSchedule
from bot.core.teams import TeamDraft
from tests.conftest import FakeClock
from tests.digest_helpers import (
    ADMIN,
    LAST_WEDNESDAY,
    MONDAY_NINE_AMSTERDAM,
    MONDAY_NINE_NEW_YORK,
    add_team,
    endorse,
    give,
    ledger,
    run_due,
)
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import Failure, FakeSlack
from tests.helpers import all_block_text, execute, posts, reply_text


@pytest.fixture(autouse=True)
def _fast_pace(env: dict[str, str]) -> None:
    """Pacing has its own tests (test_pacing.py); here a big budget keeps the suite fast."""
    env["DELIGHT_DIGEST_MESSAGES_PER_MINUTE"] = "6000"


def digests_to(fake: FakeSlack, dm: str) -> list[str]:
    return [all_block_text(c) for c in posts(fake, dm) if "week in Delight" in reply_text(c)]


def test_each_manager_gets_the_weekly_digest_once_at_nine_in_their_own_zone(
    app: RunningApp,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    clock: FakeClock,
    database_url: str,
) -> None:
    add_team(app, fake_slack, clock, manager_ids=("U0001", "U0005"))  # Amsterdam, New York
    first = give(
        slack,
        clock,
        database_url,
        LAST_WEDNESDAY,
        "<@U0002> stayed late to fix a refund #voluntary",
    )
    give(
        slack,
        clock,
        database_url,
        LAST_WEDNESDAY + timedelta(hours=2),
        "<@U0002> and <@U0003> rebuilt the returns desk together #act #delight",
    )
    secret = give(
        slack,
        clock,
        database_url,
        LAST_WEDNESDAY + timedelta(hours=3),
        "<@U0003> calmed an angry caller",
    )
    gone = give(
        slack,
        clock,
        database_url,
        LAST_WEDNESDAY + timedelta(hours=4),
        "<@U0003> this one was withdrawn",
    )
    execute(database_url, "UPDATE kudos SET private = true WHERE id = :k", k=secret)
    execute(database_url, "UPDATE kudos SET removed_at = CURRENT_TIMESTAMP WHERE id = :k", k=gone)
    endorse(database_url, first, "U0003", "U0004")
    fake_slack.reset()

    clock.current = MONDAY_NINE_AMSTERDAM - timedelta(minutes=1)
    assert run_due(app) == []
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=30)
    assert [(o.manager_id, o.week, o.status) for o in run_due(app)] == [
        ("U0001", "2026-W47", "sent")
    ]
    assert run_due(app) == []  # the next tick: nothing new

    [digest] = digests_to(fake_slack, "D0001")
    assert "Support EMEA" in digest
    assert "3 recognitions" in digest
    assert "2 of your 3 people" in digest
    assert "stayed late to fix a refund" in digest
    assert "<@U0005>" in digest
    assert "🔒" in digest
    assert "calmed an angry caller" in digest
    assert "withdrawn" not in digest  # removed kudos count nowhere
    assert "Nobody has recognised <@U0004>" in digest
    assert "worth a closer look" in digest
    assert "*Most endorsed:* <@U0005> → <@U0002>" in digest
    [upload] = fake_slack.calls("files.completeUploadExternal")
    assert upload.args["channel_id"] == "D0001"
    [png] = fake_slack.state.uploads.values()
    assert png.startswith(b"\x89PNG")
    assert "above" in digest
    assert "```" not in digest

    clock.current = MONDAY_NINE_NEW_YORK + timedelta(seconds=5)
    assert [(o.manager_id, o.status) for o in run_due(app)] == [("U0005", "sent")]
    assert len(digests_to(fake_slack, "D0005")) == 1
    assert [(r["manager_id"], r["status"]) for r in ledger(database_url)] == [
        ("U0001", "sent"),
        ("U0005", "sent"),
    ]


def test_several_schedulers_at_once_send_each_digest_once(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    assert app.runtime is not None
    add_team(app, fake_slack, clock)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)
    digests = app.runtime.services.digests.digests

    async def together() -> list[list[Outcome]]:
        return await asyncio.gather(*(digests.run_due() for _ in range(4)))

    statuses = [o.status for batch in app.call(together()) for o in batch]

    assert statuses == ["sent"]
    assert len(digests_to(fake_slack, "D0001")) == 1


def test_when_charts_are_off_or_the_upload_fails_the_digest_goes_with_text_bars(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    assert app.runtime is not None
    add_team(app, fake_slack, clock, name="Upload fails")
    add_team(app, fake_slack, clock, name="Charts off", manager_ids=("U0002",))
    fake_slack.state.upload_failures = 99  # every upload of the file's bytes is refused
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)

    assert {o.status for o in run_due(app)} == {"sent"}

    [failed_chart] = digests_to(fake_slack, "D0001")
    assert "*By element*" in failed_chart
    assert "Voluntary" in failed_chart
    assert fake_slack.calls("files.completeUploadExternal") == []

    fake_slack.reset()
    app.call(app.runtime.digest_ledger.save_schedule(DigestSchedule("T0001", charts=False)))
    clock.current += timedelta(days=7)
    run_due(app)
    assert fake_slack.calls("files.getUploadURLExternal") == []
    assert all("*By element*" in d for d in digests_to(fake_slack, "D0001"))


def test_slack_trouble_is_retried_at_later_ticks_then_recorded_as_failed(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_team(app, fake_slack, clock)
    # Slack's own trouble, answered at once (a 5xx would first be retried with backoff).
    fake_slack.fail("chat.postMessage", *[Failure(error="internal_error")] * 50)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)

    assert [o.status for o in run_due(app)] == ["retry"]
    assert run_due(app) == []  # not before RETRY_AFTER
    for _ in range(MAX_ATTEMPTS - 1):
        clock.current += RETRY_AFTER
        run_due(app)

    [row] = ledger(database_url)
    assert (row["status"], row["attempts"]) == ("failed", MAX_ATTEMPTS)
    assert "internal_error" in row["reason"]
    clock.current += RETRY_AFTER
    assert run_due(app) == []


def test_a_retry_that_succeeds_is_sent_once(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_team(app, fake_slack, clock)
    fake_slack.fail("chat.postMessage", Failure(error="service_unavailable"))
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)
    run_due(app)
    fake_slack.reset()
    clock.current += RETRY_AFTER

    assert [o.status for o in run_due(app)] == ["sent"]
    assert [(r["status"], r["attempts"]) for r in ledger(database_url)] == [("sent", 2)]
    assert len(digests_to(fake_slack, "D0001")) == 1


def test_a_closed_dm_fails_and_tells_the_admin_who_made_the_team(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_team(app, fake_slack, clock, manager_ids=("U0002",))
    fake_slack.state.channel_errors["D0002"] = "messages_tab_disabled"
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)

    assert [o.status for o in run_due(app)] == ["failed"]
    [note] = posts(fake_slack, ADMIN)
    assert "couldn't deliver the weekly digest" in reply_text(note)
    assert "<@U0002>" in reply_text(note)
    [row] = ledger(database_url)
    assert "messages_tab_disabled" in row["reason"]


def test_a_deactivated_manager_is_skipped(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_team(app, fake_slack, clock, manager_ids=("U0002",))
    fake_slack.state.users["U0002"]["deleted"] = True
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)

    assert [o.status for o in run_due(app)] == ["skipped"]
    assert posts(fake_slack) == []
    assert "deactivated" in ledger(database_url)[0]["reason"]


def test_a_manager_who_leaves_the_team_stops_receiving_it(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    assert app.runtime is not None
    team = add_team(app, fake_slack, clock, manager_ids=("U0001", "U0002"))
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)
    assert len(run_due(app)) == 2

    draft = TeamDraft(name=team.name, manager_ids=("U0002",), member_ids=team.member_ids)
    app.call(
        app.runtime.services.digests.teams.save("T0001", draft, admin_id=ADMIN, team_pk=team.id)
    )
    fake_slack.reset()
    clock.current += timedelta(days=7)

    assert [o.manager_id for o in run_due(app)] == ["U0002"]
    assert posts(fake_slack, "D0001") == []


def test_after_a_long_outage_an_old_digest_is_recorded_as_skipped(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_team(app, fake_slack, clock)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(days=3)

    assert [o.status for o in run_due(app)] == ["skipped"]
    assert posts(fake_slack) == []
    assert ledger(database_url)[0]["reason"] == "missed while Delight was not running"


def test_members_come_from_user_groups_and_channels_read_at_each_digest(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    fake_slack.state.usergroups["S0SUPPORT"] = ["U0002"]
    # 450 people: three pages of conversations.members at 200 a page
    fake_slack.state.channel_members["C0TEAM"] = [f"UM{n:04d}" for n in range(449)] + ["UBOT"]
    add_team(
        app, fake_slack, clock, member_ids=(), usergroup_ids=("S0SUPPORT",), channel_ids=("C0TEAM",)
    )
    give(slack, clock, database_url, LAST_WEDNESDAY, "<@UM0003> covered the whole shift alone")
    fake_slack.state.usergroups["S0SUPPORT"] = ["U0002", "U0003"]  # the group grew
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)

    run_due(app)

    [digest] = digests_to(fake_slack, "D0001")
    assert "1 of your 451 people" in digest  # 2 from the group, 449 from the channel, no bot
    assert "<@UM0003>" in digest
    assert "<@UBOT>" not in digest
    pages = fake_slack.calls("conversations.members")
    assert [c.args.get("cursor") or "" for c in pages] == ["", "200", "400"]
    assert all(int(c.args.get("limit", 0)) == 200 for c in pages)


def test_the_dm_is_opened_once_and_known_from_the_ledger_the_weeks_after(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    add_team(app, fake_slack, clock)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)
    run_due(app)
    clock.current += timedelta(days=7)

    assert [o.status for o in run_due(app)] == ["sent"]

    assert len(fake_slack.calls("conversations.open")) == 1  # Tier 3: the slowest step
    assert len(fake_slack.calls("files.completeUploadExternal")) == 2
    assert len(digests_to(fake_slack, "D0001")) == 2
