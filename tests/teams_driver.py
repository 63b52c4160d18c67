"""Drives the running app the way Teams does: activities POSTed to /api/messages with the Bot
Framework's signed token, then what the bot sent, read back from the fake Bot Connector."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

from tests.driver import Reply
from tests.fakemsteams import FakeConnector

T = TypeVar("T")
CARD = "application/vnd.microsoft.card.adaptive"


class TeamsDriver:
    def __init__(self, base_url: str, fake: FakeConnector) -> None:
        self.base_url = base_url
        self.fake = fake

    def send(self, activity: dict[str, Any], *, authorization: str | None = "sign") -> Reply:
        """POST the activity as the Bot Connector does (signed, unless told otherwise)."""
        body = json.dumps(activity).encode()
        headers = {"Content-Type": "application/json"}
        if authorization == "sign":
            headers["Authorization"] = self.fake.bearer(activity)
        elif authorization is not None:
            headers["Authorization"] = authorization
        request = urllib.request.Request(
            self.base_url + "/api/messages", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return Reply(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())

    def act(self, kind: str, **fields: Any) -> Reply:
        return self.send(self.fake.activity(kind, **fields))

    def cards(self, conversation_id: str) -> list[dict[str, Any]]:
        """The cards the bot sent to a conversation, oldest first, as they stand now."""
        return [card_of(a) for a in self.fake.activities(conversation_id)]

    def wait_for_cards(self, conversation_id: str, count: int = 1) -> list[dict[str, Any]]:
        return wait_for(lambda: (c := self.cards(conversation_id)) and len(c) >= count and c)


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    attachments = activity.get("attachments") or []
    assert attachments and attachments[0]["contentType"] == CARD, activity
    content: dict[str, Any] = attachments[0]["content"]
    return content


def texts(card: dict[str, Any]) -> str:
    """Every word a card shows (its TextBlocks, facts and buttons), in order, one string."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "placeholder", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    walk(card.get("actions", []))
    return " ".join(found)


def wait_for(check: Callable[[], T | bool | None], timeout: float = 10.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError("waited in vain")
        time.sleep(0.02)
