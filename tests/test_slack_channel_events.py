"""Slack, end to end on SQLite and PostgreSQL: a channel archived pauses the tip schedules that
post in it until it is unarchived (tips DMed to its members go on); a channel deleted pauses
what posts there or reads its members, digests included, for good. Each schedule's owner and
each team of people's creator is told once, in their language, however often Slack says it;
public (`channel_*`) and private (`group_*`) channels alike. Delight removed from a private
channel pauses what posts there or reads its members until it is invited back; removed from a
public one (where it still posts and reads), or anyone else leaving, pauses nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.core.installations import PLACE_GONE
from bot.core.platform import ChannelProblem
from bot.core.schedule import DeliveryMode
from tests.conftest import FakeClock
from tests.digest_helpers import ADMIN, add_team
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import posts, query, reply_text
from tests.teams_driver import wait_for
from tests.test_msteams_admin import schedule_state
from tests.test_tip_delivery import run_due
from tests.tip_helpers import MONDAY_EIGHT, add_schedule

NINE = MONDAY_EIGHT + timedelta(hours=1, seconds=30)  # 09:00 in Amsterdam, when the tips are due
OWNER = "U0001"  # add_schedule's
TIPS = "C0TIPS"


def told(fake_slack: FakeSlack, person: str, opening: str) -> list[str]:
    return [text for c in posts(fake_slack, person) if (text := reply_text(c)).startswith(opening)]


def schedule_notices(fake_slack: FakeSlack) -> list[str]:
    return told(fake_slack, OWNER, "I've paused your Delight tip schedule")


def test_an_archived_channel_pauses_what_posts_there_until_it_is_unarchived(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    clock.current = MONDAY_EIGHT
    fake_slack.state.channel_members[TIPS] = ["U0002", "U0003"]
    posting = add_schedule(app, channel_id=TIPS)
    to_members = add_schedule(app, channel_id=TIPS, mode=DeliveryMode.MEMBERS)
    elsewhere = add_schedule(app, channel_id="C0OTHER")

    archived = {"type": "channel_archive", "channel": TIPS, "user": "U0002"}
    assert slack.event(archived, event_id="Ev-archive").status == 200
    assert slack.event(archived, event_id="Ev-archive", retry_num=1).status == 200  # a retry
    assert slack.event(archived).status == 200  # said again: nothing newly paused, no one told
    gone = PLACE_GONE[ChannelProblem.ARCHIVED]
    wait_for(lambda: schedule_state(database_url, posting.id) == (True, gone))
    [notice] = wait_for(lambda: schedule_notices(fake_slack))
    assert notice == (
        "I've paused your Delight tip schedule for <#C0TIPS>: the channel was archived. It "
        "resumes by itself once the channel is unarchived; or point it at another channel."
    )
    # Read only: its members are still there to be DMed.
    assert schedule_state(database_url, to_members.id) == (False, None)
    assert schedule_state(database_url, elsewhere.id) == (False, None)
    clock.current = NINE
    assert sorted(d.schedule_id for d in run_due(app)) == sorted([to_members.id, elsewhere.id])
    assert posts(fake_slack, TIPS) == []

    assert (
        slack.event({"type": "channel_unarchive", "channel": TIPS, "user": "U0002"}).status == 200
    )
    wait_for(lambda: schedule_state(database_url, posting.id) == (False, None))
    clock.current = NINE + timedelta(days=1)
    assert posting.id in [d.schedule_id for d in run_due(app)]
    assert len(posts(fake_slack, TIPS)) == 1
    assert len(schedule_notices(fake_slack)) == 1  # resuming tells no one


def test_a_deleted_private_channel_stops_its_tips_and_the_digests_read_from_it(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    clock.current = MONDAY_EIGHT
    posting = add_schedule(app, channel_id="G0PRIV")
    to_members = add_schedule(app, channel_id="G0PRIV", mode=DeliveryMode.MEMBERS)
    add_team(app, fake_slack, clock, name="Night shift", member_ids=(), channel_ids=("G0PRIV",))
    add_team(app, fake_slack, clock, name="Day shift")  # its people picked one by one

    deleted = {"type": "group_deleted", "channel": "G0PRIV"}
    assert slack.event(deleted, event_id="Ev-deleted").status == 200
    assert slack.event(deleted, event_id="Ev-deleted", retry_num=1).status == 200
    gone = PLACE_GONE[ChannelProblem.NOT_FOUND]
    wait_for(lambda: schedule_state(database_url, to_members.id) == (True, gone))
    assert schedule_state(database_url, posting.id) == (True, gone)
    notices = wait_for(
        lambda: len(schedule_notices(fake_slack)) == 2 and schedule_notices(fake_slack)
    )
    assert set(notices) == {
        "I've paused your Delight tip schedule for <#G0PRIV>: the channel was deleted. Point it "
        "at another channel to keep the tips coming."
    }

    def digests() -> list[tuple[str, str | None]]:
        teams = query(database_url, "SELECT name, paused_reason FROM manager_team ORDER BY name")
        return [(t["name"], t["paused_reason"]) for t in teams]

    # The digests pause after the tip schedules (and their owners' notices).
    wait_for(lambda: digests()[-1][1] is not None)
    assert digests() == [("Day shift", None), ("Night shift", gone)]
    [creator_told] = wait_for(
        lambda: told(fake_slack, ADMIN, "I've paused the weekly digests of *Night shift*")
    )
    assert "its members were read from a channel that was deleted" in creator_told
    assert "`/delight teams`" in creator_told
    assert len(schedule_notices(fake_slack)) == 2  # each owner told once


SECRET = "C0SECRET"  # a private channel made since 2021: a C id, like a public one's


def membership(kind: str, user: str, channel: str) -> dict[str, str]:
    return {"type": kind, "user": user, "channel": channel, "channel_type": "C", "team": "T0001"}


def test_delight_removed_from_a_private_channel_pauses_what_depends_on_it_until_invited_back(
    slack: SlackDriver, fake_slack: FakeSlack, app: RunningApp, clock: FakeClock, database_url: str
) -> None:
    clock.current = MONDAY_EIGHT
    fake_slack.state.channels[SECRET] = {"is_private": True, "is_member": False}
    posting = add_schedule(app, channel_id=SECRET)
    to_members = add_schedule(app, channel_id=SECRET, mode=DeliveryMode.MEMBERS)
    in_public = add_schedule(app, channel_id=TIPS)
    add_team(app, fake_slack, clock, name="Night shift", member_ids=(), channel_ids=(SECRET,))

    # A colleague leaving, and Delight taken out of a public channel: nothing pauses.
    assert slack.event(membership("member_left_channel", "U0003", SECRET)).status == 200
    assert slack.event(membership("member_left_channel", "UBOT", TIPS)).status == 200
    left = membership("member_left_channel", "UBOT", SECRET)
    assert slack.event(left).status == 200
    assert slack.event(left).status == 200  # said twice: acted on alike, told once
    removed = PLACE_GONE[ChannelProblem.NOT_A_MEMBER]
    wait_for(lambda: schedule_state(database_url, to_members.id) == (True, removed))
    assert schedule_state(database_url, posting.id) == (True, removed)
    wait_for(
        lambda: (
            query(database_url, "SELECT paused_reason FROM manager_team")
            == [{"paused_reason": removed}]
        )
    )
    notices = wait_for(
        lambda: len(schedule_notices(fake_slack)) == 2 and schedule_notices(fake_slack)
    )
    assert set(notices) == {
        "I've paused your Delight tip schedule for <#C0SECRET>: I was removed from that private "
        "channel. It resumes by itself once someone there invites me back (`/invite @Delight`); "
        "or point it at another channel."
    }
    [creator_told] = wait_for(
        lambda: told(fake_slack, ADMIN, "I've paused the weekly digests of *Night shift*")
    )
    assert "a private channel I was removed from" in creator_told
    assert schedule_state(database_url, in_public.id) == (False, None)

    # Someone else joining changes nothing; Delight invited back resumes all of it.
    assert slack.event(membership("member_joined_channel", "U0003", SECRET)).status == 200
    assert slack.event(membership("member_joined_channel", "UBOT", SECRET)).status == 200
    wait_for(lambda: schedule_state(database_url, posting.id) == (False, None))
    wait_for(lambda: schedule_state(database_url, to_members.id) == (False, None))
    wait_for(
        lambda: (
            query(database_url, "SELECT paused_reason FROM manager_team")
            == [{"paused_reason": None}]
        )
    )
    assert len(schedule_notices(fake_slack)) == 2  # resuming tells no one
    # These events leave no row in the ledger of repeated events: Slack sends one for every
    # colleague who joins or leaves a channel Delight is in.
    assert query(database_url, "SELECT count(*) AS n FROM processed_event")[0]["n"] == 0
