"""Admins manage the tip library in Teams: the schedules card's "Manage tips" opens the dialog
(task/fetch); its buttons submit it (task/submit) to show another element, turn a tip off or
on, delete one of the workspace's own, or add one. Every rule is the core's (CustomTips): it
checks the admin again on each submit, checks the tip, keeps an element's last tip on and
audits each change. Anyone else is told so and never sees the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.core import errors
from bot.core.custom_tips import TipDraft
from bot.core.elements import Element
from bot.core.tips import MAX_BODY_CHARS
from bot.core.words import Said
from bot.i18n import current_language, say
from bot.tip_words import added_notice, deleted_notice, tip_refusal
from handlers.msteams.adaptive import dialog_answer, told
from handlers.msteams.context import TeamsServices
from handlers.msteams.refusals import explain
from handlers.msteams.text import inert
from handlers.msteams.tip_library_card import (
    ADD,
    BODY,
    CHOSEN_ELEMENT,
    DELETE,
    DO,
    ELEMENT,
    FIELD_INPUT,
    SHOW,
    TIP_ID,
    TITLE,
    TURN_OFF,
    TURN_ON,
    LibraryPage,
    dialog_title,
    library_dialog,
)
from handlers.msteams.turn import Turn

InvokeAnswer = dict[str, Any]
MAX_FIELD = 2 * MAX_BODY_CHARS  # what is kept of a typed field: the core refuses past its limit
MAX_TIP_ID = 100  # longer than any tip's id
_ELEMENTS = {e.value: e for e in Element}


async def open_library(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    element = _element(data.get(ELEMENT)) or Element.VOLUNTARY
    return await _page(services, turn, LibraryPage(element, ()))


async def submit_library(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    """Do what the button asks, then show the element's page again with what happened: the
    form as typed, with what to fix under it, unless the tip was added."""
    assert turn.user_id is not None
    tips = services.core.tip_admin.tips
    do = data.get(DO)
    shown = _element(data.get(ELEMENT))
    element = shown or Element.VOLUNTARY
    title, body = _text(data.get(TITLE)), _text(data.get(BODY))
    notice: str | None = None
    problems: dict[str, str] = {}
    try:
        if do == SHOW:
            chosen = _element(data.get(CHOSEN_ELEMENT)) or element
            return await _page(services, turn, LibraryPage(chosen, ()))
        if do in (TURN_ON, TURN_OFF):
            enabled = do == TURN_ON
            await tips.set_enabled(turn.workspace, turn.user_id, _tip_id(data), enabled=enabled)
        elif do == DELETE:
            await tips.delete(turn.workspace, turn.user_id, _tip_id(data))
            notice = deleted_notice()
        elif do == ADD and shown is not None:
            draft = TipDraft(element, title, body, current_language())
            added = await tips.add(turn.workspace, turn.user_id, draft)
            notice, title, body = added_notice(inert(added.tip.title)), "", ""
        elif do == ADD:  # no element this dialog shows: a forged submit
            raise errors.DelightError()
    except errors.TipInvalid as invalid:
        problems = {FIELD_INPUT.get(f, "general"): _in_card(m) for f, m in invalid.problems.items()}
    except errors.NotAnAdmin as refused:
        return told(explain(refused, _same))
    except errors.DelightError as refused:
        notice = "⚠️ " + (tip_refusal(refused) or explain(refused, _same))
    page = LibraryPage(element, (), title=title, body=body, notice=notice, errors=problems)
    return await _page(services, turn, page)


async def _page(services: TeamsServices, turn: Turn, page: LibraryPage) -> InvokeAnswer:
    """The element's page with its tips as they stand now (a refusal, for anyone not an
    admin)."""
    assert turn.user_id is not None
    try:
        entries = await services.core.tip_admin.tips.overview(
            turn.workspace, turn.user_id, page.element, language=current_language()
        )
    except errors.DelightError as refused:
        return told(explain(refused, _same))
    authors = [e.author_id for e in entries if e.author_id]
    names = await services.messenger.names(turn.workspace, authors)
    shown = replace(page, entries=entries, authors=names)
    return dialog_answer(library_dialog(shown), dialog_title())


def _element(value: object) -> Element | None:
    return _ELEMENTS.get(value) if isinstance(value, str) else None


def _tip_id(data: Mapping[str, Any]) -> str:
    """A tip's id from a button's data, never trusted: the core finds it in this workspace."""
    value = data.get(TIP_ID)
    return value if isinstance(value, str) and len(value) <= MAX_TIP_ID else ""


def _text(value: object) -> str:
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def _in_card(problem: str) -> str:
    """A problem in the card's markdown: a tip's title it quotes is user text, made inert."""
    if isinstance(problem, Said) and problem.values:
        values = {k: inert(v) if type(v) is str else v for k, v in problem.values.items()}
        problem = Said(problem.message, **values)
    return say(problem)


def _same(user_id: str) -> str:
    return user_id
