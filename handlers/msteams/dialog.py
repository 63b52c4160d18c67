"""The nomination dialog (the message action, the compose box, the Recognise buttons): its card,
with what was typed kept and each problem shown on its field. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.elements import Element
from bot.core.kudos import STORY_MAX_CHARS
from bot.core.model import Person
from bot.i18n import _
from handlers.msteams import adaptive
from handlers.msteams.adaptive import Card, Part
from handlers.msteams.cards import definition_quote, element_meaning, element_name
from handlers.msteams.text import inert, shorten

# The inputs' ids: the submitted values arrive under them (value.data in the invoke).
PEOPLE = "people"  # comma-separated AAD object ids
STORY = "story"
ELEMENTS = "elements"  # comma-separated tags
PRIVATE = "private"  # "true" or "false"
FIELDS = (PEOPLE, STORY, ELEMENTS, PRIVATE)
MAX_PEOPLE = 10
QUOTED_MESSAGE = 500  # characters of the message the dialog was opened on
PEOPLE_DATASET = "graph.microsoft.com/users"  # Teams' people picker over the tenant


def dialog_title() -> str:
    """The dialog's title (the task/fetch answer's `title`)."""
    return _("Recognise someone")


def _problem(message: str) -> Part:
    """A problem, in red, under what it is about."""
    return adaptive.text(message, color="Attention", size="Small", spacing="Small")


def _people_input(people: Sequence[Person], error: str | None) -> Part:
    found: Part = {
        "type": "Input.ChoiceSet",
        "id": PEOPLE,
        "label": _("Who do you want to recognise?"),
        "placeholder": _("Who went the extra mile?"),
        "isMultiSelect": True,
        "isRequired": True,
        "errorMessage": error or _("Pick at least one person."),
        # The people already chosen, by name: the picker shows a value only among its choices.
        "choices": [{"title": p.name, "value": p.id} for p in people[:MAX_PEOPLE]],
        "choices.data": {"type": "Data.Query", "dataset": PEOPLE_DATASET},
    }
    if people:
        found["value"] = ",".join(p.id for p in people[:MAX_PEOPLE])
    return found


def _story_input(story: str, error: str | None) -> Part:
    found: Part = {
        "type": "Input.Text",
        "id": STORY,
        "label": _("What did they do?"),
        "placeholder": _(
            "What did they do? Be specific: it's what makes recognition mean something."
        ),
        "isMultiline": True,
        "maxLength": STORY_MAX_CHARS,
        "isRequired": True,
        "errorMessage": error
        or _("Tell them what they did: a few words about the act make recognition mean something."),
    }
    if story:
        found["value"] = story[:STORY_MAX_CHARS]
    return found


def _elements_input(elements: Sequence[Element], error: str | None) -> Part:
    found: Part = {
        "type": "Input.ChoiceSet",
        "id": ELEMENTS,
        "label": _("Which elements did it show?"),
        "isMultiSelect": True,
        "style": "expanded",
        "wrap": True,
        "choices": [
            {"title": f"{element_name(e)}: {element_meaning(e)}", "value": e.value} for e in Element
        ],
    }
    if elements:
        found["value"] = ",".join(e.value for e in Element if e in elements)
    if error:
        found["errorMessage"] = error
    return found


def _private_input(private: bool, error: str | None) -> Part:
    found: Part = {
        "type": "Input.Toggle",
        "id": PRIVATE,
        "label": _("Who sees it?"),
        "title": _("Private")
        + " — "
        + _("No public announcement: only they (and their managers) see it"),
        "valueOn": "true",
        "valueOff": "false",
        "value": "true" if private else "false",
        "wrap": True,
    }
    if error:
        found["errorMessage"] = error
    return found


def nomination_dialog(
    *,
    people: Sequence[Person] = (),
    story: str = "",
    elements: Sequence[Element] = (),
    private: bool = False,
    quoted_message: str | None = None,
    errors: Mapping[str, str] | None = None,
) -> Card:
    """The dialog's card, prefilled (the message's author, a tip's element) or as submitted.
    `errors`: field id → what to fix there (our markdown); any other key is about the whole
    nomination (the daily limit, say) and is shown at the top."""
    errors = errors or {}
    body: list[Part] = [adaptive.text(definition_quote(), isSubtle=True, size="Small")]
    body += [_problem(message) for key, message in errors.items() if key not in FIELDS]
    if quoted_message:
        body += [
            adaptive.small(_("About this message:")),
            adaptive.quoted(inert(shorten(quoted_message, QUOTED_MESSAGE))),
        ]
    inputs = (
        (PEOPLE, _people_input(people, plain_error(errors.get(PEOPLE)))),
        (STORY, _story_input(story, plain_error(errors.get(STORY)))),
        (ELEMENTS, _elements_input(elements, plain_error(errors.get(ELEMENTS)))),
        (PRIVATE, _private_input(private, plain_error(errors.get(PRIVATE)))),
    )
    for field, part in inputs:
        body.append(part)
        if field in errors:
            body.append(_problem(errors[field]))
    submit = {
        "type": "Action.Submit",
        "title": _("Recognise"),
        "data": {adaptive.DIALOG: adaptive.NOMINATE},
    }
    return adaptive.card(body, [submit], summary=dialog_title())


def plain_error(message: str | None) -> str | None:
    """An input's `errorMessage` is plain text: our markdown's bold marks go."""
    return None if message is None else message.replace("**", "")
