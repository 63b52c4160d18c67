"""Taking recognition back: the giver's undo (command and button) and an admin's removal."""

from __future__ import annotations

from tests.conftest import FakeClock
from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import give, message_text, query, reply_text


def retracted(fake: FakeSlack, kudos: dict) -> str:
    return message_text(fake, kudos["announcement_channel_id"], kudos["announcement_message_id"])


def test_undo_withdraws_the_latest_kudos_and_replaces_its_messages(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    first = give(slack, fake_slack, database_url)
    latest = give(
        slack, fake_slack, database_url, "<@U0005|tom> found a lost parcel for a customer"
    )

    slack.command("undo", user="U0001")
    fake_slack.wait_for_calls("chat.update", 2)

    rows = {r["id"]: r for r in query(database_url, "SELECT * FROM kudos")}
    assert rows[first["id"]]["removed_at"] is None
    assert rows[latest["id"]]["removed_by"] == "U0001"
    assert "giver withdrew it" in retracted(fake_slack, latest)
    dm = query(database_url, "SELECT * FROM kudos_recipient WHERE kudos_id = :k", k=latest["id"])
    assert "giver withdrew it" in message_text(
        fake_slack, dm[0]["dm_channel_id"], dm[0]["dm_message_id"]
    )
    assert "Withdrawn" in reply_text(fake_slack.wait_for_calls("response_url", 3)[-1])
    # It notified people already: it keeps its place in the giver's daily allowance.
    give(slack, fake_slack, database_url, "<@U0002|bob> answered a customer at midnight")
    assert "7 more people today" in reply_text(fake_slack.calls("response_url")[-1])


def test_give_and_undo_again_and_again_never_sends_more_than_the_daily_limit(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    """Undo must not buy more notifications: one giver reaches someone at most the daily
    limit's worth of times a day (10 by default), however often they withdraw."""
    for round_ in range(12):
        before = len(fake_slack.calls("response_url"))
        slack.command(f"<@U0004|maria> helped a customer find a gift, take {round_}", user="U0001")
        fake_slack.wait_for_calls("response_url", before + 1)
        slack.command("undo", user="U0001")
        fake_slack.wait_for_calls("response_url", before + 2)

    dms_to_maria = [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == "U0004"]
    assert len(dms_to_maria) == 10
    assert "daily limit" in reply_text(fake_slack.calls("response_url")[-2]).lower()


def test_undo_is_only_for_the_last_15_minutes_and_only_once(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    kudos = give(slack, fake_slack, database_url)
    clock.advance(minutes=16)

    slack.command("undo", user="U0001")
    assert "within 15 minutes" in reply_text(fake_slack.wait_for_calls("response_url", 2)[-1])
    slack.button("undo_kudos", str(kudos["id"]), user="U0001")
    assert "within 15 minutes" in reply_text(fake_slack.wait_for_calls("response_url", 3)[-1])
    assert query(database_url, "SELECT removed_at FROM kudos")[0]["removed_at"] is None


def test_the_undo_button_is_the_givers_alone_and_idempotent(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)

    slack.button("undo_kudos", str(kudos["id"]), user="U0002")  # someone else
    assert "Only the person who gave" in reply_text(
        fake_slack.wait_for_calls("response_url", 2)[-1]
    )
    slack.button("undo_kudos", str(kudos["id"]), user="U0001", team_id="T0002")  # forged team
    slack.button("undo_kudos", str(kudos["id"]), user="U0001")
    slack.button("undo_kudos", str(kudos["id"]), user="U0001")  # double click
    fake_slack.wait_for_calls("response_url", 5)
    fake_slack.settle()

    assert query(database_url, "SELECT removed_by FROM kudos")[0]["removed_by"] == "U0001"
    assert len(fake_slack.calls("chat.update")) == 2  # retracted once: announcement and DM
    # The two clicks' answers may arrive in either order: one withdrew it, one found it gone.
    answers = sorted(reply_text(call)[:10] for call in fake_slack.calls("response_url")[-2:])
    assert answers == ["That recog", "Withdrawn:"]


def choose_remove(slack: SlackDriver, kudos_id: int, *, user: str) -> None:
    """'Remove (admins)' chosen in the announcement's overflow menu."""
    slack.block_action(
        {
            "type": "overflow",
            "action_id": "kudos_menu",
            "selected_option": {"value": f"remove:{kudos_id}"},
        },
        user=user,
    )


def remove(slack: SlackDriver, kudos_id: int, *, user: str, reason: str) -> None:
    slack.submit_view(
        "delight_removal",
        {"reason": {"reason": {"type": "plain_text_input", "value": reason}}},
        user=user,
        private_metadata=str(kudos_id),
    )


def test_an_admin_removes_a_kudos_with_a_reason_kept_in_the_audit_log(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)

    choose_remove(slack, kudos["id"], user="UADMIN")
    [opened] = fake_slack.wait_for_calls("views.open")
    assert opened.args["view"]["private_metadata"] == str(kudos["id"])
    remove(slack, kudos["id"], user="UADMIN", reason="  Posted about the wrong person  ")
    fake_slack.wait_for_calls("chat.update", 2)

    assert query(database_url, "SELECT removed_by FROM kudos")[0]["removed_by"] == "UADMIN"
    [audit] = query(database_url, "SELECT * FROM audit_log")
    assert (audit["actor_id"], audit["action"]) == ("UADMIN", "kudos.removed")
    assert '"reason": "Posted about the wrong person"' in audit["detail"]
    assert "admin removed it" in retracted(fake_slack, kudos)


def test_non_admins_cannot_remove_and_an_empty_reason_is_refused(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)

    choose_remove(slack, kudos["id"], user="U0002")
    assert "Only Delight admins" in reply_text(fake_slack.wait_for_calls("response_url", 2)[-1])
    forged = slack.submit_view(
        "delight_removal",
        {"reason": {"reason": {"value": "because"}}},
        user="U0002",
        private_metadata=str(kudos["id"]),
    )
    empty = slack.submit_view(
        "delight_removal",
        {"reason": {"reason": {"value": "   "}}},
        user="UOWNER",
        private_metadata=str(kudos["id"]),
    )

    assert forged.json()["errors"]["reason"].startswith("Only Delight admins")
    assert "why" in empty.json()["errors"]["reason"]
    assert query(database_url, "SELECT removed_at FROM kudos")[0]["removed_at"] is None
    assert fake_slack.calls("views.open") == []
    assert query(database_url, "SELECT * FROM audit_log") == []


def test_undo_during_the_delivery_still_retracts_what_it_posts(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    """Withdrawn while Slack is still taking its posts: once they land, they are replaced."""
    fake_slack.delay("chat.postMessage")
    slack.command("<@U0004|maria> stayed late to help a customer find a gift", user="U0001")
    fake_slack.wait_for_delayed(1)  # the announcement on its way, Maria's DM after it

    slack.command("undo", user="U0001")
    fake_slack.wait_for_calls("response_url", 1)  # "Withdrawn", before anything landed
    fake_slack.undelay("chat.postMessage")

    fake_slack.wait_for_calls("chat.update", 2)
    [kudos] = query(database_url, "SELECT * FROM kudos")
    [dm] = query(database_url, "SELECT * FROM kudos_recipient")
    assert kudos["removed_by"] == "U0001"
    assert "giver withdrew it" in retracted(fake_slack, kudos)
    assert "giver withdrew it" in message_text(fake_slack, dm["dm_channel_id"], dm["dm_message_id"])
