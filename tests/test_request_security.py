"""Only Slack gets in: signatures, timestamps, and hostile requests."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from tests.driver import SlackDriver, sign
from tests.fakeslack import FakeSlack
from tests.helpers import kudos_rows, posts

FORM = "application/x-www-form-urlencoded"
STORY = "<@U0002|bob> fixed the printer before the big customer meeting"


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
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str, headers: dict[str, str]
) -> None:
    body = slack.command_body(STORY)
    if (
        headers
        and "other" not in str(headers)
        and headers.get("X-Slack-Signature", "").endswith("0" * 64) is False
        and "wrong" in str(headers)
    ):
        pass
    reply = slack.post(body, content_type=FORM, headers=headers, signed=False)

    assert reply.status == 401
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


def test_health_reports_the_database(slack: SlackDriver) -> None:
    reply = slack.get("/healthz")

    assert reply.status == 200
    health = reply.json()
    assert (health["ok"], health["database"], health["role"]) == (True, "ok", "all")
