"""`settings` (admins): a card in the 1:1 chat whose button opens the settings dialog, and
the dialog itself. Saving goes through the core's WorkspaceAdmin, which checks again that the
person is an admin, checks every field and writes the change to the audit log. Anyone else is
told who the admins are and never sees the form."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from bot.core import errors
from bot.core.model import Person
from bot.core.words import LANGUAGES, N_
from bot.core.workspace_admin import SettingsForm
from bot.entra import ENTRA_ID
from bot.i18n import _, say
from handlers.msteams.adaptive import CONTENT_TYPE, Card
from handlers.msteams.answers import Answer
from handlers.msteams.context import TeamsServices
from handlers.msteams.endorsing import TEAMS_REACTIONS, endorsing, stored
from handlers.msteams.installs import KnownChannel, archived_teams
from handlers.msteams.refusals import explain
from handlers.msteams.settings_dialog import (
    ADMINS,
    CHANNEL,
    DAILY_LIMIT,
    FIELD_OF,
    LANGUAGE,
    LEADERBOARDS,
    REACTIONS,
    REQUIRE_ELEMENT,
    TIMEZONE,
    WHERE_GIVEN,
    SettingsValues,
    dialog_title,
    settings_card,
    settings_dialog,
)
from handlers.msteams.turn import Turn

InvokeAnswer = dict[str, Any]
MAX_FIELD = 2_000  # longer than any honest value of one input


async def settings_answer(services: TeamsServices, turn: Turn) -> Answer:
    """`settings` typed in the 1:1 chat: the button that opens the dialog (or a refusal)."""
    assert turn.user_id is not None
    await services.core.administration.admins.require_admin(turn.workspace, turn.user_id)
    return Answer(lambda _names: settings_card())


async def open_settings(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    assert turn.user_id is not None
    admin = services.core.administration.workspace_admin
    try:
        settings = await admin.current(turn.workspace, turn.user_id)
    except errors.NotAnAdmin as refused:
        return _told(explain(refused, lambda i: i))
    channels = await _channels(services, turn.workspace, settings.recognition_channel_id)
    values = SettingsValues(
        channel=settings.recognition_channel_id,
        daily_limit=str(settings.daily_limit),
        require_element=settings.require_element,
        leaderboards=settings.leaderboard_enabled,
        reactions=tuple(sorted(endorsing(settings.endorsement_reaction))),
        admins=await _people(services, turn.workspace, settings.admin_ids),
        timezone=settings.default_timezone or "",
        language=settings.language,
    )
    return _dialog(settings_dialog(values, channels=channels))


async def submit_settings(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    """Save, and close the dialog saying so; or show it again, as typed, with what to fix."""
    assert turn.user_id is not None
    # The channel chosen before stays acceptable, even should its team no longer have Delight.
    before = await services.core.administration.settings.get(turn.workspace)
    channels = await _channels(services, turn.workspace, before.recognition_channel_id)
    form, problems = read_settings(data, known_channels={value for value, _t in channels})
    admin = services.core.administration.workspace_admin
    try:
        await admin.save(turn.workspace, turn.user_id, form, problems=problems)
    except errors.NotAnAdmin as refused:
        return _told(explain(refused, lambda i: i))
    except errors.SettingsInvalid as invalid:
        values = SettingsValues(
            channel=_text(data.get(CHANNEL)) or None,
            daily_limit=_text(data.get(DAILY_LIMIT)),
            require_element=form.require_element,
            leaderboards=form.leaderboard_enabled,
            reactions=_reactions(data.get(REACTIONS)),
            admins=await _people(services, turn.workspace, form.admin_ids),
            timezone=_text(data.get(TIMEZONE)).strip(),
            language=form.language,
        )
        shown = {
            FIELD_OF.get(name, name): say(problem) for name, problem in invalid.problems.items()
        }
        return _dialog(settings_dialog(values, channels=channels, errors=shown))
    return _told(_("Settings saved."))


def read_settings(
    data: Mapping[str, Any], *, known_channels: set[str]
) -> tuple[SettingsForm, dict[str, str]]:
    """The submitted dialog, tolerating missing or odd fields, and what in it is no channel,
    person, reaction or timezone Delight knows (the core checks the rest)."""
    problems: dict[str, str] = {}
    channel: str | None = _text(data.get(CHANNEL)).strip() or WHERE_GIVEN
    if channel == WHERE_GIVEN:
        channel = None
    elif channel not in known_channels:
        problems["recognition_channel_id"] = N_("Pick a channel from the list.")
    words = [w.strip().lower() for w in _text(data.get(ADMINS)).replace(";", ",").split(",")]
    admins = tuple(dict.fromkeys(w for w in words if ENTRA_ID.fullmatch(w)))
    if any(w and not ENTRA_ID.fullmatch(w) for w in words):
        problems["admin_ids"] = N_("Pick people from the list.")
    reactions = _reactions(data.get(REACTIONS))
    if not reactions:
        problems["endorsement_reaction"] = N_("Pick a reaction.")
    typed_zone = _text(data.get(TIMEZONE)).strip()
    zone = zone_named(typed_zone) if typed_zone else None
    if typed_zone and zone is None:
        problems["default_timezone"] = N_(
            "Pick a timezone from the list (type a city, like Amsterdam or New York)."
        )
    language = _text(data.get(LANGUAGE)).strip() or LANGUAGES[0]
    form = SettingsForm(
        recognition_channel_id=channel,
        daily_limit=_text(data.get(DAILY_LIMIT))[:20],
        require_element=_on(data.get(REQUIRE_ELEMENT)),
        leaderboard_enabled=_on(data.get(LEADERBOARDS)),
        endorsement_reaction=stored(reactions),
        admin_ids=admins,
        language=language[:8],
        default_timezone=zone,
    )
    return form, problems


def zone_named(typed: str) -> str | None:
    """An IANA zone from what an admin typed: its name in any case ("europe/amsterdam"), or
    its city ("Amsterdam", "new york", "Montréal": accents are optional)."""
    return _zones().get(_folded(" ".join(typed.replace("_", " ").split())))


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _zones() -> dict[str, str]:
    found: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        if zone.startswith(("Etc/", "SystemV/")) or ("/" not in zone and zone != "UTC"):
            continue
        found.setdefault(_folded(zone.replace("_", " ")), zone)
        found.setdefault(_folded(zone.rsplit("/", 1)[-1].replace("_", " ")), zone)
    return found


async def _channels(
    services: TeamsServices, workspace: str, current: str | None
) -> list[tuple[str, str]]:
    """The channels to offer, as (conversation id, "Team › Channel"); the current one too,
    should its team no longer have Delight or be archived, or the channel be deleted (said so:
    the form shows what is set, and the admin sees why announcements stopped)."""
    known = await services.installs.channels(workspace)
    offered = [(c.conversation_id, _label(c)) for c in known]
    if current and current not in {value for value, _title in offered}:
        names = await services.messenger.names(workspace, (), (current,))
        title = names.conversation(current)
        known_channel = await services.book.conversation(workspace, current)
        if known_channel is not None and known_channel.removed_at is not None:
            title = _("{channel} (deleted)").format(channel=title)
        elif known_channel is not None and known_channel.team_id in archived_teams(
            await services.installs.teams(workspace)
        ):
            title = _("{channel} (archived)").format(channel=title)
        offered.insert(0, (current, title))
    return offered


def _label(channel: KnownChannel) -> str:
    team = channel.team_name or _("a team")
    name = channel.name or (
        _("General") if channel.conversation_id == channel.team_id else _("a channel")
    )
    return f"{team} › {name}"


async def _people(
    services: TeamsServices, workspace: str, ids: Sequence[str]
) -> tuple[Person, ...]:
    found = await services.directory.people(workspace, ids)
    return tuple(found.get(i) or Person(id=i, name=_("a colleague")) for i in ids)


def _reactions(value: object) -> tuple[str, ...]:
    words = {w.strip().lower() for w in _text(value)[:MAX_FIELD].split(",")}
    return tuple(r for r in TEAMS_REACTIONS if r in words)


def _on(value: object) -> bool:
    return value is True or _text(value).strip().lower() == "true"


def _text(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def _dialog(card: Card) -> InvokeAnswer:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": dialog_title(),
                "width": "medium",
                "height": "large",
                "card": {"contentType": CONTENT_TYPE, "content": card},
            },
        }
    }


def _told(text: str) -> InvokeAnswer:
    return {"task": {"type": "message", "value": text.replace("**", "")}}
