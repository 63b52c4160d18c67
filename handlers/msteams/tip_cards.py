"""The Adaptive Cards of tips on Teams: the tip itself, what its schedule's admin is told, and
the admins' schedules card (with "Manage tips", the library's dialog), schedule dialog and
`tips status`. Pure; every word translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.elements import DEFINITION, DEFINITION_AUTHOR, Element, definition_word
from bot.core.installations import REMOVED_FROM_PLACE, TEAM_ARCHIVED
from bot.core.model import FailureReason
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_admin import ScheduleReport
from bot.core.tip_delivery import LedgerEntry, UpcomingTip
from bot.core.tips import Tip
from bot.core.words import N_
from bot.i18n import (
    _,
    current_language,
    moment,
    ngettext,
    number,
    say,
    weekday_abbreviations,
    weekday_names,
)
from handlers.msteams import adaptive
from handlers.msteams.adaptive import Card, CardMessage, Part
from handlers.msteams.cards import element_name, slack_bold
from handlers.msteams.dialog import plain_error
from handlers.msteams.text import inert, plain, shorten
from handlers.msteams.tip_library_card import LIBRARY_DIALOG

# Action.Execute verbs of the schedules card, each with data {"schedule_id": int}; send now
# also carries "send_key", so a repeated click sends once.
PAUSE = "tips_pause"
RESUME = "tips_resume"
PREVIEW = "tips_preview"
SEND_NOW = "tips_send_now"
DELETE = "tips_delete"
LIST = "tips_list"  # the card again, as it stands now
VERBS = frozenset({PAUSE, RESUME, PREVIEW, SEND_NOW, DELETE, LIST})
SCHEDULE_ID = "schedule_id"
SEND_KEY = "send_key"
# The dialog that creates or edits a schedule (Action.Submit → task/fetch), and its inputs.
SCHEDULE_DIALOG = "tip_schedule"
TARGET = "target"  # "channel|<conversation id>" or "members|<team id>"
DAYS = "days"  # comma-separated weekdays, 0 = Monday
AT = "at"  # HH:MM
TIMEZONE = "timezone"
START = "start"  # YYYY-MM-DD
INPUTS = (TARGET, DAYS, AT, TIMEZONE, START)
# The core's form fields → the input each is shown on.
FIELD_INPUT = {
    "channel": TARGET,
    "mode": TARGET,
    "weekdays": DAYS,
    "at": AT,
    "timezone": TIMEZONE,
    "start": START,
}
REASON_SHOWN = 200
NAMES_SHOWN = 10
STATUS_ICONS = {"sent": "✅", "skipped": "⏭️", "failed": "⚠️", "sending": "⏳"}
STATUS_WORDS = {
    "sent": N_("sent"),
    "skipped": N_("skipped"),
    "failed": N_("failed"),
    "sending": N_("sending"),
}


@dataclass(frozen=True, slots=True)
class Target:
    """Somewhere a schedule may deliver, as the dialog offers it."""

    value: str  # the choice's value: "channel|<id>" or "members|<team id>"
    title: str  # plain words


def target_value(mode: DeliveryMode, conversation_id: str) -> str:
    return f"{mode.value}|{conversation_id}"


def read_target(value: object) -> tuple[str | None, str]:
    """A submitted target → (the conversation or team id, the mode); odd input reads as none."""
    if not isinstance(value, str):
        return None, ""
    mode, _sep, where = value.partition("|")
    return (where or None), mode


# --- the tip ----------------------------------------------------------------------------------


def definition_highlighting(element: Element) -> str:
    """The definition, in the current language, with the element's word in bold."""
    text = _(DEFINITION)
    word = definition_word(element, current_language())
    start = text.rfind(f" {word}") + 1  # the last: "service client … un client"
    if start == 0:
        return text
    return f"{text[:start]}**{word}**{text[start + len(word) :]}"


def tip_card(tip: Tip, element: Element) -> CardMessage:
    """The tip of the week: its element, the definition with the element's word in bold, the
    tip (an admin's own is user text: inert), and the button that opens the nomination dialog
    with the element ticked. A reflection tip is nothing anyone could be seen doing: no button."""
    headline = _("💡 Element of the week: {element}").format(element=element_name(element))
    body = [
        adaptive.heading(headline),
        adaptive.small(f"{definition_highlighting(element)} — {DEFINITION_AUTHOR}"),
        adaptive.text(f"**{inert(tip.title)}**", spacing="Medium"),
        adaptive.text(inert(tip.body)),
    ]
    actions = []
    if tip.recognisable:
        button = adaptive.recognise_button(_("Recognise someone who did this"), element.value)
        actions.append({**button, "style": "positive"})
    return adaptive.message(body, actions, summary=f"{headline}: {plain(tip.title)}")


# --- what the schedule's admin is told -----------------------------------------------------------

_PAUSE_ADVICE = {  # translated when shown
    FailureReason.NOT_IN_CHANNEL: N_(
        "Delight isn't in that team any more. Ask a team owner to add it again"
    ),
    FailureReason.CHANNEL_NOT_FOUND: N_("I can't find {channel} (it may have been deleted)"),
    FailureReason.ARCHIVED: N_("{channel} is archived"),
    FailureReason.TOO_MANY_MEMBERS: N_(
        "{channel} has grown too big to message each member (post in the channel instead)"
    ),
}


def schedule_paused(place: str, reason: FailureReason) -> CardMessage:
    """`place`: the channel's or team's name, plain."""
    channel = f"**{inert(place)}**"
    advice = _PAUSE_ADVICE.get(reason, N_("I couldn't post in {channel}"))
    said = slack_bold(
        _(
            "I've paused your Delight tip schedule for {channel}: {problem}. Once that's fixed, "
            "resume the schedule (or point it at another channel)."
        )
    ).format(channel=channel, problem=_(advice).format(channel=channel))
    button = adaptive.execute(_("Tip schedules"), LIST, {})
    return adaptive.message([adaptive.text(said)], [button], summary=plain(said.replace("**", "")))


def schedule_place_paused(place: str, *, reason: str) -> CardMessage:
    """The schedule's place paused it (`reason`: Delight removed from its team, the team
    archived, or else its channel deleted). `place`: the channel's or team's name, plain."""
    if reason == REMOVED_FROM_PLACE:
        said = _(
            "I've paused your Delight tip schedule for {place}: Delight was removed from its "
            "team. It resumes by itself once Delight is installed in that team again; or edit "
            "it to post somewhere else."
        )
    elif reason == TEAM_ARCHIVED:
        said = _(
            "I've paused your Delight tip schedule for {place}: its team was archived, so "
            "nothing can be posted there. It resumes by itself once the team is unarchived; or "
            "edit it to post somewhere else."
        )
    else:
        said = _(
            "I've paused your Delight tip schedule for {place}: its channel was deleted. It "
            "resumes by itself if the channel is restored; or edit it to post somewhere else."
        )
    said = said.format(place=f"**{inert(place)}**")
    button = adaptive.execute(_("Tip schedules"), LIST, {})
    return adaptive.message([adaptive.text(said)], [button], summary=plain(said.replace("**", "")))


def members_refused(place: str, people: Sequence[str], *, more: int) -> CardMessage:
    """The schedule's admin, once per round: Teams refused the 1:1s of these people."""
    shown = ", ".join(f"**{inert(name)}**" for name in people)
    if more:
        shown = _("{people} and {count} more").format(people=shown, count=number(more))
    said = _(
        "Teams didn't let me send the tip from {place} to {people}: Delight isn't installed "
        "for them, or they blocked it. I won't try them again for this tip. To reach everyone, "
        "install Delight for everyone in the Teams admin center."
    ).format(place=f"**{inert(place)}**", people=shown)
    return adaptive.message([adaptive.text(said)], summary=plain(said.replace("**", "")))


# --- describing a schedule --------------------------------------------------------------------


def days_text(weekdays: frozenset[int]) -> str:
    """ "Every day", "Mon–Fri", or "Mon, Wed, Fri"."""
    days = sorted(weekdays)
    if len(days) == 7:
        return _("Every day")
    names = weekday_abbreviations()
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{names[days[0]]}–{names[days[-1]]}"
    return ", ".join(names[day] for day in days)


def target_text(schedule: TipSchedule, places: Mapping[str, str]) -> str:
    """Where it goes, in markdown."""
    place = f"**{inert(places.get(schedule.channel_id) or _('a channel'))}**"
    if schedule.mode is DeliveryMode.MEMBERS:
        return _("1:1 to each member of {team}").format(team=place)
    return place


def when_text(schedule: TipSchedule) -> str:
    return _("{days} at {time} ({timezone})").format(
        days=days_text(schedule.weekdays), time=f"{schedule.at:%H:%M}", timezone=schedule.timezone
    )


def local_time(value: datetime, timezone: str) -> str:
    return moment(value.astimezone(ZoneInfo(timezone)))


def reason_text(reason: str) -> str:
    """A stored reason (a paused schedule's, a delivery's) in the reader's language."""
    return inert(shorten(say(reason), REASON_SHOWN))


def outcome_text(entry: LedgerEntry, schedule: TipSchedule, titles: Mapping[str, str]) -> str:
    icon = STATUS_ICONS.get(entry.status, "•")
    when = local_time(entry.occurrence, schedule.timezone)
    status = _(STATUS_WORDS[entry.status]) if entry.status in STATUS_WORDS else entry.status
    how = _("{status} (Send now)").format(status=status) if entry.manual else status
    text = f"{icon} {when} — {how}"
    if entry.tip_id and entry.status in ("sent", "sending"):
        title = titles.get(entry.tip_id)
        text += (
            f": “{inert(title)}”"
            if title
            else ": " + _("tip {id} (since deleted)").format(id=inert(entry.tip_id))
        )
    if entry.reason:
        text += f" · {reason_text(entry.reason)}"
    return text


def _summary_lines(report: ScheduleReport, places: Mapping[str, str]) -> list[str]:
    schedule = report.schedule
    lines = [f"{target_text(schedule, places)} · {when_text(schedule)}"]
    if schedule.paused_reason is not None:
        lines.append(
            slack_bold(_("⏸️ *Paused*: {reason}")).format(reason=reason_text(schedule.paused_reason))
        )
    elif report.next_at is not None:
        lines.append(
            _("Next: {when} · {element} week").format(
                when=local_time(report.next_at, schedule.timezone),
                element=element_name(report.element),
            )
        )
    if report.recent:
        lines.append(
            _("Last: {outcome}").format(
                outcome=outcome_text(report.recent[0], schedule, report.titles)
            )
        )
    else:
        lines.append(_("Nothing sent yet."))
    return lines


# --- the schedules card -----------------------------------------------------------------------


def _open_schedule_dialog(title: str, schedule_id: int | None = None) -> Part:
    if schedule_id is None:
        return adaptive.open_dialog(title, SCHEDULE_DIALOG)
    return adaptive.open_dialog(title, SCHEDULE_DIALOG, **{SCHEDULE_ID: schedule_id})


def _schedule_actions(report: ScheduleReport) -> Part:
    schedule = report.schedule
    ids = {SCHEDULE_ID: schedule.id}
    paused = schedule.paused_reason is not None
    warning = (
        _(
            "Tips will stop going to each member's DMs, and the schedule's history goes "
            "too. Pausing keeps both."
        )
        if schedule.mode is DeliveryMode.MEMBERS
        else _(
            "Tips will stop going to the channel, and the schedule's history goes too. "
            "Pausing keeps both."
        )
    )
    confirm = {
        "type": "Action.ShowCard",
        "title": _("Delete"),
        "card": {
            "type": "AdaptiveCard",
            "body": [
                adaptive.text(_("Delete this schedule?"), weight="Bolder"),
                adaptive.text(warning),
            ],
            "actions": [adaptive.execute(_("Delete"), DELETE, ids, style="destructive")],
        },
    }
    return adaptive.action_set(
        _open_schedule_dialog(_("Edit"), schedule.id),
        adaptive.execute(_("Resume"), RESUME, ids)
        if paused
        else adaptive.execute(_("Pause"), PAUSE, ids),
        adaptive.execute(_("Preview"), PREVIEW, ids),
        adaptive.execute(_("Send now"), SEND_NOW, {**ids, SEND_KEY: report.send_key}),
        confirm,
    )


def schedules_card(
    reports: Sequence[ScheduleReport],
    *,
    places: Mapping[str, str],
    notice: str | None = None,
) -> CardMessage:
    """The admins' tip schedules: each with what it did last and its buttons, and a new one."""
    body: list[Part] = [adaptive.heading(_("Tip schedules"))]
    if notice:
        body.append(adaptive.text(notice, weight="Bolder"))
    body.append(
        adaptive.text(
            _(
                "Each week's tips focus on one element of the definition, in order; within an "
                "element no tip repeats until all were sent. Most tips invite people to "
                "recognise a colleague who did it."
            ),
            isSubtle=True,
        )
    )
    if not reports:
        body.append(adaptive.small(_("No schedules yet: tips go out once you add one.")))
    for report in reports:
        lines = _summary_lines(report, places)
        body.append(
            {
                "type": "Container",
                "separator": True,
                "spacing": "Medium",
                "items": [adaptive.text(lines[0])]
                + [adaptive.small(line) for line in lines[1:]]
                + [_schedule_actions(report)],
            }
        )
    actions = [
        {**_open_schedule_dialog(_("New schedule")), "style": "positive"},
        adaptive.open_dialog(_("Manage tips"), LIBRARY_DIALOG),
    ]
    return adaptive.message(body, actions, summary=_("Tip schedules"))


# --- the schedule dialog ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleValues:
    """What the dialog shows in its inputs: a schedule's, or what was submitted."""

    target: str = ""
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    at: str = "09:00"
    timezone: str = "UTC"
    start: str = ""

    @classmethod
    def of(cls, schedule: TipSchedule) -> ScheduleValues:
        return cls(
            target=target_value(schedule.mode, schedule.channel_id),
            days=tuple(sorted(schedule.weekdays)),
            at=f"{schedule.at:%H:%M}",
            timezone=schedule.timezone,
            start=schedule.start.isoformat(),
        )


def _problem(message: str) -> Part:
    return adaptive.text(message, color="Attention", size="Small", spacing="Small")


def schedule_dialog(
    targets: Sequence[Target],
    values: ScheduleValues,
    *,
    schedule_id: int | None = None,
    errors: Mapping[str, str] | None = None,
    today: date | None = None,
) -> Card:
    """The form for a new schedule (schedule_id None) or an existing one. `errors`: input id →
    what to fix there; any other key is shown at the top."""
    errors = errors or {}
    body: list[Part] = [_problem(m) for key, m in errors.items() if key not in INPUTS]
    if not targets:
        body.append(
            adaptive.text(
                _(
                    "I don't know any of your teams' channels yet. Add Delight to a team (or "
                    "mention @Delight in one of its channels), then try again."
                )
            )
        )
    target: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": TARGET,
        "label": _("Where"),
        "placeholder": _("Pick a channel"),
        "isRequired": True,
        "errorMessage": plain_error(errors.get(TARGET)) or _("Pick a channel from the list."),
        "choices": [{"title": t.title, "value": t.value} for t in targets],
    }
    if values.target and any(t.value == values.target for t in targets):
        target["value"] = values.target
    days: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": DAYS,
        "label": _("Days"),
        "isMultiSelect": True,
        "style": "expanded",
        "isRequired": True,
        "errorMessage": plain_error(errors.get(DAYS)) or _("Pick at least one day of the week."),
        "choices": [{"title": weekday_names()[d], "value": str(d)} for d in range(7)],
        "value": ",".join(str(d) for d in values.days),
    }
    at: dict[str, Any] = {
        "type": "Input.Time",
        "id": AT,
        "label": _("Time of day"),
        "isRequired": True,
        "errorMessage": plain_error(errors.get(AT))
        or _("Use a time of day like 09:00 (24-hour clock)."),
        "value": values.at,
    }
    zone: dict[str, Any] = {
        "type": "Input.Text",
        "id": TIMEZONE,
        "label": _("Timezone"),
        "placeholder": "Europe/Amsterdam",
        "isRequired": True,
        "maxLength": 64,
        "errorMessage": plain_error(errors.get(TIMEZONE))
        or _("Type a timezone like Europe/Amsterdam or America/New_York."),
        "value": values.timezone,
    }
    start: dict[str, Any] = {
        "type": "Input.Date",
        "id": START,
        "label": _("Starting"),
        "isRequired": True,
        "errorMessage": plain_error(errors.get(START)) or _("Pick a start date."),
    }
    if values.start or today:
        start["value"] = values.start or (today.isoformat() if today else "")
    for field, part in ((TARGET, target), (DAYS, days), (AT, at), (TIMEZONE, zone), (START, start)):
        body.append(part)
        if field in errors:
            body.append(_problem(errors[field]))
    body.append(
        adaptive.small(
            _("The first week's element is {element}; then one element a week, in order.").format(
                element=element_name(Element.VOLUNTARY)
            )
        )
    )
    data: dict[str, Any] = {adaptive.DIALOG: SCHEDULE_DIALOG}
    if schedule_id is not None:
        data[SCHEDULE_ID] = schedule_id
    submit = {"type": "Action.Submit", "title": _("Save"), "data": data}
    return adaptive.card(body, [submit], summary=schedule_dialog_title(schedule_id))


def schedule_dialog_title(schedule_id: int | None) -> str:
    return _("Edit schedule") if schedule_id is not None else _("New tip schedule")


# --- the preview and `tips status` ------------------------------------------------------------


def preview_note(upcoming: UpcomingTip, places: Mapping[str, str]) -> str:
    schedule = upcoming.schedule
    if upcoming.occurrence is not None:
        return _("What {target} gets next, on {when}. Nothing was sent.").format(
            target=target_text(schedule, places),
            when=local_time(upcoming.occurrence, schedule.timezone),
        )
    return _("What {target} gets next, when it runs again (it's paused). Nothing was sent.").format(
        target=target_text(schedule, places)
    )


def preview_card(upcoming: UpcomingTip, places: Mapping[str, str]) -> CardMessage:
    """The next tip as the schedule would send it, under a line saying it's a preview."""
    note = adaptive.small(preview_note(upcoming, places))
    if upcoming.tip is None:
        said = slack_bold(
            _(
                "That's a {element} week, and every {element} tip is turned off, so nothing "
                "will be sent. Turn some on under *Manage tips*."
            )
        ).format(element=element_name(upcoming.element))
        return adaptive.message([note, adaptive.text(said)], summary=plain(said))
    tip = tip_card(upcoming.tip, upcoming.element)
    card = {**tip.card, "body": [note, *tip.card["body"]]}
    return CardMessage(card=card, summary=tip.summary)


def status_card(reports: Sequence[ScheduleReport], places: Mapping[str, str]) -> CardMessage:
    if not reports:
        said = _("No tip schedules yet. Type **tips** to add one.")
        return adaptive.message([adaptive.text(said)], summary=_("No tip schedules yet."))
    body: list[Part] = [
        adaptive.heading(
            slack_bold(_("*Tip schedules* ({count})")).format(count=number(len(reports)))
        )
    ]
    for report in reports:
        schedule = report.schedule
        lines = [f"{target_text(schedule, places)} · {when_text(schedule)}"]
        if schedule.paused_reason is not None:
            lines.append(
                _("⏸️ **Paused** because {reason}. Fix that, then resume it under **tips**.").format(
                    reason=reason_text(schedule.paused_reason)
                )
            )
        elif report.next_at is not None:
            lines.append(
                _("Next: {when}").format(when=local_time(report.next_at, schedule.timezone))
            )
        lines += [outcome_text(entry, schedule, report.titles) for entry in report.recent]
        if not report.recent:
            lines.append(_("Nothing sent yet."))
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [adaptive.text(lines[0])] + [adaptive.small(x) for x in lines[1:]],
            }
        )
    summary = ngettext("{count} tip schedule", "{count} tip schedules", len(reports)).format(
        count=number(len(reports))
    )
    return adaptive.message(body, summary=summary)
