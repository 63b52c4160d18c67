"""App Home: published when opened, paged, with the person's own data only."""

from __future__ import annotations

from typing import Any

from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.helpers import blocks_text, execute, give, query


def published(fake: FakeSlack, count: int = 1) -> dict[str, Any]:
    call = fake.wait_for_calls("views.publish", count)[-1]
    view: dict[str, Any] = call.args["view"]
    return view


def button(view: dict[str, Any], text: str) -> dict[str, Any]:
    for block in view["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button" and text in element["text"]["text"]:
                return element  # type: ignore[no-any-return]
    raise AssertionError(f"no {text!r} button")


def seed(database_url: str, count: int, *, recipient: str = "U0004") -> None:
    """Kudos straight into the database (the UI path is tested elsewhere)."""
    for n in range(count):
        execute(
            database_url,
            "INSERT INTO kudos (team_id, giver_id, story, source, request_key, recipient_count,"
            " private, created_at) VALUES ('T0001', 'U0001', :story, 'command', :key, 1, :private,"
            " CURRENT_TIMESTAMP)",
            story=f"story number {n} about a customer",
            key=f"seed{n}",
            private=n == 0,
        )
        [row] = query(database_url, "SELECT max(id) AS id FROM kudos")
        execute(
            database_url,
            "INSERT INTO kudos_recipient (kudos_id, recipient_id, position, team_id, created_at)"
            " VALUES (:id, :r, 0, 'T0001', CURRENT_TIMESTAMP)",
            id=row["id"],
            r=recipient,
        )
        execute(
            database_url,
            "INSERT INTO kudos_element (kudos_id, element) VALUES (:id, 'genuine')",
            id=row["id"],
        )


def test_home_shows_the_definition_my_kudos_and_what_i_can_do(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    kudos = give(slack, fake_slack, database_url)
    slack.reaction(
        "sparkles",
        channel=kudos["announcement_channel_id"],
        ts=kudos["announcement_message_id"],
        user="U0002",
    )
    fake_slack.wait_for_calls("chat.update")

    slack.home_opened(user="U0004")
    view = published(fake_slack)
    text = blocks_text(view["blocks"])

    assert fake_slack.calls("views.publish")[-1].args["user_id"] == "U0004"
    assert "voluntary act that demonstrates a genuine desire" in text
    assert "stayed late to help a customer find a gift" in text
    assert "From <@U0001>" in text
    assert "*Genuine*" in text
    assert "1 saw it too" in text
    assert "1 received, 0 given, 1 endorsements" in text
    assert "10* more people today" in text
    assert "Workspace settings" not in text  # not an admin
    assert button(view, "Recognise someone")["action_id"] == "home_recognise"


def test_long_histories_are_paged_never_cut(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    seed(database_url, 23)

    slack.home_opened(user="U0004")
    first = published(fake_slack)
    assert len(first["blocks"]) <= 100
    assert "story number 22 " in blocks_text(first["blocks"])
    assert "story number 12 " not in blocks_text(first["blocks"])

    older = button(first, "Older")
    slack.button(older["action_id"], older["value"], user="U0004", channel=None, view=first)
    second = published(fake_slack, 2)
    text = blocks_text(second["blocks"])
    assert "story number 12 " in text
    assert "story number 3 " in text
    assert "story number 13 " not in text

    last = button(second, "Older")
    slack.button(last["action_id"], last["value"], user="U0004", channel=None, view=second)
    third = blocks_text(published(fake_slack, 3)["blocks"])
    assert "story number 0 " in third
    assert "🔒 private" in third
    assert "story number 3 " not in third


def test_a_forged_cursor_shows_only_my_own_kudos(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    seed(database_url, 3, recipient="U0005")

    for value in ('{"r": 99999}', "not json", '{"r": -1, "g": "x"}', "[1]" * 500):
        slack.button("home_page_0_True", value, user="U0004", channel=None, view={"id": "VH"})
    fake_slack.wait_for_calls("views.publish", 4)

    for call in fake_slack.calls("views.publish"):
        assert "story number" not in blocks_text(call.args["view"]["blocks"])


def test_admins_see_the_admin_section_and_elements_expand(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    slack.home_opened(user="UADMIN")
    view = published(fake_slack)
    assert "Workspace settings" in blocks_text(view["blocks"])
    assert "`#voluntary`" not in blocks_text(view["blocks"])  # meanings start folded

    toggle = button(view, "seven elements")
    slack.button(toggle["action_id"], toggle["value"], user="UADMIN", channel=None, view=view)
    expanded = blocks_text(published(fake_slack, 2)["blocks"])
    assert "`#voluntary`" in expanded
    assert "`#customer`" in expanded

    settings = button(view, "Workspace settings")
    slack.button(settings["action_id"], "", user="UADMIN", channel=None, view=view)
    [opened] = fake_slack.wait_for_calls("views.open")
    assert opened.args["view"]["callback_id"] == "delight_settings"

    teams = button(view, "Manager teams")
    slack.button(teams["action_id"], "", user="UADMIN", channel=None, view=view)
    _settings, teams_list = fake_slack.wait_for_calls("views.open", 2)
    assert teams_list.args["view"]["callback_id"] == "delight_teams"
