"""The workspace settings dialog (admins): its card, filled with the settings or with what was
typed, each problem shown on its field. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.model import Person
from bot.core.workspace_admin import DAILY_LIMIT_RANGE
from bot.i18n import _, number
from handlers.msteams import adaptive
from handlers.msteams.adaptive import Card, Part
from handlers.msteams.dialog import PEOPLE_DATASET, plain_error
from handlers.msteams.endorsing import TEAMS_REACTIONS

# The inputs' ids: the submitted values arrive under them.
CHANNEL = "channel"  # a channel's conversation id, or WHERE_GIVEN
DAILY_LIMIT = "daily_limit"
REQUIRE_ELEMENT = "require_element"  # "true" / "false"
LEADERBOARDS = "leaderboards"  # "true" / "false"
REACTIONS = "reactions"  # comma-separated: like,heart
ADMINS = "admins"  # comma-separated Entra ids
TIMEZONE = "timezone"  # an IANA zone or a city; empty: none
LANGUAGE = "language"
WHERE_GIVEN = "-"  # no recognition channel: announced where it is given
MAX_ADMINS = 50

# The core's names of the settings → the input each is shown in (where its problem goes).
FIELD_OF = {
    "recognition_channel_id": CHANNEL,
    "daily_limit": DAILY_LIMIT,
    "require_element": REQUIRE_ELEMENT,
    "leaderboard_enabled": LEADERBOARDS,
    "endorsement_reaction": REACTIONS,
    "admin_ids": ADMINS,
    "default_timezone": TIMEZONE,
    "language": LANGUAGE,
}
# Each language named in itself: the admin picking one may not read the current one.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}
REACTION_EMOJI = {
    "like": "👍",
    "heart": "❤️",
    "laugh": "😆",
    "surprised": "😮",
    "sad": "😢",
    "angry": "😡",
}


@dataclass(frozen=True, slots=True)
class SettingsValues:
    """What the dialog shows: the stored settings, or what the admin submitted."""

    channel: str | None  # a conversation id; None: where it is given
    daily_limit: str
    require_element: bool
    leaderboards: bool
    reactions: tuple[str, ...]
    admins: tuple[Person, ...]  # with their names: the picker shows a value among its choices
    timezone: str
    language: str


def dialog_title() -> str:
    return _("Delight settings")


def _reaction_names() -> dict[str, str]:
    return {
        "like": _("Like"),
        "heart": _("Heart"),
        "laugh": _("Laugh"),
        "surprised": _("Surprised"),
        "sad": _("Sad"),
        "angry": _("Angry"),
    }


def _with_error(part: Part, error: str | None) -> Part:
    return {**part, "errorMessage": plain_error(error)} if error else part


def _channel_input(
    chosen: str | None, channels: Sequence[tuple[str, str]], error: str | None
) -> Part:
    choices = [{"title": _("Where it is given (no one channel)"), "value": WHERE_GIVEN}]
    choices += [{"title": title, "value": value} for value, title in channels]
    part: Part = {
        "type": "Input.ChoiceSet",
        "id": CHANNEL,
        "label": _("Recognition channel"),
        "style": "filtered" if len(choices) > 10 else "compact",
        "choices": choices,
        "value": chosen or WHERE_GIVEN,
    }
    return _with_error(part, error)


def _limit_input(typed: str, error: str | None) -> Part:
    low, high = DAILY_LIMIT_RANGE
    part: Part = {
        "type": "Input.Number",
        "id": DAILY_LIMIT,
        "label": _("Daily limit: people one person can recognise a day"),
        "min": low,
        "max": high,
        "isRequired": True,
        "errorMessage": plain_error(error)
        or _("Use a whole number from {low} to {high}.").format(low=number(low), high=number(high)),
    }
    if typed.strip().isdigit():  # kept as typed, even out of range
        part["value"] = int(typed.strip()[:9])
    return part


def _toggle(field: str, title: str, on: bool, error: str | None) -> Part:
    part: Part = {
        "type": "Input.Toggle",
        "id": field,
        "title": title,
        "valueOn": "true",
        "valueOff": "false",
        "value": "true" if on else "false",
        "wrap": True,
    }
    return _with_error(part, error)


def _reactions_input(chosen: Sequence[str], error: str | None) -> Part:
    names = _reaction_names()
    part: Part = {
        "type": "Input.ChoiceSet",
        "id": REACTIONS,
        "label": _("Reactions that say “I saw it too” on an announcement"),
        "isMultiSelect": True,
        "style": "expanded",
        "isRequired": True,
        "errorMessage": plain_error(error) or _("Pick a reaction."),
        "choices": [
            {"title": f"{REACTION_EMOJI[r]} {names[r]}", "value": r} for r in TEAMS_REACTIONS
        ],
    }
    picked = [r for r in TEAMS_REACTIONS if r in chosen]
    if picked:
        part["value"] = ",".join(picked)
    return part


def _admins_input(admins: Sequence[Person], error: str | None) -> Part:
    part: Part = {
        "type": "Input.ChoiceSet",
        "id": ADMINS,
        "label": _("Extra Delight admins (whoever installed Delight in a team always is)"),
        "isMultiSelect": True,
        "choices": [{"title": p.name, "value": p.id} for p in admins[:MAX_ADMINS]],
        "choices.data": {"type": "Data.Query", "dataset": PEOPLE_DATASET},
    }
    if admins:
        part["value"] = ",".join(p.id for p in admins[:MAX_ADMINS])
    return _with_error(part, error)


def _timezone_input(typed: str, error: str | None) -> Part:
    part: Part = {
        "type": "Input.Text",
        "id": TIMEZONE,
        "label": _(
            "Default timezone, for people whose own Teams hasn't told Delight yet (a city, "
            "like Amsterdam or New York)"
        ),
        "placeholder": "Europe/Amsterdam",
        "maxLength": 64,
    }
    if typed:
        part["value"] = typed[:64]
    return _with_error(part, error)


def _language_input(chosen: str, error: str | None) -> Part:
    part: Part = {
        "type": "Input.ChoiceSet",
        "id": LANGUAGE,
        "label": _(
            "Language of announcements, and of people whose Teams language Delight doesn't speak"
        ),
        "style": "compact",
        "choices": [{"title": name, "value": code} for code, name in LANGUAGE_NAMES.items()],
        "value": chosen if chosen in LANGUAGE_NAMES else "en",
    }
    return _with_error(part, error)


def _problem(message: str) -> Part:
    return adaptive.text(message, color="Attention", size="Small", spacing="Small")


def settings_dialog(
    values: SettingsValues,
    *,
    channels: Sequence[tuple[str, str]],
    errors: Mapping[str, str] | None = None,
) -> Card:
    """`channels`: (conversation id, "Team › Channel") of the teams that have Delight.
    `errors`: input id → what to fix there (our markdown); other keys show at the top."""
    errors = errors or {}
    body: list[Part] = [_problem(m) for key, m in errors.items() if key not in FIELD_OF.values()]
    inputs = (
        (CHANNEL, _channel_input(values.channel, channels, errors.get(CHANNEL))),
        (DAILY_LIMIT, _limit_input(values.daily_limit, errors.get(DAILY_LIMIT))),
        (
            REQUIRE_ELEMENT,
            _toggle(
                REQUIRE_ELEMENT,
                _("Require an element tag")
                + " — "
                + _("Every recognition names at least one element"),
                values.require_element,
                errors.get(REQUIRE_ELEMENT),
            ),
        ),
        (
            LEADERBOARDS,
            _toggle(
                LEADERBOARDS,
                _("Leaderboards") + " — " + _("Let people use top (off by default)"),
                values.leaderboards,
                errors.get(LEADERBOARDS),
            ),
        ),
        (REACTIONS, _reactions_input(values.reactions, errors.get(REACTIONS))),
        (ADMINS, _admins_input(values.admins, errors.get(ADMINS))),
        (TIMEZONE, _timezone_input(values.timezone, errors.get(TIMEZONE))),
        (LANGUAGE, _language_input(values.language, errors.get(LANGUAGE))),
    )
    for field, part in inputs:
        body.append(part)
        if field in errors:
            body.append(_problem(errors[field]))
    submit = {
        "type": "Action.Submit",
        "title": _("Save"),
        "data": {adaptive.DIALOG: adaptive.SETTINGS},
    }
    return adaptive.card(body, [submit], summary=dialog_title())


def settings_button() -> Part:
    """Opens the dialog (a typed `settings` can't: Teams opens dialogs from buttons only)."""
    return adaptive.open_dialog(_("Workspace settings"), adaptive.SETTINGS)


def settings_card() -> adaptive.CardMessage:
    """`settings` in the 1:1 chat, to an admin."""
    said = _("Change how Delight works in your organisation:")
    return adaptive.message([adaptive.text(said)], [settings_button()], summary=said)
