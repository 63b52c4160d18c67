"""Admins define managers' teams in Teams: `teams` in the 1:1 chat answers with the teams card,
whose buttons open the dialogs (make, edit or delete a team; the digest's day, hour and chart).
Everything goes through the core's TeamService, which checks that the person is an admin each
time and validates the team; its problems show in the dialog, on their field, with what was
typed kept. Whoever isn't an admin is told so and never sees a form."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core import errors
from bot.core.digest_week import DigestSchedule
from bot.core.model import MessageRef
from bot.core.teams import TeamDraft, TeamProblem, TeamService
from bot.core.words import N_
from bot.entra import ENTRA_ID
from bot.i18n import _, say
from handlers.msteams.adaptive import CardMessage, dialog_answer, told
from handlers.msteams.answers import Answer
from handlers.msteams.context import TeamsServices
from handlers.msteams.directory import Where, current_conversation
from handlers.msteams.picker import picked_ids
from handlers.msteams.refusals import explain
from handlers.msteams.teams_card import (
    CHARTS,
    DAY,
    DELETE,
    HOUR,
    MANAGERS,
    MEMBERS,
    NAME,
    PAGE,
    ROSTERS,
    TEAM_PK,
    TeamForm,
    form_of,
    schedule_dialog,
    team_dialog,
    team_dialog_title,
    teams_card,
)
from handlers.msteams.turn import Turn

logger = logging.getLogger(__name__)

InvokeAnswer = dict[str, Any]
_TEAMS_ID = re.compile(r"19:[\w.@\-]{1,200}")
MAX_FIELD = 20_000  # a picker's value past this is hostile
MAX_TEAMS_ASKED = 10  # Teams teams asked about people Delight hasn't met, per save
# The core says "a user group or a channel"; on Teams a team's people come from a Teams team.
_SAID_ON_TEAMS = {
    N_("Pick the team's people, or take them from a user group or a channel."): N_(
        "Pick the team's people, or take them from a Teams team."
    ),
}


def _teams(services: TeamsServices) -> TeamService:
    return services.core.digests.teams


async def list_card(
    services: TeamsServices, workspace: str, user_id: str, page: int = 0
) -> CardMessage:
    """The teams card; raises NotAnAdmin for anyone else."""
    service = _teams(services)
    teams = await service.all(workspace, admin_id=user_id)
    schedule = await service.schedule(workspace, admin_id=user_id)
    people = [uid for team in teams for uid in team.manager_ids]
    rosters = [roster for team in teams for roster in team.channel_ids]
    names = await services.messenger.names(workspace, people, rosters)
    return teams_card(teams, schedule, names, page=page)


async def teams_answer(services: TeamsServices, turn: Turn) -> Answer:
    """`teams` in the 1:1 chat."""
    assert turn.user_id is not None
    card = await list_card(services, turn.workspace, turn.user_id)
    return Answer(lambda _names: card)


async def page(
    services: TeamsServices, turn: Turn, user_id: str, data: Mapping[str, Any]
) -> CardMessage:
    wanted = data.get(PAGE)
    number = wanted if isinstance(wanted, int) and not isinstance(wanted, bool) else 0
    return await list_card(services, turn.workspace, user_id, max(0, min(number, 10_000)))


# --- the team dialog -------------------------------------------------------------------------


async def open_team(services: TeamsServices, turn: Turn, data: Mapping[str, Any]) -> InvokeAnswer:
    assert turn.user_id is not None
    team_pk = _pk(data.get(TEAM_PK))
    try:
        team = None
        if team_pk is not None:
            team = await _teams(services).get(turn.workspace, team_pk, admin_id=turn.user_id)
        else:
            await services.core.administration.admins.require_admin(turn.workspace, turn.user_id)
    except errors.DelightError as refused:
        return told(explain(refused, lambda i: i))
    return await _team_dialog(services, turn, form_of(team))


async def submit_team(services: TeamsServices, turn: Turn, data: Mapping[str, Any]) -> InvokeAnswer:
    assert turn.user_id is not None
    form = _read_team(data)
    service = _teams(services)
    try:
        if form.delete and form.team_pk is not None:
            await service.delete(turn.workspace, form.team_pk, admin_id=turn.user_id)
            said = _("The team “{team}” is deleted.")
        else:
            await services.core.administration.admins.require_admin(turn.workspace, turn.user_id)
            await _meet(services, turn.workspace, (*form.manager_ids, *form.member_ids))
            draft = TeamDraft(
                name=form.name,
                manager_ids=form.manager_ids,
                member_ids=form.member_ids,
                channel_ids=form.roster_ids,
            )
            await service.save(turn.workspace, draft, admin_id=turn.user_id, team_pk=form.team_pk)
            said = _("The team “{team}” is saved.")
    except TeamProblem as problem:
        message = say(_SAID_ON_TEAMS.get(problem.message, problem.message))
        field = problem.field if problem.field in (NAME, MANAGERS, MEMBERS) else "general"
        return await _team_dialog(services, turn, _with_error(form, field, message))
    except errors.DelightError as refused:
        return told(explain(refused, lambda i: i))
    await _refresh_list(services, turn)
    return told(said.format(team=" ".join(form.name.split())))


async def _team_dialog(services: TeamsServices, turn: Turn, form: TeamForm) -> InvokeAnswer:
    rosters = [
        (team.team_id, team.name or _("Teams team {number}").format(number=n))
        for n, team in enumerate(await services.rosters.teams(turn.workspace), 1)
    ]
    names = await services.messenger.names(turn.workspace, (*form.manager_ids, *form.member_ids))
    card = team_dialog(form, names, rosters)
    return dialog_answer(card, team_dialog_title(form))


async def _meet(services: TeamsServices, workspace: str, user_ids: Sequence[str]) -> None:
    """People picked in the people picker whom Delight hasn't met: looked up in the rosters of
    the Teams teams it is in (and remembered), so they can be managers and get a 1:1."""
    unknown = [
        uid for uid in dict.fromkeys(user_ids) if await services.book.member(workspace, uid) is None
    ]
    if not unknown:
        return
    for team in (await services.rosters.teams(workspace))[:MAX_TEAMS_ASKED]:
        known = await services.book.conversation(workspace, team.team_id)
        if known is None:
            continue
        token = current_conversation.set(Where(known.service_url, team.team_id))
        try:
            found = await services.directory.people(workspace, unknown)
        finally:
            current_conversation.reset(token)
        unknown = [uid for uid in unknown if uid not in found]
        if not unknown:
            return


async def _refresh_list(services: TeamsServices, turn: Turn) -> None:
    """The teams card the dialog was opened from shows the change (best effort)."""
    assert turn.user_id is not None
    if not turn.reply_to_id:
        return
    card = await list_card(services, turn.workspace, turn.user_id)
    await services.messenger.update(
        turn.workspace, MessageRef(turn.conversation_id, turn.reply_to_id), card
    )


def _with_error(form: TeamForm, field: str, message: str) -> TeamForm:
    return TeamForm(
        team_pk=form.team_pk,
        name=form.name,
        manager_ids=form.manager_ids,
        member_ids=form.member_ids,
        roster_ids=form.roster_ids,
        delete=form.delete,
        errors={field: message},
    )


def _read_team(data: Mapping[str, Any]) -> TeamForm:
    """The dialog's values, never trusted: ids of the right shape only."""
    name = data.get(NAME)
    return TeamForm(
        team_pk=_pk(data.get(TEAM_PK)),
        name=name[:MAX_FIELD] if isinstance(name, str) else "",
        manager_ids=_ids(data.get(MANAGERS), ENTRA_ID),
        member_ids=_ids(data.get(MEMBERS), ENTRA_ID),
        roster_ids=_ids(data.get(ROSTERS), _TEAMS_ID, lower=False),
        delete=str(data.get(DELETE, "false")).lower() == "true",
    )


def _ids(value: object, shape: re.Pattern[str], *, lower: bool = True) -> tuple[str, ...]:
    return picked_ids(value, limit=MAX_FIELD, shape=shape, lower=lower)


def _pk(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**62:
        return value
    return None


# --- the schedule dialog ---------------------------------------------------------------------


async def open_schedule(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    assert turn.user_id is not None
    try:
        schedule = await _teams(services).schedule(turn.workspace, admin_id=turn.user_id)
    except errors.DelightError as refused:
        return told(explain(refused, lambda i: i))
    return dialog_answer(schedule_dialog(schedule), _("Digest schedule"), height="medium")


async def submit_schedule(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    assert turn.user_id is not None
    schedule = DigestSchedule(
        turn.workspace,
        weekday=_within(data.get(DAY), 0, 6, 0),
        hour=_within(data.get(HOUR), 0, 23, 9),
        charts=str(data.get(CHARTS, "true")).lower() == "true",
    )
    try:
        await _teams(services).save_schedule(schedule, admin_id=turn.user_id)
    except errors.DelightError as refused:
        return told(explain(refused, lambda i: i))
    await _refresh_list(services, turn)
    return told(_("The digest schedule is saved."))


def _within(value: object, low: int, high: int, default: int) -> int:
    try:
        found = int(str(value))
    except ValueError:
        return default
    return found if low <= found <= high else default
