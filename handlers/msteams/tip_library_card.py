"""The tip library's dialog on Teams: an element's tips, each to turn off or on (the
workspace's own also to delete), and a form to add one, with what was typed kept and each
problem shown under its field. Every button submits the dialog (task/submit) with what it
asks under "do". Pure; the sentences are the Slack view's (bot/tip_words.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.elements import Element
from bot.core.tip_catalogue import TipEntry
from bot.core.tips import MAX_BODY_CHARS, MAX_TITLE_CHARS
from bot.i18n import _
from bot.tip_words import ADD_HEADING, BODY_PLACEHOLDER, TITLE_PLACEHOLDER, rotation_line
from handlers.msteams import adaptive
from handlers.msteams.adaptive import Card, Part
from handlers.msteams.cards import element_meaning, element_name, slack_bold
from handlers.msteams.text import Names, inert, markdown_writer, shorten

LIBRARY_DIALOG = "tip_library"  # the dialog's name under adaptive.DIALOG
# The data of the dialog's buttons: what to do, on which element's page, to which tip.
DO = "do"
SHOW = "show"  # the element picked in CHOSEN_ELEMENT
TURN_ON = "on"
TURN_OFF = "off"
DELETE = "delete"
ADD = "add"
ELEMENT = "element"  # the element the page shows
TIP_ID = "tip"
# The dialog's inputs: the submitted values arrive under these ids.
CHOSEN_ELEMENT = "chosen_element"
TITLE = "tip_title"
BODY = "tip_body"
INPUTS = (TITLE, BODY)
# The core's fields → the input each is shown under.
FIELD_INPUT = {"title": TITLE, "body": BODY}
BODY_SHOWN = 160  # characters of a tip's body in the list


@dataclass(frozen=True, slots=True)
class LibraryPage:
    """What the dialog shows: an element's tips, the form as typed, and what happened."""

    element: Element
    entries: Sequence[TipEntry]
    authors: Names = field(default_factory=Names)
    title: str = ""
    body: str = ""
    notice: str | None = None
    errors: Mapping[str, str] = field(default_factory=dict)  # input id or "general" → words


def dialog_title() -> str:
    return _("Manage tips")


def _button(title: str, do: str, element: Element, **data: str) -> Part:
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {adaptive.DIALOG: LIBRARY_DIALOG, DO: do, ELEMENT: element.value, **data},
    }


def _problem(message: str) -> Part:
    return adaptive.text(message, color="Attention", size="Small", spacing="Small")


def _element_picker(element: Element) -> list[Part]:
    picker: Part = {
        "type": "Input.ChoiceSet",
        "id": CHOSEN_ELEMENT,
        "label": _("Element"),
        "value": element.value,
        "choices": [{"title": element_name(e), "value": e.value} for e in Element],
    }
    # Another element's page starts with an empty form (the handler drops what was typed).
    return [picker, adaptive.action_set(_button(_("Show"), SHOW, element))]


def _tip(entry: TipEntry, element: Element, authors: Names) -> Part:
    tip = entry.tip
    state = "" if entry.enabled else " " + _("_(off)_")
    lines = [adaptive.text(f"**{inert(tip.title)}**{state}")]
    origin = ""
    if entry.author_id:
        origin = " · " + _("added by {person}").format(
            person=markdown_writer(authors).person(entry.author_id)
        )
    lines.append(adaptive.small(inert(shorten(tip.body, BODY_SHOWN)) + origin))
    switch = (
        _button(_("Turn off"), TURN_OFF, element, **{TIP_ID: tip.id})
        if entry.enabled
        else _button(_("Turn on"), TURN_ON, element, **{TIP_ID: tip.id})
    )
    actions = [switch]
    if entry.custom:  # as on Slack, no confirmation: turning it off is the gentle way
        delete = _button(_("Delete"), DELETE, element, **{TIP_ID: tip.id})
        actions.append({**delete, "style": "destructive"})
    lines.append(adaptive.action_set(*actions))
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": lines}


def _form(page: LibraryPage) -> list[Part]:
    title: Part = {
        "type": "Input.Text",
        "id": TITLE,
        "label": _("Title"),
        "placeholder": _(TITLE_PLACEHOLDER),
        "maxLength": MAX_TITLE_CHARS,
    }
    body: Part = {
        "type": "Input.Text",
        "id": BODY,
        "label": _("The tip"),
        "placeholder": _(BODY_PLACEHOLDER),
        "isMultiline": True,
        "maxLength": MAX_BODY_CHARS,
    }
    if page.title:
        title["value"] = page.title
    if page.body:
        body["value"] = page.body
    parts: list[Part] = [
        adaptive.text(
            slack_bold(_(ADD_HEADING)).format(element=element_name(page.element)),
            separator=True,
            spacing="Large",
        )
    ]
    for input_id, part in ((TITLE, title), (BODY, body)):
        parts.append(part)
        if input_id in page.errors:
            parts.append(_problem(page.errors[input_id]))
    return parts


def library_dialog(page: LibraryPage) -> Card:
    """An element's page of the library: its tips in rotation order, then the form."""
    enabled = sum(entry.enabled for entry in page.entries)
    body: list[Part] = []
    if page.notice:
        body.append(adaptive.text(page.notice, weight="Bolder"))
    body += [_problem(m) for key, m in page.errors.items() if key not in INPUTS]
    body += _element_picker(page.element)
    body.append(
        adaptive.small(
            f"{element_meaning(page.element)} · {rotation_line(enabled, len(page.entries))}"
        )
    )
    body += [_tip(entry, page.element, page.authors) for entry in page.entries]
    body += _form(page)
    add = {**_button(_("Add tip"), ADD, page.element), "style": "positive"}
    return adaptive.card(body, [add], summary=dialog_title())
