"""`/delight digest`, `/delight digest last`, "See everyone" for a large team, and the CLI's
dry run: over signed HTTP against the fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from bot.__main__ import main
from bot.cli.digest import print_digests
from bot.config import Settings
from bot.digest_words import MEMBERS_SHOWN
from bot.runtime import build_runtime
from tests.conftest import FakeClock
from tests.digest_helpers import (
    LAST_WEDNESDAY,
    MONDAY_NINE_AMSTERDAM,
    add_team,
    give,
    insert_kudos,
    run_due,
)
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import FakeSlack, block_problems, user
from tests.helpers import all_block_text, posts, reply_text


@pytest.fixture(autouse=True)
def _fast_pace(env: dict[str, str]) -> None:
    env["DELIGHT_DIGEST_MESSAGES_PER_MINUTE"] = "6000"


def private_replies(fake: FakeSlack) -> list[str]:
    return [all_block_text(c) for c in fake.calls("chat.postEphemeral")]


def test_digest_shows_a_manager_their_teams_week_so_far(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_team(app, fake_slack, clock)
    give(
        slack,
        clock,
        database_url,
        MONDAY_NINE_AMSTERDAM + timedelta(hours=1),
        "<@U0004> found a lost parcel for a customer",
    )
    fake_slack.reset()
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(days=1)

    assert slack.command("digest").status == 200

    [reply] = fake_slack.wait_for_calls("chat.postEphemeral")
    text = all_block_text(reply)
    assert reply.args["user"] == "U0001"
    assert "Your team's week so far in Delight — Support EMEA, 23\u2009–\u200924 Nov 2026" in text
    assert "found a lost parcel" in text
    assert "*By element*" in text  # no file in an ephemeral message: text bars


def test_digest_last_shows_the_last_one_sent_and_before_that_says_so(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    add_team(app, fake_slack, clock)
    give(slack, clock, database_url, LAST_WEDNESDAY, "<@U0003> rewired the till before opening")
    fake_slack.reset()

    slack.command("digest last")
    [before] = fake_slack.wait_for_calls("chat.postEphemeral")
    assert "haven't sent you a digest yet" in reply_text(before)

    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)
    run_due(app)
    fake_slack.reset()
    clock.current += timedelta(days=2)
    slack.command("digest last")
    [last] = fake_slack.wait_for_calls("chat.postEphemeral")
    assert "16\u2009–\u200922 Nov 2026" in all_block_text(last)
    assert "rewired the till" in all_block_text(last)


def test_people_who_manage_no_team_are_told_how_digests_work(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    slack.command("digest", user="U0002")

    [reply] = fake_slack.wait_for_calls("chat.postEphemeral")
    assert "you don't manage one yet" in reply_text(reply)
    assert "/delight teams" in reply_text(reply)


def test_an_unknown_digest_option_is_explained(slack: SlackDriver) -> None:
    reply = slack.command("digest yesterday")

    assert "`/delight digest last`" in reply.json()["text"]


def large_team(
    app: RunningApp, fake: FakeSlack, clock: FakeClock, database_url: str, size: int
) -> None:
    members = [f"UL{n:04d}" for n in range(size)]
    for uid in members:
        fake.state.users[uid] = user(uid, f"person{uid[2:]}")
    add_team(app, fake, clock, member_ids=tuple(members))
    story = "went far out of their way to help a customer " * 4  # ~180 characters
    insert_kudos(
        database_url,
        [
            {
                "giver": "U0005",
                "recipients": [uid],
                "at": LAST_WEDNESDAY + timedelta(minutes=n),
                "story": f"{story}({n}, take {take})",
                "elements": ("voluntary", "delight"),
                "key": f"bulk-{uid}-{take}",
            }
            for n, uid in enumerate(members[: size * 2 // 3])
            for take in range(3)
        ],
    )


def test_a_large_team_stays_within_slacks_limits_and_everyone_is_a_click_away(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    large_team(app, fake_slack, clock, database_url, size=300)
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(seconds=1)

    assert [o.status for o in run_due(app)] == ["sent"]

    [dm] = [c for c in posts(fake_slack, "D0001") if "week in Delight" in reply_text(c)]
    assert block_problems(dm.args["blocks"]) == []  # (the fake refuses such a post anyway)
    text = all_block_text(dm)
    assert "600 recognitions" in text
    assert "200 of your 300 people" in text
    assert f"and {200 - MEMBERS_SHOWN} more people recognised" in text
    assert "or 85 others in the last 30 days" in text  # 100 quiet people, 15 named
    [button] = next(b for b in dm.args["blocks"] if b["type"] == "actions")["elements"]

    fake_slack.reset()
    slack.interaction(see_everyone(button["value"], ts="1700000000.000001"))
    fake_slack.wait_for(lambda f: len(f.calls("chat.postMessage")) >= 2)
    fake_slack.settle()
    pages = posts(fake_slack, "U0001")
    assert len(pages) >= 2
    everything = "\n".join(all_block_text(p) for p in pages)
    assert all(f"<@UL{n:04d}>" in everything for n in range(300))  # nobody left out
    assert all(block_problems(p.args["blocks"]) == [] for p in pages)
    assert {p.args["thread_ts"] for p in pages} == {"1700000000.000001"}  # under the digest
    assert "(part 1 of" in reply_text(pages[0])


def test_see_everyone_for_a_team_you_dont_manage_shows_nothing(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    team = add_team(app, fake_slack, clock)
    value = json.dumps({"team": team.id, "week": "2026-W47", "partial": False})

    slack.interaction(see_everyone(value, user_id="U0002"))
    fake_slack.settle(0.5)

    assert posts(fake_slack) == []


def see_everyone(value: str, *, user_id: str = "U0001", ts: str = "") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "FAKEverificationTOKEN0001",
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": "D0001",
            "is_ephemeral": not ts,
        },
        "trigger_id": "7777.8888.digest",
        "channel": {"id": "D0001", "name": "directmessage"},
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [
            {
                "action_id": "digest_full_list",
                "block_id": "b1",
                "value": value,
                "type": "button",
                "action_ts": "1700000100.123456",
            }
        ],
        "state": {"values": {}},
    }


def test_dry_run_prints_every_digest_as_text_and_sends_nothing(
    app: RunningApp,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    clock: FakeClock,
    database_url: str,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_team(app, fake_slack, clock, manager_ids=("U0001", "U0005"))
    give(
        slack,
        clock,
        database_url,
        LAST_WEDNESDAY,
        "<@U0002> kept the queue calm all morning",
        user="U0003",
    )
    fake_slack.reset()

    code = asyncio.run(
        print_digests(settings, workspace="T0001", week="2026-W47", runtime_factory=build_runtime)
    )

    out = capsys.readouterr().out
    assert code == 0
    assert out.count("Your team's week in Delight — Support EMEA, 16\u2009–\u200922 Nov 2026") == 2
    assert "=== To @alice (Europe/Amsterdam)" in out
    assert "=== To @tom (America/New_York)" in out
    assert "• @bob — 1" in out
    assert "“kept the queue calm all morning” — @carol" in out
    assert "Nobody has recognised @carol or @maria" in out
    assert "2 digest(s) would be sent; nothing was sent." in out
    assert fake_slack.calls("chat.postMessage") == []
    assert fake_slack.calls("files.getUploadURLExternal") == []


def test_the_cli_checks_its_week(
    capsys: pytest.CaptureFixture[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    code = main(["digest", "--workspace", "T0001", "--dry-run", "--week", "2026-47"])

    assert code == 2
    assert "is not an ISO week: use the form 2026-W47" in capsys.readouterr().err
