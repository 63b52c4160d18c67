"""Only Slack gets in: signatures, timestamps, and hostile requests."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from bot.config import Settings
from tests.conftest import FakeClock
from tests.driver import RunningApp, SlackDriver, sign
from tests.fakeslack import FakeSlack
from tests.helpers import kudos_rows, posts

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
STORY = "<@U0002|bob> fixed the printer before the big customer meeting"


@pytest.fixture
def app(
    settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> Iterator[RunningApp]:
    """Logging at INFO from the start, as in production: Bolt's loggers take the level the
    root logger has when they are made."""
    caplog.set_level(logging.INFO)
    running = RunningApp(settings, clock=clock).start()
    yield running
    running.stop()


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no signature at all
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64},
        sign(b"a different body"),
        sign(b"", secret="not-the-signing-secret"),
    ],
    ids=["missing", "forged", "other-body", "wrong-secret"],
)
def test_requests_without_a_valid_signature_get_401_and_change_nothing(
    app: RunningApp,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    database_url: str,
    headers: dict[str, str],
) -> None:
    assert app.runtime is not None
    answered = app.runtime.services.recognition.turns.answered
    body = slack.command_body(STORY)

    reply = slack.post(body, content_type=FORM, headers=headers, signed=False)

    assert reply.status == 401
    assert app.runtime.services.recognition.turns.answered == answered
    fake_slack.settle(0.2)
    assert kudos_rows(database_url) == []
    assert fake_slack.calls() == []


def test_wrong_secret_signature_is_refused(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    body = slack.command_body(STORY)
    reply = slack.post(body, content_type=FORM, headers=sign(body, secret="nope"), signed=False)

    assert reply.status == 401
    assert kudos_rows(database_url) == []


def test_a_replayed_request_older_than_five_minutes_is_refused(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    body = slack.command_body(STORY)
    stale = sign(body, timestamp=int(time.time()) - 6 * 60)

    reply = slack.post(body, content_type=FORM, headers=stale, signed=False)

    assert reply.status == 401
    fake_slack.settle(0.2)
    assert kudos_rows(database_url) == []
    assert posts(fake_slack) == []


def test_url_verification_challenge_is_answered(slack: SlackDriver) -> None:
    body = json.dumps(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()

    reply = slack.post(body, content_type="application/json")

    assert reply.status == 200
    assert reply.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_an_oversized_body_is_refused_before_it_is_read(slack: SlackDriver) -> None:
    body = urlencode({"text": "x" * (600 * 1024)}).encode()

    reply = slack.post(body, content_type=FORM)

    assert reply.status == 413


def test_garbage_payloads_do_not_crash_the_app(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    for body, kind in [
        (b"payload=%7Bnot+json", FORM),
        (b"payload=" + json.dumps({"type": "view_submission"}).encode(), FORM),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"{}", "application/json"),
    ]:
        assert slack.post(body, content_type=kind).status in (400, 404)
        assert slack.post(body, content_type=kind, signed=False).status in (400, 401)

    assert slack.command(STORY).status == 200  # and it still works afterwards
    fake_slack.wait_for_calls("response_url")
    assert len(kudos_rows(database_url)) == 1


# Bodies no Slack request has, and what they get when signed: the first five made Bolt raise
# while building its context (a 500 with a traceback); unsigned, each was logged in full.
HOSTILE_BODIES = {
    "list": (b"[]", JSON, 400),
    "null": (b"null", JSON, 400),
    "authorizations-not-a-list": (b'{"authorizations": 5}', JSON, 400),
    "enterprise-not-an-object": (b"payload=%7B%22enterprise%22%3A5%7D", FORM, 400),
    "payload-a-list": (b"payload=%5B1%5D", FORM, 400),
    # Big, with a line break and a fake log line (signed, Slack's own: not a case).
    "forged-log-line": (b"text=" + b"x" * 300_000 + b"%0AERROR forged log line", FORM, None),
}


def refusal_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the app logged at INFO or above, with no traceback in any of it."""
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    for record in records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()
    return records


@on_sqlite
@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_hostile_body_is_refused_quietly_and_costs_nothing(
    app: RunningApp,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    body, content_type, signed_status = HOSTILE_BODIES[name]
    assert app.runtime is not None
    answered = app.runtime.services.recognition.turns.answered

    for signed, status in ((False, 401), (True, signed_status)):
        if status is None:
            continue
        caplog.clear()
        reply = slack.post(body, content_type=content_type, signed=signed)

        assert reply.status == status, (signed, reply.body[:200])
        logged = refusal_logs(caplog)
        assert len(logged) <= 1
        assert all(len(r.getMessage()) < 200 for r in logged)
        assert not any("forged" in r.getMessage() for r in logged)
        if not signed:  # delivery turns never made way for it
            assert app.runtime.services.recognition.turns.answered == answered
    assert fake_slack.calls() == []


@on_sqlite
@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=\xe9t\xe9"},
    ],
    ids=["timestamp-not-a-number", "timestamp-too-long", "signature-not-ascii"],
)
def test_hostile_signature_headers_are_refused_quietly(
    app: RunningApp, slack: SlackDriver, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    assert app.runtime is not None
    answered = app.runtime.services.recognition.turns.answered

    reply = slack.post(slack.command_body(STORY), content_type=FORM, headers=headers, signed=False)

    assert reply.status == 401
    assert len(refusal_logs(caplog)) <= 1
    assert app.runtime.services.recognition.turns.answered == answered


@on_sqlite
def test_a_signed_request_is_counted_as_answering(app: RunningApp, slack: SlackDriver) -> None:
    assert app.runtime is not None
    answered = app.runtime.services.recognition.turns.answered

    assert slack.command("help").status == 200

    assert app.runtime.services.recognition.turns.answered == answered + 1
