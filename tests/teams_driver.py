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
        self.answers: list[Any] = []  # every invoke's answer, for the card check

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
                reply = Reply(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())
        if reply.body and reply.status == 200:
            self.answers.append(reply.json())
        return reply

    def every_card(self) -> list[dict[str, Any]]:
        """Every Adaptive Card the bot sent or updated, and every one it answered with."""
        found = []
        for call in self.fake.calls:
            for attachment in (
                (call.body or {}).get("attachments", []) if isinstance(call.body, dict) else []
            ):
                if attachment.get("contentType") == CARD:
                    found.append(attachment["content"])
        for answer in self.answers:
            if not isinstance(answer, dict):
                continue
            task = (answer.get("task") or {}).get("value") or {}
            if isinstance(task, dict) and isinstance(task.get("card"), dict):
                found.append(task["card"]["content"])
            if answer.get("type") == CARD:
                found.append(answer["value"])
        return found

    def act(self, kind: str, **fields: Any) -> Reply:
        return self.send(self.fake.activity(kind, **fields))

    def cards(self, conversation_id: str) -> list[dict[str, Any]]:
        """The cards the bot sent to a conversation, oldest first, as they stand now."""
        return [card_of(a) for a in self.fake.activities(conversation_id)]

    def wait_for_cards(self, conversation_id: str, count: int = 1) -> list[dict[str, Any]]:
        return wait_for(lambda: (c := self.cards(conversation_id)) and len(c) >= count and c)


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    attachments = activity.get("attachments") or []
    assert attachments, activity
    assert attachments[0]["contentType"] == CARD, activity
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
