"""'I saw it too': the announcement's button and the endorsement reaction."""

from __future__ import annotations

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import execute, give, message_text, query, reply_text, set_workspace


def endorsements(database_url: str) -> list[tuple[int, str, str]]:
    rows = query(database_url, "SELECT kudos_id, user_id, via FROM kudos_endorsement ORDER BY 2")
    return [(r["kudos_id"], r["user_id"], r["via"]) for r in rows]


def test_the_button_endorses_once_and_the_announcement_shows_the_count(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)
    channel, ts = kudos["announcement_channel_id"], kudos["announcement_message_id"]
    assert "Saw it too?" in message_text(fake_slack, channel, ts)

    slack.button("endorse_kudos", str(kudos["id"]), user="U0002")
    fake_slack.wait_for_calls("chat.update")
    slack.button("endorse_kudos", str(kudos["id"]), user="U0002")  # a double click
    fake_slack.wait_for_calls("response_url", 2)
    fake_slack.settle()

    assert endorsements(database_url) == [(kudos["id"], "U0002", "button")]
    assert "1 colleague saw it too" in message_text(fake_slack, channel, ts)
    assert len(fake_slack.calls("chat.update")) == 1
    assert "already" in reply_text(fake_slack.calls("response_url")[-1])


def test_reaction_endorses_and_removing_it_takes_it_back(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)
    channel, ts = kudos["announcement_channel_id"], kudos["announcement_message_id"]

    slack.reaction("sparkles", channel=channel, ts=ts, user="U0002")
    slack.reaction("sparkles::skin-tone-3", channel=channel, ts=ts, user="U0003")
    slack.reaction("sparkles", channel=channel, ts=ts, user="U0003")  # added twice
    fake_slack.wait_for_calls("chat.update", 2)
    fake_slack.settle()
    assert [e[1:] for e in endorsements(database_url)] == [
        ("U0002", "reaction"),
        ("U0003", "reaction"),
    ]
    assert "2 colleagues saw it too" in message_text(fake_slack, channel, ts)

    slack.reaction("sparkles", channel=channel, ts=ts, user="U0002", removed=True)
    fake_slack.wait_for_calls("chat.update", 3)
    assert [e[1] for e in endorsements(database_url)] == ["U0003"]
    assert "1 colleague saw it too" in message_text(fake_slack, channel, ts)


def test_a_retried_reaction_event_counts_once(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)
    where = {"channel": kudos["announcement_channel_id"], "ts": kudos["announcement_message_id"]}

    slack.reaction("sparkles", **where, user="U0002", event_id="Ev-endorse-1")
    slack.reaction("sparkles", **where, user="U0002", event_id="Ev-endorse-1", retry_num=1)
    slack.reaction("sparkles", **where, user="U0002", removed=True, event_id="Ev-unendorse-1")
    slack.reaction(
        "sparkles", **where, user="U0002", removed=True, event_id="Ev-unendorse-1", retry_num=2
    )
    fake_slack.settle()

    assert endorsements(database_url) == []
    assert len(fake_slack.calls("chat.update")) == 2  # shown once up, once down


def test_only_the_configured_emoji_endorses(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    set_workspace(database_url)
    execute(database_url, "UPDATE workspace_settings SET endorsement_reaction = 'raised_hands'")
    kudos = give(slack, fake_slack, database_url)
    where = {"channel": kudos["announcement_channel_id"], "ts": kudos["announcement_message_id"]}
    assert ":raised_hands:" in message_text(fake_slack, **where)

    slack.reaction("sparkles", **where, user="U0002")
    slack.reaction("raised_hands", **where, user="U0003")
    fake_slack.wait_for_calls("chat.update")
    fake_slack.settle()

    assert [e[1] for e in endorsements(database_url)] == ["U0003"]


def test_givers_and_recipients_cannot_endorse_their_own_kudos(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)

    slack.button("endorse_kudos", str(kudos["id"]), user="U0001")  # the giver
    fake_slack.wait_for_calls("response_url", 2)
    slack.reaction(
        "sparkles",
        channel=kudos["announcement_channel_id"],
        ts=kudos["announcement_message_id"],
        user="U0004",  # the recipient
    )
    fake_slack.settle()

    assert endorsements(database_url) == []
    assert "can't endorse" in reply_text(fake_slack.calls("response_url")[-1])
    assert fake_slack.calls("chat.update") == []


def test_forged_or_foreign_targets_change_nothing(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)

    slack.button("endorse_kudos", str(kudos["id"]), user="U0002", team_id="T0002")  # other team
    slack.button("endorse_kudos", "99999", user="U0002")  # no such kudos
    slack.button("endorse_kudos", "1; DROP TABLE kudos", user="U0002")  # not an id
    slack.reaction("sparkles", channel="C0001", ts="1600000000.000001", user="U0002")  # not ours
    slack.reaction("sparkles", channel="C0009", ts=kudos["announcement_message_id"], user="U0002")
    fake_slack.settle()

    assert endorsements(database_url) == []
    assert fake_slack.calls("chat.update") == []
    assert len(query(database_url, "SELECT id FROM kudos")) == 1


def test_private_and_withdrawn_kudos_cannot_be_endorsed(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    private = give(
        slack, fake_slack, database_url, "<@U0004|maria> calmed an upset customer --private"
    )
    public = give(slack, fake_slack, database_url, "<@U0005|tom> fixed a customer's order fast")
    slack.command("undo", user="U0001")
    fake_slack.wait_for_calls("chat.update", 2)  # the announcement and the DM, retracted

    slack.button("endorse_kudos", str(private["id"]), user="U0002")
    slack.button("endorse_kudos", str(public["id"]), user="U0002")
    fake_slack.wait_for_calls("response_url", 5)
    fake_slack.settle()

    assert endorsements(database_url) == []
    assert "isn't published" in reply_text(fake_slack.calls("response_url")[-1])
