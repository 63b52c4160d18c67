"""Adaptive Card parts (schema 1.5: what Teams renders on desktop and mobile), and the verbs and
data of the buttons the Teams adapter answers. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Card = dict[str, Any]
Part = dict[str, Any]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Action.Execute verbs (the card is answered, or refreshed in place) and their data's keys.
ENDORSE = "endorse"  # data {"kudos_id": int}
UNDO = "undo"  # data {"kudos_id": int}
HOME = "home"  # data {"received": int | None, "given": int | None}: where each list starts
ANNOUNCEMENTS = "announcements"  # data {"public": bool}: a person's public announcements
KUDOS_ID = "kudos_id"
RECEIVED = "received"
GIVEN = "given"
PUBLIC = "public"
# Action.Submit buttons that open a dialog (task/fetch) say which, under "delight".
DIALOG = "delight"
NOMINATE = "nominate"  # with "element": a tag or None, to tick in the dialog
REMOVE = "remove"  # an admin's removal, with "kudos_id"
SETTINGS = "settings"  # the workspace's settings (admins)


@dataclass(frozen=True, slots=True)
class CardMessage:
    """A card and the plain words for the activity's `summary` (what notifications, screen
    readers and clients without cards show); the card's `fallbackText` holds them too."""

    card: Card
    summary: str

    def activity(self) -> dict[str, Any]:
        """A message activity carrying the card (no `text`: Teams would show it above it)."""
        return {
            "type": "message",
            "summary": self.summary,
            "attachments": [{"contentType": CONTENT_TYPE, "content": self.card}],
        }


def card(body: list[Part], actions: list[Part] | None = None, *, summary: str) -> Card:
    found: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "fallbackText": summary,
        "body": body,
    }
    if actions:
        found["actions"] = actions
    return found


def message(body: list[Part], actions: list[Part] | None = None, *, summary: str) -> CardMessage:
    return CardMessage(card=card(body, actions, summary=summary), summary=summary)


def text(markdown: str, **style: Any) -> Part:
    """A TextBlock of our markdown (user text inside it must have gone through `inert`)."""
    return {"type": "TextBlock", "text": markdown, "wrap": True, **style}


def heading(markdown: str) -> Part:
    return text(markdown, weight="Bolder", size="Medium")


def small(markdown: str) -> Part:
    return text(markdown, isSubtle=True, size="Small", spacing="Small")


def quoted(markdown: str) -> Part:
    """User text set apart, as a quote is in a chat."""
    return {"type": "Container", "style": "emphasis", "items": [text(markdown)]}


def execute(title: str, verb: str, data: dict[str, Any], **extra: Any) -> Part:
    return {"type": "Action.Execute", "title": title, "verb": verb, "data": data, **extra}


def open_dialog(title: str, dialog: str, **data: Any) -> Part:
    """A button that opens a dialog: Teams sends the bot a task/fetch with `data`."""
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {"msteams": {"type": "task/fetch"}, DIALOG: dialog, **data},
    }


def recognise_button(title: str, element: str | None = None) -> Part:
    return open_dialog(title, NOMINATE, element=element)


def action_set(*actions: Part) -> Part:
    return {"type": "ActionSet", "actions": list(actions)}


def dialog_answer(card: Card, title: str, *, height: str = "large") -> dict[str, Any]:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": title,
                "width": "medium",
                "height": height,
                "card": {"contentType": CONTENT_TYPE, "content": card},
            },
        }
    }


def told(text: str) -> dict[str, Any]:
    """The dialog closes, and Teams shows these words."""
    return {"task": {"type": "message", "value": text.replace("**", "")}}


def data_id(value: object) -> int | None:
    """A row's id from a card's data, as Teams hands it back (a number, or its digits): never
    trusted, every query that takes it is scoped to the person acting."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value < 2**62:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None
