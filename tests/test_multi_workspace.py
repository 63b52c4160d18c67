"""Multi-workspace mode end to end: installing through /slack/install and Slack's redirect,
each workspace's own token on its Web API calls, token rotation in requests and in scheduled
work, and what uninstalling does. Signed HTTP to the running app; the fake Slack plays the
OAuth side (codes, tokens, refresh tokens that work once)."""

from __future__ import annotations

import asyncio
import logging
import time as clock_time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse

import pytest

from bot.config import Settings, load_settings
from tests import tip_helpers
from tests.conftest import FakeClock
from tests.digest_helpers import MONDAY_NINE_AMSTERDAM, add_team
from tests.digest_helpers import run_due as run_due_digests
from tests.driver import SIGNING_SECRET, RunningApp, SlackDriver
from tests.fakeslack import CLIENT_ID, FakeSlack, user
from tests.helpers import kudos_rows, posts, query, reply_text
from tests.oauth_flow import browse, finish_install, install, oauth_env, start_install
from tests.processes import free_port, start_bot, stop, wait_healthy

STORY = "<@U0004|maria> stayed late to help a customer find a gift"


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    return oauth_env(env)


def driver(app: RunningApp, fake: FakeSlack, team_id: str) -> SlackDriver:
    return SlackDriver(app.url, response_url=fake.response_url(), team_id=team_id)


def installations(database_url: str) -> list[dict[str, Any]]:
    return query(database_url, "SELECT * FROM installation ORDER BY team_id")


def give(slack: SlackDriver, fake: FakeSlack, text: str = STORY) -> None:
    before = len(fake.calls("response_url"))
    assert slack.command(text).status == 200
    fake.wait_for_calls("response_url", before + 1)


def tokens_used(fake: FakeSlack, *methods: str) -> set[str | None]:
    return {call.token for call in fake.calls() if call.method in methods}


# --- installing -------------------------------------------------------------------------------


def test_the_install_page_links_to_slack_with_a_state_and_the_manifest_scopes(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    started = start_install(app.url)

    url = urlparse(started.authorize_url)
    assert url.path == "/oauth/v2/authorize"  # beside SLACK_API_URL, as slack.com/oauth/v2/…
    query_args = parse_qs(url.query)
    assert query_args["client_id"] == [CLIENT_ID]
    assert "files:write" in query_args["scope"][0].split(",")
    assert started.cookie == f"slack-app-oauth-state={started.state}"


def test_installing_stores_the_workspace_with_its_token_encrypted(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    page = install(app.url, fake_slack, "T0002")

    assert "Thank you" in page.body
    [token] = fake_slack.tokens_of("T0002")
    [row] = installations(database_url)
    assert (row["team_id"], row["bot_user_id"], row["installer_id"]) == ("T0002", "UBOT", "UADMIN")
    assert row["bot_token"].startswith("fernet:")
    assert token not in row["bot_token"]
    assert query(database_url, "SELECT * FROM oauth_state") == []  # the state was used up
    [exchange] = fake_slack.calls("oauth.v2.access")
    assert exchange.args["client_id"] == CLIENT_ID


def test_a_redirect_with_a_state_never_issued_installs_nothing(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    forged = "forged-state-value"
    code = fake_slack.grant("T0002")

    page = finish_install(
        app.url, code=code, state=forged, cookie=f"slack-app-oauth-state={forged}"
    )

    assert page.status == 401
    assert fake_slack.calls("oauth.v2.access") == []
    assert installations(database_url) == []


def test_an_error_slack_sends_back_is_logged_as_one_harmless_line(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    """The redirect's `error` is the visitor's to choose: it may not forge log lines."""
    started = start_install(app.url)
    hostile = "access_denied\n2026-12-07 INFO delight: admin U0001 granted everything"
    query_string = urlencode({"error": hostile, "state": started.state})

    with caplog.at_level(logging.INFO):
        page = browse(f"{app.url}/slack/oauth_redirect?{query_string}", cookie=started.cookie)

    assert page.status != 200 or "install" in page.body.lower()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "granted everything" not in logged
    assert "did not complete" in logged


@pytest.mark.parametrize(
    ("accept_language", "start", "thanks", "refused"),
    [
        ("nl-BE,nl;q=0.9,en;q=0.8", "Delight installeren", "Dank je wel!", "Er ging iets mis"),
        ("de-DE,fr;q=0.7", "Installer Delight", "Merci\u00a0!", "Un problème est survenu"),
        ("es-ES", "Install Delight", "Thank you!", "Something went wrong"),
    ],
)
def test_the_install_pages_speak_the_browsers_language(
    app: RunningApp,
    fake_slack: FakeSlack,
    accept_language: str,
    start: str,
    thanks: str,
    refused: str,
) -> None:
    install_page = browse(app.url + "/slack/install", language=accept_language)
    started = start_install(app.url, language=accept_language)
    done = finish_install(
        app.url,
        code=fake_slack.grant("T0002"),
        state=started.state,
        cookie=started.cookie,
        language=accept_language,
    )
    again = start_install(app.url, language=accept_language)
    query_string = urlencode({"error": "access_denied", "state": again.state})
    failed = browse(
        f"{app.url}/slack/oauth_redirect?{query_string}",
        cookie=again.cookie,
        language=accept_language,
    )

    assert start in install_page.body
    assert "add_to_slack.png" in install_page.body
    assert (done.status, thanks in done.body) == (200, True), done.body
    assert "slack://app?team=T0002" in done.body
    assert done.headers["Set-Cookie"].startswith("slack-app-oauth-state=")  # deleted
    assert refused in failed.body
    assert "/slack/install" in failed.body


def test_a_state_works_once(app: RunningApp, fake_slack: FakeSlack, database_url: str) -> None:
    started = start_install(app.url)
    first = finish_install(
        app.url, code=fake_slack.grant("T0002"), state=started.state, cookie=started.cookie
    )
    replayed = finish_install(
        app.url, code=fake_slack.grant("T0003"), state=started.state, cookie=started.cookie
    )

    assert (first.status, replayed.status) == (200, 401)
    assert [row["team_id"] for row in installations(database_url)] == ["T0002"]


def test_a_redirect_to_another_browser_than_the_installers_is_refused(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    started = start_install(app.url)

    page = finish_install(app.url, code=fake_slack.grant("T0002"), state=started.state, cookie=None)

    assert page.status == 400
    assert installations(database_url) == []


def test_an_expired_state_is_refused(
    app: RunningApp, fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    started = start_install(app.url)
    clock.advance(minutes=11)

    page = finish_install(
        app.url, code=fake_slack.grant("T0002"), state=started.state, cookie=started.cookie
    )

    assert page.status == 401
    assert installations(database_url) == []


def test_a_code_slack_refuses_installs_nothing(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    started = start_install(app.url)

    page = finish_install(
        app.url, code="code-never-granted", state=started.state, cookie=started.cookie
    )

    assert page.status == 401
    assert installations(database_url) == []


# --- each workspace its own token --------------------------------------------------------------


def test_each_workspace_is_answered_with_its_own_token(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002")
    install(app.url, fake_slack, "T0003")
    [token_2], [token_3] = fake_slack.tokens_of("T0002"), fake_slack.tokens_of("T0003")

    give(driver(app, fake_slack, "T0002"), fake_slack)
    calls_for_2 = len(fake_slack.calls())
    give(driver(app, fake_slack, "T0003"), fake_slack, "<@U0002|bob> found the lost order")

    first, second = fake_slack.calls()[:calls_for_2], fake_slack.calls()[calls_for_2:]
    slack_calls = ("users.info", "chat.postMessage")
    assert {c.token for c in first if c.method in slack_calls} == {token_2}
    assert {c.token for c in second if c.method in slack_calls} == {token_3}
    assert [row["team_id"] for row in kudos_rows(database_url)] == ["T0002", "T0003"]
    [dm_2] = posts(fake_slack, "U0004")
    assert dm_2.token == token_2


def test_a_modal_from_a_slack_connect_channel_belongs_to_the_workspace_bolt_authorised(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    """One workspace per request: the one whose installation (and token) Bolt chose, never
    the person's own when they differ."""
    install(app.url, fake_slack, "T0001")
    install(app.url, fake_slack, "T0002")
    slack = driver(app, fake_slack, "T0001")

    reply = slack.view_submission(
        recipients=["U0004"], story="found a lost parcel for a customer", installed_in="T0002"
    )

    assert reply.status == 200
    fake_slack.wait_for_calls("chat.postMessage", 2)
    assert [row["team_id"] for row in kudos_rows(database_url)] == ["T0002"]
    assert tokens_used(fake_slack, "chat.postMessage") == set(fake_slack.tokens_of("T0002"))


def test_an_admin_of_another_workspace_is_no_admin_here(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    install(app.url, fake_slack, "T0001")
    fake_slack.state.users["UGUEST"] = user("UGUEST", "guest", is_admin=True, team_id="T0009")
    slack = driver(app, fake_slack, "T0001")

    slack.command("admin", user="UGUEST")

    [reply] = fake_slack.wait_for_calls("response_url", 1)
    assert "admin" in reply_text(reply).lower()
    assert fake_slack.calls("views.open") == []


def test_a_workspace_that_never_installed_gets_no_answer_from_any_token(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002")

    assert driver(app, fake_slack, "T0009").command(STORY).status == 200

    [reply] = fake_slack.wait_for_calls("response_url")
    assert "no longer available" in reply.args["text"]
    assert kudos_rows(database_url) == []
    assert posts(fake_slack) == []


def test_single_workspace_mode_keeps_no_installation_rows(
    fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-one-workspace",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": database_url,
        }
    )
    running = RunningApp(settings, clock=clock).start()
    try:
        assert running.runtime is not None
        assert running.runtime.slack.installations is None
        assert driver(running, fake_slack, "T0001").get("/slack/install").status == 404
    finally:
        running.stop()
    assert installations(database_url) == []


# --- token rotation ---------------------------------------------------------------------------


def stored_expiry(app: RunningApp, team_id: str) -> datetime:
    assert app.runtime is not None
    assert app.runtime.slack.installations is not None
    installation = app.call(app.runtime.slack.installations.find(team_id))
    return installation.bot_token_expires_at  # type: ignore[no-any-return]


def refreshes(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.calls("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]


def test_an_expiring_token_is_refreshed_before_a_request_uses_it(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002", rotating=True, expires_in=600)  # < the 2 h margin
    [first_token] = fake_slack.tokens_of("T0002")
    [first_refresh] = fake_slack.tokens_of("T0002", "refresh")

    give(driver(app, fake_slack, "T0002"), fake_slack)

    [refresh] = refreshes(fake_slack)
    assert refresh.args["refresh_token"] == first_refresh
    new_token = next(t for t in fake_slack.tokens_of("T0002") if t != first_token)
    assert tokens_used(fake_slack, "users.info", "chat.postMessage") == {new_token}
    [row] = installations(database_url)
    assert new_token not in row["bot_token"]
    assert row["bot_token"].startswith("fernet:")
    assert row["refresh_lease_until"] is None
    assert stored_expiry(app, "T0002") > datetime.now(UTC) + timedelta(hours=11)

    give(driver(app, fake_slack, "T0002"), fake_slack, "<@U0002|bob> found the lost order")
    assert len(refreshes(fake_slack)) == 1  # the new token lasts 12 hours


def test_a_token_far_from_expiry_is_not_refreshed(app: RunningApp, fake_slack: FakeSlack) -> None:
    install(app.url, fake_slack, "T0002", rotating=True)  # 12 hours

    give(driver(app, fake_slack, "T0002"), fake_slack)

    assert refreshes(fake_slack) == []


MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def add_schedule(app: RunningApp, team_id: str, channel: str = "C0TIPS") -> int:
    """A daily 09:00 Amsterdam schedule in the workspace."""
    schedule = tip_helpers.add_schedule(
        app, team_id=team_id, channel_id=channel, weekdays=frozenset(range(7))
    )
    return int(schedule.id)


def run_due(app: RunningApp) -> list[Any]:
    assert app.runtime is not None
    return list(app.call(app.runtime.tips.run_due()))


def test_a_scheduled_tip_refreshes_the_workspaces_expiring_token(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002", rotating=True, expires_in=600)
    [first_token] = fake_slack.tokens_of("T0002")
    add_schedule(app, "T0002")
    clock.current = MONDAY + timedelta(hours=1, seconds=30)

    assert [d.status for d in run_due(app)] == ["sent"]

    assert len(refreshes(fake_slack)) == 1
    [tip] = posts(fake_slack, "C0TIPS")
    assert tip.token != first_token
    assert fake_slack.team_of(tip.token) == "T0002"
    assert stored_expiry(app, "T0002") > datetime.now(UTC) + timedelta(hours=11)


def test_scheduled_work_uses_each_workspaces_own_token(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    install(app.url, fake_slack, "T0002")
    install(app.url, fake_slack, "T0003")
    add_schedule(app, "T0002", "C0TIPS2")
    add_schedule(app, "T0003", "C0TIPS3")
    clock.current = MONDAY + timedelta(hours=1, seconds=30)

    assert sorted(d.status for d in run_due(app)) == ["sent", "sent"]

    [tip_2], [tip_3] = posts(fake_slack, "C0TIPS2"), posts(fake_slack, "C0TIPS3")
    assert (fake_slack.team_of(tip_2.token), fake_slack.team_of(tip_3.token)) == ("T0002", "T0003")


def test_a_refused_refresh_fails_the_tip_and_keeps_the_installation(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002", rotating=True, expires_in=600)
    add_schedule(app, "T0002")
    clock.current = MONDAY + timedelta(hours=1, seconds=30)
    for refresh_token in fake_slack.tokens_of("T0002", "refresh"):
        fake_slack.state.issued[refresh_token].revoked = True

    assert [d.status for d in run_due(app)] == ["failed"]

    assert posts(fake_slack, "C0TIPS") == []
    [row] = installations(database_url)
    assert row["refresh_lease_until"] is None  # given back, so the next attempt can refresh
    [delivery] = query(database_url, "SELECT status, reason FROM tip_delivery")
    assert "invalid_refresh_token" in delivery["reason"]


@pytest.fixture
def second_app(settings: Settings, clock: FakeClock) -> Iterator[RunningApp]:
    """Another process of the same deployment (its own engine, caches and connections)."""
    running = RunningApp(settings, clock=clock).start()
    yield running
    running.stop()


def test_processes_refreshing_at_once_use_the_refresh_token_once(
    app: RunningApp, second_app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    """A refresh token works once: were both processes to spend it, one would be left with a
    revoked token. One refreshes; the other waits for the token it saves."""
    install(app.url, fake_slack, "T0002", rotating=True, expires_in=600)
    assert app.runtime is not None
    assert second_app.runtime is not None

    async def all_at_once(runtime: Any) -> list[Any]:
        return list(
            await asyncio.gather(*(runtime.slack.clients.for_team("T0002") for _ in range(5)))
        )

    first, second = (
        app.submit(all_at_once(app.runtime)),
        second_app.submit(all_at_once(second_app.runtime)),
    )
    clients = first.result(30) + second.result(30)

    assert len(refreshes(fake_slack)) == 1
    [new_token] = {client.token for client in clients}
    assert fake_slack.team_of(new_token) == "T0002"
    assert installations(database_url)[0]["refresh_lease_until"] is None


# --- uninstalling -----------------------------------------------------------------------------


def uninstall_event(slack: SlackDriver, kind: str = "app_uninstalled", **fields: Any) -> None:
    assert slack.event({"type": kind, "event_ts": "1700001000.000100", **fields}).status == 200


REMOVED = "Delight was removed from the workspace"


def paused(database_url: str) -> dict[str, str | None]:
    rows = query(database_url, "SELECT team_id, paused, paused_reason FROM tip_schedule")
    return {row["team_id"]: row["paused_reason"] if row["paused"] else None for row in rows}


def wait_until_paused(fake: FakeSlack, database_url: str, expected: dict[str, str | None]) -> None:
    """The event is acked first and handled after: wait for its effect."""
    fake.wait_for(lambda _: paused(database_url) == expected)


def test_uninstalling_deletes_the_tokens_and_pauses_that_workspaces_schedules(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002")
    install(app.url, fake_slack, "T0003")
    add_schedule(app, "T0002", "C0TIPS2")
    add_schedule(app, "T0003", "C0TIPS3")
    fake_slack.revoke_team("T0002")

    uninstall_event(driver(app, fake_slack, "T0002"))

    wait_until_paused(fake_slack, database_url, {"T0002": REMOVED, "T0003": None})
    assert [row["team_id"] for row in installations(database_url)] == ["T0003"]
    clock.current = MONDAY + timedelta(hours=1, seconds=30)
    assert [d.status for d in run_due(app)] == ["sent"]
    assert posts(fake_slack, "C0TIPS2") == []
    assert len(posts(fake_slack, "C0TIPS3")) == 1


def test_installing_again_resumes_what_uninstalling_paused(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002")
    add_schedule(app, "T0002")
    fake_slack.revoke_team("T0002")
    uninstall_event(driver(app, fake_slack, "T0002"))
    wait_until_paused(fake_slack, database_url, {"T0002": REMOVED})

    install(app.url, fake_slack, "T0002")

    assert paused(database_url) == {"T0002": None}
    [token] = [t for t in fake_slack.tokens_of("T0002") if not fake_slack.state.issued[t].revoked]
    give(driver(app, fake_slack, "T0002"), fake_slack)
    assert tokens_used(fake_slack, "chat.postMessage") == {token}


def test_a_revoked_bot_token_is_removal_too(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002")
    add_schedule(app, "T0002")

    uninstall_event(
        driver(app, fake_slack, "T0002"), "tokens_revoked", tokens={"oauth": [], "bot": ["UBOT"]}
    )

    wait_until_paused(fake_slack, database_url, {"T0002": REMOVED})
    assert installations(database_url) == []


def test_revoked_user_tokens_change_nothing(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002")
    add_schedule(app, "T0002")

    uninstall_event(
        driver(app, fake_slack, "T0002"), "tokens_revoked", tokens={"oauth": ["U0001"], "bot": []}
    )
    clock_time.sleep(0.5)  # time for the listener, which should change nothing

    assert [row["team_id"] for row in installations(database_url)] == ["T0002"]
    assert paused(database_url) == {"T0002": None}


def test_a_schedule_paused_for_another_reason_stays_paused_after_a_reinstall(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    install(app.url, fake_slack, "T0002")
    schedule_id = add_schedule(app, "T0002")
    assert app.runtime is not None
    app.call(app.runtime.tip_schedules.pause(schedule_id, reason="not_in_channel"))

    uninstall_event(driver(app, fake_slack, "T0002"))
    fake_slack.wait_for(lambda _: installations(database_url) == [])
    install(app.url, fake_slack, "T0002")

    assert paused(database_url) == {"T0002": "not_in_channel"}


def test_socket_mode_serves_many_workspaces_with_the_install_pages_over_http(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """A real `python -m bot`: events over the socket, installing in a browser over HTTP."""
    port = free_port()
    env = oauth_env({"SLACK_API_URL": fake_slack.api_url, "PORT": str(port)})
    process = start_bot(tmp_path, {**env, "SLACK_APP_TOKEN": "xapp-1-socket"})
    try:
        wait_healthy(port, process)
        fake_slack.wait_for_calls("socket.connected", timeout=20)
        install(f"http://127.0.0.1:{port}", fake_slack, "T0002")
        slack = SlackDriver(f"http://127.0.0.1:{port}", response_url=fake_slack.response_url())
        body = slack.command_body(STORY, team_id="T0002")
        fake_slack.push_envelope("slash_commands", dict(parse_qsl(body.decode())), "env-1")

        fake_slack.wait_for_calls("response_url", timeout=20)
        [token] = fake_slack.tokens_of("T0002")
        assert tokens_used(fake_slack, "users.info", "chat.postMessage") == {token}
    finally:
        output = stop(process)
    assert process.returncode == 0, output
    assert token not in output


def test_with_one_workspace_uninstalling_pauses_its_schedules_too(
    fake_slack: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-one-workspace",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": database_url,
        }
    )
    running = RunningApp(settings, clock=clock).start()
    try:
        add_schedule(running, "T0001")
        uninstall_event(driver(running, fake_slack, "T0001"))
        wait_until_paused(fake_slack, database_url, {"T0001": REMOVED})
    finally:
        running.stop()


def test_digests_use_the_workspaces_token_and_stop_while_delight_is_removed(
    app: RunningApp, fake_slack: FakeSlack, clock: FakeClock, database_url: str
) -> None:
    install(app.url, fake_slack, "T0001")
    add_team(app, fake_slack, clock)
    fake_slack.revoke_team("T0001")
    uninstall_event(driver(app, fake_slack, "T0001"))
    fake_slack.wait_for(lambda _: installations(database_url) == [])
    clock.current = MONDAY_NINE_AMSTERDAM + timedelta(minutes=1)

    assert run_due_digests(app) == []
    assert posts(fake_slack) == []

    install(app.url, fake_slack, "T0001")
    [sent] = run_due_digests(app)

    assert sent.status == "sent"
    [token] = [t for t in fake_slack.tokens_of("T0001") if not fake_slack.state.issued[t].revoked]
    [digest] = posts(fake_slack, "D0001")  # the manager's DM, with the chart
    assert digest.token == token
    assert {c.token for c in fake_slack.calls("files.getUploadURLExternal")} == {token}


def test_the_tips_admin_and_member_dms_use_the_workspaces_token(
    app: RunningApp,
    fake_slack: FakeSlack,
    clock: FakeClock,
    database_url: str,
) -> None:
    install(app.url, fake_slack, "T0001")
    [token] = fake_slack.tokens_of("T0001")
    fake_slack.state.channel_members["CTEAM"] = ["U0001", "U0002", "UBOT"]
    clock.current = tip_helpers.MONDAY_EIGHT
    slack = driver(app, fake_slack, "T0001")

    tip_helpers.create_schedule(
        slack,
        fake_slack,
        app,
        tip_channel={"selected_conversation": "CTEAM"},
        tip_mode={"selected_option": {"value": "members"}},
    )
    clock.current = tip_helpers.MONDAY_EIGHT + timedelta(hours=1, seconds=5)
    [delivered] = run_due(app)

    assert delivered.status == "sent"
    assert sorted(c.args["channel"] for c in posts(fake_slack)) == ["U0001", "U0002"]
    used = ("conversations.info", "conversations.members", "users.list", "chat.postMessage")
    assert {c.method for c in fake_slack.calls() if c.method in used} == set(used)
    assert tokens_used(fake_slack, *used, "views.open", "views.update") == {token}
