"""Every dialog a card's button opens (`Action.Submit` with `msteams: task/fetch`): the
button's data names it under "delight"; its opener answers the task/fetch, its submitter the
task/submit of the dialog's own button. To add a dialog, add it here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from handlers.msteams import (
    adaptive,
    dialogs,
    removal,
    settings_admin,
    teams_admin,
    teams_card,
    tip_cards,
    tip_library,
    tip_library_card,
    tips_admin,
)
from handlers.msteams.context import TeamsServices
from handlers.msteams.turn import Turn

InvokeAnswer = dict[str, Any]
Step = Callable[[TeamsServices, Turn, Mapping[str, Any]], Awaitable[InvokeAnswer]]


@dataclass(frozen=True, slots=True)
class Dialog:
    open: Step
    submit: Step


DIALOGS: dict[str, Dialog] = {
    adaptive.NOMINATE: Dialog(dialogs.open_from_card, dialogs.submit_from_card),
    adaptive.REMOVE: Dialog(removal.open_from_card, removal.submit_from_card),
    tip_cards.SCHEDULE_DIALOG: Dialog(
        tips_admin.open_schedule_dialog, tips_admin.submit_schedule_dialog
    ),
    tip_library_card.LIBRARY_DIALOG: Dialog(tip_library.open_library, tip_library.submit_library),
    teams_card.TEAM: Dialog(teams_admin.open_team, teams_admin.submit_team),
    teams_card.SCHEDULE: Dialog(teams_admin.open_schedule, teams_admin.submit_schedule),
    adaptive.SETTINGS: Dialog(settings_admin.open_settings, settings_admin.submit_settings),
}


def dialog_named(data: Mapping[str, Any]) -> Dialog | None:
    name = data.get(adaptive.DIALOG)
    return DIALOGS.get(name) if isinstance(name, str) else None
