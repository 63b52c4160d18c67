"""Admins' tips in Teams: `tips` in the personal chat answers with the schedules card; its
buttons open the schedule dialog (new, edit) or act in place (pause, resume, preview, send now,
delete) and show the card again. `tips status` shows how each schedule went. Every rule is the
core's (TipScheduleAdmin): it checks the admin again on each click and audits each change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import errors
from bot.core.platform import ChannelProblem
from bot.core.schedule import DeliveryMode
from bot.core.tip_admin import ScheduleForm
from bot.core.tip_delivery import MAX_MEMBERS_TO_DM, Delivered
from bot.core.words import N_
from bot.i18n import _, current_language, number, say
from handlers.msteams import adaptive, tip_cards
from handlers.msteams.adaptive import CONTENT_TYPE, CardMessage, dialog_answer, told
from handlers.msteams.answers import Answer
from handlers.msteams.context import TeamsServices
from handlers.msteams.installs import archived_teams
from handlers.msteams.refusals import explain
from handlers.msteams.text import inert
from handlers.msteams.tips import place_name, places
from handlers.msteams.turn import Turn

InvokeAnswer = dict[str, Any]
MAX_FIELD = 200  # characters of any one submitted field; the core checks the rest

STATUS_USAGE = N_("Type **tips** to manage tip schedules, or **tips status** to see how they went.")
# How Teams words each channel problem (translated when shown).
CHANNEL_PROBLEMS = {
    ChannelProblem.NOT_FOUND: N_(
        "I don't know that channel any more: add Delight to its team again (or mention "
        "@Delight in the channel), then save again."
    ),
    ChannelProblem.NOT_A_CHANNEL: N_("Pick a channel, not a direct message."),
    ChannelProblem.ARCHIVED: N_("That channel is archived: pick another, or unarchive it first."),
    ChannelProblem.NOT_A_MEMBER: N_(
        "Delight isn't in that team: ask a team owner to add it, then save again."
    ),
    ChannelProblem.TOO_MANY_MEMBERS: N_(
        "That channel has more than {limit} members: too many to DM one by "
        "one. Post in the channel instead."
    ),
    ChannelProblem.UNREACHABLE: N_("Teams didn't answer when I checked that channel: try again."),
}
_CHANGED = {  # translated when shown
    tip_cards.PAUSE: N_(
        "⏸️ Paused. Resume it whenever you like; what it misses meanwhile isn't sent later."
    ),
    tip_cards.RESUME: N_("▶️ Resumed."),
    tip_cards.DELETE: N_("🗑️ Deleted."),
}


# --- `tips` and `tips status` in the personal chat --------------------------------------------


async def tips_command(services: TeamsServices, turn: Turn, argument: str) -> Answer:
    """The schedules card, or `tips status`; a refusal (NotAnAdmin) for anyone else."""
    assert turn.user_id is not None
    if argument == "status":
        reports = await services.core.tip_admin.schedules.reports(
            turn.workspace, turn.user_id, language=current_language()
        )
        shown = await places(services.book, turn.workspace)
        card = tip_cards.status_card(reports, shown)
        return Answer(lambda _names: card)
    if argument:
        return Answer(lambda _names: adaptive.message([adaptive.text(_(STATUS_USAGE))], summary=""))
    card = await schedules_message(services, turn)
    return Answer(lambda _names: card)


async def schedules_message(
    services: TeamsServices, turn: Turn, notice: str | None = None
) -> CardMessage:
    assert turn.user_id is not None
    reports = await services.core.tip_admin.schedules.reports(
        turn.workspace, turn.user_id, language=current_language()
    )
    shown = await places(services.book, turn.workspace)
    return tip_cards.schedules_card(reports, places=shown, notice=notice)


# --- the schedules card's buttons (Action.Execute) -----------------------------------------------


def _card(message: CardMessage) -> InvokeAnswer:
    return {"statusCode": 200, "type": CONTENT_TYPE, "value": message.card}


def _said(text: str) -> InvokeAnswer:
    return {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": text.replace("**", ""),
    }


async def execute(
    services: TeamsServices, turn: Turn, verb: str, data: Mapping[str, Any]
) -> InvokeAnswer:
    """A button of the schedules card: act, then the card again with what happened on top."""
    assert turn.user_id is not None
    schedules = services.core.tip_admin.schedules
    team_id, user_id = turn.workspace, turn.user_id
    schedule_id = _schedule_id(data)
    try:
        if verb == tip_cards.LIST:
            notice = None
        elif schedule_id is None:
            raise errors.ScheduleNotFound()
        elif verb in _CHANGED:
            action = {
                tip_cards.PAUSE: schedules.pause,
                tip_cards.RESUME: schedules.resume,
                tip_cards.DELETE: schedules.delete,
            }[verb]
            await action(team_id, user_id, schedule_id)
            notice = _(_CHANGED[verb])
        elif verb == tip_cards.PREVIEW:
            notice = await _preview(services, turn, schedule_id)
        elif verb == tip_cards.SEND_NOW:
            notice = await _send_now(services, turn, schedule_id, data.get(tip_cards.SEND_KEY))
        else:
            return _said("")
    except errors.ScheduleInvalid as invalid:
        notice = _("⚠️ Still paused: {problem}").format(
            problem=next(iter(schedule_problems(invalid).values()), "")
        )
    except errors.NotAnAdmin as refused:
        return _said(explain(refused, lambda i: i))
    except errors.DelightError as refused:
        notice = _tips_refusal(refused)
    try:
        return _card(await schedules_message(services, turn, notice))
    except errors.DelightError as refused:
        return _said(explain(refused, lambda i: i))


async def _preview(services: TeamsServices, turn: Turn, schedule_id: int) -> str:
    """The schedule's next tip, sent to the admin's own chat as it will look (nothing recorded)."""
    assert turn.user_id is not None
    upcoming = await services.core.tip_admin.schedules.preview(
        turn.workspace, turn.user_id, schedule_id, language=current_language()
    )
    shown = await places(services.book, turn.workspace)
    await services.messenger.to_person(
        turn.workspace, turn.user_id, tip_cards.preview_card(upcoming, shown)
    )
    return _("👀 I've sent you the next tip in this chat, as it will look. Nothing else was sent.")


async def _send_now(services: TeamsServices, turn: Turn, schedule_id: int, send_key: object) -> str:
    assert turn.user_id is not None
    schedules = services.core.tip_admin.schedules
    team_id, user_id = turn.workspace, turn.user_id
    key = str(send_key) if isinstance(send_key, int | str) else ""
    delivered = await schedules.send_now(team_id, user_id, schedule_id, send_key=key)
    schedule = await schedules.schedule(team_id, user_id, schedule_id)
    title = None
    if delivered.tip_id and (tip := await schedules.tip(team_id, delivered.tip_id)):
        title = tip.title
    place = (await places(services.book, team_id)).get(schedule.channel_id) or _("a channel")
    return sent_notice(delivered, title, place)


def sent_notice(delivered: Delivered, title: str | None, place: str) -> str:
    match delivered.status:
        case "sent":
            where = (
                inert(say(delivered.reason))
                if delivered.reason
                else _("sent to {channel}").format(channel=f"**{inert(place)}**")
            )
            return "✅ " + _("“{title}”: {where}.").format(
                title=inert(title) if title else _("The tip"), where=where
            )
        case "taken":
            return _("That tip was already sent (a repeated click): nothing more went out.")
        case "skipped":
            return _("Nothing was sent: {reason}.").format(
                reason=inert(say(delivered.reason)) if delivered.reason else _("skipped")
            )
    return _(
        "⚠️ Not sent: {reason}. If it's about the channel, the schedule is paused until "
        "that's fixed."
    ).format(reason=inert(say(delivered.reason)) if delivered.reason else _("Teams refused it"))


# --- the schedule dialog (task/fetch → task/submit) ----------------------------------------------


async def _targets(services: TeamsServices, team_id: str) -> list[tip_cards.Target]:
    """Each known channel (not deleted) of the teams that have Delight, then each such team's
    1:1 choice: a team Delight was removed from can't be posted in or read; an archived one
    can't be posted in, while its members can still be reached 1:1."""
    teams = await services.installs.teams(team_id)
    installed = {team.team_id for team in teams}
    read_only = archived_teams(teams)
    channels = [
        c
        for c in await services.book.channels(team_id)
        if c.removed_at is None and c.team_id in installed
    ]
    found = [
        tip_cards.Target(
            tip_cards.target_value(DeliveryMode.CHANNEL, c.conversation_id),
            _("Post in {channel}").format(channel=place_name(c)),
        )
        for c in channels
        if c.team_id not in read_only
    ]
    names = await places(services.book, team_id)
    for team in dict.fromkeys(c.team_id for c in channels if c.team_id):
        found.append(
            tip_cards.Target(
                tip_cards.target_value(DeliveryMode.MEMBERS, team),
                _("1:1 to each member of {team}").format(team=names.get(team) or _("a team")),
            )
        )
    return found


async def open_schedule_dialog(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    """New (no schedule id) or edit; a polite refusal to anyone who isn't an admin."""
    assert turn.user_id is not None
    schedules = services.core.tip_admin.schedules
    schedule_id = _schedule_id(data)
    try:
        await services.core.administration.admins.require_admin(turn.workspace, turn.user_id)
        if schedule_id is not None:
            schedule = await schedules.schedule(turn.workspace, turn.user_id, schedule_id)
            values = tip_cards.ScheduleValues.of(schedule)
        else:
            zone = await schedules.default_timezone(turn.workspace, turn.user_id)
            today = services.core.clock.now().astimezone(ZoneInfo(zone)).date()
            values = tip_cards.ScheduleValues(timezone=zone, start=today.isoformat())
    except errors.DelightError as refused:
        return told(_tips_refusal(refused))
    card = tip_cards.schedule_dialog(
        await _targets(services, turn.workspace), values, schedule_id=schedule_id
    )
    return dialog_answer(card, tip_cards.schedule_dialog_title(schedule_id))


async def submit_schedule_dialog(
    services: TeamsServices, turn: Turn, data: Mapping[str, Any]
) -> InvokeAnswer:
    """Save the schedule and close the dialog (the admin is sent the schedules card again), or
    show the dialog again with what to fix, what was typed kept."""
    assert turn.user_id is not None
    schedules = services.core.tip_admin.schedules
    schedule_id = _schedule_id(data)
    form = read_schedule_form(data)
    try:
        if schedule_id is not None:
            await schedules.change(turn.workspace, turn.user_id, schedule_id, form)
        else:
            await schedules.create(turn.workspace, turn.user_id, form)
    except errors.ScheduleInvalid as invalid:
        problems = {
            tip_cards.FIELD_INPUT.get(field, "general"): said
            for field, said in schedule_problems(invalid).items()
        }
        return await _again(services, turn, data, schedule_id, problems)
    except errors.NotAnAdmin as refused:
        return told(explain(refused, lambda i: i))
    except errors.DelightError as refused:
        return await _again(services, turn, data, schedule_id, {"general": _tips_refusal(refused)})
    card = await schedules_message(services, turn, _("✅ Saved."))
    await services.messenger.to_person(turn.workspace, turn.user_id, card)
    return {}


async def _again(
    services: TeamsServices,
    turn: Turn,
    data: Mapping[str, Any],
    schedule_id: int | None,
    problems: dict[str, str],
) -> InvokeAnswer:
    card = tip_cards.schedule_dialog(
        await _targets(services, turn.workspace),
        _typed(data),
        schedule_id=schedule_id,
        errors=problems,
    )
    return dialog_answer(card, tip_cards.schedule_dialog_title(schedule_id))


def read_schedule_form(data: Mapping[str, Any]) -> ScheduleForm:
    """The submitted dialog, tolerating missing or odd fields (checking is the core's)."""
    where, mode = tip_cards.read_target(_text(data.get(tip_cards.TARGET)))
    return ScheduleForm(
        channel_id=where,
        mode=mode,
        weekdays=tuple(d.strip() for d in _text(data.get(tip_cards.DAYS)).split(",") if d.strip()),
        at=_text(data.get(tip_cards.AT)),
        timezone=_text(data.get(tip_cards.TIMEZONE)),
        start=_text(data.get(tip_cards.START)),
    )


def _typed(data: Mapping[str, Any]) -> tip_cards.ScheduleValues:
    """What was submitted, to show again."""
    words = (d.strip() for d in _text(data.get(tip_cards.DAYS)).split(","))
    days = tuple(int(d) for d in words if len(d) == 1 and d in "0123456")
    return tip_cards.ScheduleValues(
        target=_text(data.get(tip_cards.TARGET)),
        days=tuple(sorted(set(days))),
        at=_text(data.get(tip_cards.AT)),
        timezone=_text(data.get(tip_cards.TIMEZONE)),
        start=_text(data.get(tip_cards.START)),
    )


def schedule_problems(invalid: errors.ScheduleInvalid) -> dict[str, str]:
    """Each field of the schedule form to fix → what to say, the channel's in Teams' words."""
    problems = {field: say(problem) for field, problem in invalid.problems.items()}
    if invalid.channel_problem is None:
        return problems
    said = _(CHANNEL_PROBLEMS[invalid.channel_problem]).format(limit=number(MAX_MEMBERS_TO_DM))
    return {**problems, "channel": said}


def _tips_refusal(error: errors.DelightError) -> str:
    match error:
        case errors.ScheduleNotFound():
            return _("That tip schedule isn't there any more (another admin may have deleted it).")
        case errors.TooManySchedules(limit=limit):
            return _("A workspace can have up to {limit} tip schedules: delete one first.").format(
                limit=limit
            )
    return explain(error, lambda i: i)


def _schedule_id(data: Mapping[str, Any]) -> int | None:
    return adaptive.data_id(data.get(tip_cards.SCHEDULE_ID))


def _text(value: object) -> str:
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""
