"""The workspace's own tips and library tips turned off, over signed HTTP: the modal, the
library's rules for new tips, the last tip of an element, rights and forged ids, and the
rotation using what the admins chose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.elements import Element
from bot.core.tip_catalogue import CustomTip
from bot.core.tips import load_tip_library
from bot.core.words import restored
from tests.conftest import FakeClock
from tests.driver import Reply, RunningApp, SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import all_block_text, blocks_text, execute, posts, query
from tests.tip_helpers import ADMIN, buttons, click, click_and_wait, create_schedule, view_text

MONDAY_EIGHT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
LIBRARY = load_tip_library()
VOLUNTARY = LIBRARY.for_element(Element.VOLUNTARY)
BODY = (
    "Before your shift ends, ask the colleague beside you which customer is still waiting "
    "and take that one yourself: nobody asked you to."
)


@pytest.fixture(autouse=True)
def monday_morning(clock: FakeClock) -> None:
    clock.current = MONDAY_EIGHT


def tips_view(metadata: str = "voluntary:1") -> dict[str, Any]:
    return {"id": "VTIPS", "type": "modal", "private_metadata": metadata}


def add_tip(
    slack: SlackDriver, title: str, body: str = BODY, *, user: str = ADMIN, version: int = 1
) -> Reply:
    return slack.submit_view(
        "delight_custom_tips",
        {
            f"tip_title_{version}": {"tip_title": {"value": title}},
            f"tip_body_{version}": {"tip_body": {"value": body}},
        },
        user=user,
        private_metadata=f"voluntary:{version}",
    )


def turn(slack: SlackDriver, fake: FakeSlack, action: str, tip_id: str, **kw: Any) -> str:
    shown = click_and_wait(
        fake, "views.update", lambda: click(slack, action, tip_id, view=tips_view(), **kw)
    )
    return view_text(shown)


def test_the_tips_modal_lists_an_elements_tips_and_switches_element(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    pushed = click_and_wait(
        fake_slack, "views.push", lambda: click(slack, "tips_custom", "voluntary")
    )
    view = pushed.args["view"]
    assert view["callback_id"] == "delight_custom_tips"
    assert [b["value"] for b in buttons(view, "tip_disable")] == [t.id for t in VOLUNTARY]
    assert "7 of 7 tips in the rotation" in view_text(pushed)

    chosen = {"type": "static_select", "action_id": "tips_element"}
    chosen["selected_option"] = {"value": "genuine"}
    slack.block_action(chosen, user=ADMIN, channel=None, view=tips_view())
    genuine = fake_slack.wait_for_calls("views.update")[-1]
    assert genuine.args["view"]["private_metadata"] == "genuine:2"  # a new, empty form
    genuine_ids = [b["value"] for b in buttons(genuine.args["view"], "tip_disable")]
    assert genuine_ids == [t.id for t in LIBRARY.for_element(Element.GENUINE)]


def test_an_admins_tip_is_checked_stored_audited_and_joins_the_rotation(
    slack: SlackDriver,
    fake_slack: FakeSlack,
    app: RunningApp,
    clock: FakeClock,
    database_url: str,
) -> None:
    reply = add_tip(slack, "Take the <!here> last customer")
    assert reply.json()["response_action"] == "update"
    view = reply.json()["view"]
    assert view["private_metadata"] == "voluntary:2"
    assert "Added “Take the &lt;!here&gt; last customer”" in blocks_text(view["blocks"])
    [row] = query(database_url, "SELECT * FROM tip_custom")
    assert (row["element"], row["author_id"], row["enabled"]) == ("voluntary", ADMIN, True)
    [audit] = query(database_url, "SELECT action, detail FROM audit_log")
    assert audit["action"] == "tip.added"

    for tip in VOLUNTARY:  # with the admins' tip on, every library tip can go off
        turn(slack, fake_slack, "tip_disable", tip.id)
    assert len(query(database_url, "SELECT * FROM tip_disabled")) == 7
    create_schedule(slack, fake_slack, app)
    clock.current = MONDAY_EIGHT + timedelta(hours=1, seconds=5)
    assert app.runtime is not None
    app.call(app.runtime.tips.run_due())

    [posted] = posts(fake_slack, "CTIPS")
    text = all_block_text(posted)
    assert "Take the &lt;!here&gt; last customer" in text  # inert: it pings nobody
    # An admin's own tip is something to do, so it keeps "Recognise someone who did this".
    [button] = posted.args["blocks"][-1]["elements"]
    assert (button["action_id"], button["value"]) == ("recognise_from_tip", "voluntary")
    assert query(database_url, "SELECT tip_id FROM tip_delivery")[0]["tip_id"] == (
        f"custom:{row['id']}"
    )


def test_an_admins_own_tip_is_always_recognisable() -> None:
    custom = CustomTip(7, "T0001", Element.CUSTOMER, "Hold the door", BODY, False, ADMIN)
    assert custom.tip.recognisable
    assert custom.tip.id == "custom:7"


def test_new_tips_follow_the_librarys_rules(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    short = add_tip(slack, "Stay a minute", "Too short to be a tip.").json()["errors"]
    assert list(short) == ["tip_body_1"]
    assert "too short" in short["tip_body_1"]
    long_title = add_tip(slack, "x" * 71).json()["errors"]
    assert "too long (71 characters, at most 70)" in long_title["tip_title_1"]
    empty = add_tip(slack, "  ", "").json()["errors"]
    assert set(empty) == {"tip_title_1", "tip_body_1"}
    copied = add_tip(slack, VOLUNTARY[0].title + "!").json()["errors"]
    assert f"very like the tip “{VOLUNTARY[0].title}”" in copied["tip_title_1"]
    reworded = add_tip(slack, "Something else entirely", VOLUNTARY[2].body).json()["errors"]
    assert list(reworded) == ["tip_body_1"]
    assert query(database_url, "SELECT * FROM tip_custom") == []

    # A library tip that is turned off no longer blocks a tip like it.
    turn(slack, fake_slack, "tip_disable", VOLUNTARY[0].id)
    assert add_tip(slack, VOLUNTARY[0].title + "!").json()["response_action"] == "update"


def test_an_element_keeps_at_least_one_tip_on(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    for tip in VOLUNTARY[:-1]:
        turn(slack, fake_slack, "tip_disable", tip.id)
    refused = turn(slack, fake_slack, "tip_disable", VOLUNTARY[-1].id)

    assert "the last Voluntary tip still on" in refused
    assert len(query(database_url, "SELECT * FROM tip_disabled")) == 6
    assert "Turn on" in refused
    turn(slack, fake_slack, "tip_enable", VOLUNTARY[0].id)
    assert len(query(database_url, "SELECT * FROM tip_disabled")) == 5
    actions = [r["action"] for r in query(database_url, "SELECT action FROM audit_log")]
    assert actions == ["tip.disabled"] * 6 + ["tip.enabled"]


def test_custom_tips_are_turned_off_on_and_deleted_from_their_menu(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    add_tip(slack, "Take the last customer")
    [row] = query(database_url, "SELECT id FROM tip_custom")
    tip_id = f"custom:{row['id']}"

    def menu(choice: str) -> str:
        action = {"type": "overflow", "action_id": "tip_menu"}
        action["selected_option"] = {"value": f"{choice}:{tip_id}"}
        before = len(fake_slack.calls("views.update"))
        slack.block_action(action, user=ADMIN, channel=None, view=tips_view())
        return view_text(fake_slack.wait_for_calls("views.update", before + 1)[-1])

    assert "_(off)_" in menu("off")
    assert not query(database_url, "SELECT enabled FROM tip_custom")[0]["enabled"]
    menu("on")
    assert "Deleted" in menu("delete")
    assert query(database_url, "SELECT * FROM tip_custom") == []


def test_every_tip_off_skips_the_week_with_a_reason_and_preview_says_so(
    slack: SlackDriver,
    fake_slack: FakeSlack,
    app: RunningApp,
    clock: FakeClock,
    database_url: str,
) -> None:
    schedule_id = create_schedule(slack, fake_slack, app)
    for tip in VOLUNTARY:  # what a race between two admins could leave
        execute(
            database_url,
            "INSERT INTO tip_disabled (team_id, tip_id, disabled_at) VALUES ('T0001', :tip, :at)",
            tip=tip.id,
            at=MONDAY_EIGHT,
        )
    preview = click_and_wait(
        fake_slack, "views.push", lambda: click(slack, "tips_preview", str(schedule_id))
    )
    assert "every Voluntary tip is turned off" in view_text(preview)

    clock.current = MONDAY_EIGHT + timedelta(hours=1, seconds=5)
    assert app.runtime is not None
    [delivered] = app.call(app.runtime.tips.run_due())

    assert delivered.status == "skipped"
    assert posts(fake_slack, "CTIPS") == []
    [row] = query(database_url, "SELECT status, reason FROM tip_delivery")
    assert row["status"] == "skipped"
    # Kept whole, so the element is named in the reader's language; its English reads first.
    assert row["reason"].startswith('{"text":"every Voluntary tip is turned off",')
    assert restored(row["reason"]) == "every Voluntary tip is turned off"


def test_non_admins_and_forged_or_foreign_tip_ids_change_nothing(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    execute(
        database_url,
        "INSERT INTO tip_custom (team_id, element, title, body, enabled, author_id, created_at) "
        "VALUES ('T0002', 'voluntary', 'Theirs', :body, true, 'UTHEM', :at)",
        body=BODY,
        at=MONDAY_EIGHT,
    )
    [foreign] = query(database_url, "SELECT id FROM tip_custom")

    assert "Only Delight admins" in turn(
        slack, fake_slack, "tip_disable", VOLUNTARY[0].id, user="U0002"
    )
    assert "Only Delight admins" in str(add_tip(slack, "Mine", user="U0002").json()["errors"])
    for value in (f"custom:{foreign['id']}", "custom:999", "<!here>", "no-such-tip", "custom:0"):
        assert "isn't there any more" in turn(slack, fake_slack, "tip_disable", value), value
    pushed = click_and_wait(
        fake_slack, "views.push", lambda: click(slack, "tips_custom", "voluntary", user="U0002")
    )
    assert "Only Delight admins" in view_text(pushed)

    assert query(database_url, "SELECT * FROM tip_disabled") == []
    assert query(database_url, "SELECT enabled FROM tip_custom")[0]["enabled"]
    assert query(database_url, "SELECT * FROM audit_log") == []
