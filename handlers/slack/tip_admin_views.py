"""The admins' tip views: the schedules list, the schedule form, the preview, the workspace's
tips, and `/delight tips status`. Pure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.elements import Element
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_admin import ScheduleForm, ScheduleReport
from bot.core.tip_catalogue import TipEntry
from bot.core.tip_delivery import LedgerEntry, UpcomingTip
from bot.core.tips import MAX_BODY_CHARS, MAX_TITLE_CHARS, MIN_BODY_CHARS
from bot.core.words import N_
from bot.i18n import _, moment, ngettext, number, say, weekday_abbreviations, weekday_names
from bot.tip_words import ADD_HEADING, BODY_PLACEHOLDER, TITLE_PLACEHOLDER, rotation_line
from handlers.slack import ids
from handlers.slack.blocks import (
    Message,
    button,
    context_block,
    element_meaning,
    element_name,
    plain_text,
    section,
    tip_message,
)
from handlers.slack.ids_parsing import is_channel_id
from handlers.slack.mrkdwn import channel_mention, defuse, shorten, user_mention

Block = dict[str, Any]
REASON_SHOWN = 200  # characters of a delivery's reason in a list
STATUS_ICONS = {"sent": "✅", "skipped": "⏭️", "failed": "⚠️", "sending": "⏳"}
# A delivery's status as shown (translated then).
STATUS_WORDS = {
    "sent": N_("sent"),
    "skipped": N_("skipped"),
    "failed": N_("failed"),
    "sending": N_("sending"),
}

# The form's fields → the block each is shown in (where its error goes).
SCHEDULE_BLOCKS = {
    "channel": ids.SCHEDULE_CHANNEL,
    "mode": ids.SCHEDULE_MODE,
    "weekdays": ids.SCHEDULE_DAYS,
    "at": ids.SCHEDULE_TIME,
    "timezone": ids.SCHEDULE_TIMEZONE,
    "start": ids.SCHEDULE_START,
}


def _input(block_id: str, label: str, element: Block, *, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label),
        "element": {**element, "action_id": block_id},
    }
    if hint:
        block["hint"] = plain_text(hint)
    return block


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


def target_text(schedule: TipSchedule) -> str:
    channel = channel_mention(schedule.channel_id)
    if schedule.mode is DeliveryMode.MEMBERS:
        return _("DM to each member of {channel}").format(channel=channel)
    return channel


def when_text(schedule: TipSchedule) -> str:
    return _("{days} at {time} ({timezone})").format(
        days=days_text(schedule.weekdays), time=f"{schedule.at:%H:%M}", timezone=schedule.timezone
    )


def local_time(value: datetime, timezone: str) -> str:
    return moment(value.astimezone(ZoneInfo(timezone)))


def outcome_text(entry: LedgerEntry, schedule: TipSchedule, titles: dict[str, str]) -> str:
    """One ledger entry: when, how it ended and why, which tip."""
    icon = STATUS_ICONS.get(entry.status, "•")
    when = local_time(entry.occurrence, schedule.timezone)
    status = _(STATUS_WORDS[entry.status]) if entry.status in STATUS_WORDS else entry.status
    how = _("{status} (Send now)").format(status=status) if entry.manual else status
    text = f"{icon} {when} — {how}"
    if entry.tip_id and entry.status in ("sent", "sending"):
        title = titles.get(entry.tip_id)
        text += (
            f": “{defuse(title)}”"
            if title
            else ": " + _("tip {id} (since deleted)").format(id=entry.tip_id)
        )
    if entry.reason:
        text += f" · {defuse(shorten(say(entry.reason), REASON_SHOWN))}"
    return text


def _summary(report: ScheduleReport) -> str:
    schedule = report.schedule
    lines = [f"*{target_text(schedule)}* · {when_text(schedule)}"]
    if schedule.paused_reason is not None:
        lines.append(
            _("⏸️ *Paused*: {reason}").format(
                reason=defuse(shorten(say(schedule.paused_reason), REASON_SHOWN))
            )
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
    if schedule.owner_id:
        lines.append(_("Set up by {person}").format(person=user_mention(schedule.owner_id)))
    return "\n".join(lines)


# --- the schedules list -------------------------------------------------------------------------


def tips_modal(reports: list[ScheduleReport], *, notice: str | None = None) -> Block:
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    blocks += [
        section(
            _(
                "Each week's tips focus on one element of the definition, in order; within an "
                "element no tip repeats until all were sent. Most tips invite people to "
                "recognise a colleague who did it."
            )
        ),
        {
            "type": "actions",
            "elements": [
                button(_("New schedule"), ids.TIPS_NEW, "new", style="primary"),
                button(_("Manage tips"), ids.TIPS_CUSTOM, Element.VOLUNTARY.value),
            ],
        },
    ]
    if not reports:
        blocks.append(context_block(_("No schedules yet: tips go out once you add one.")))
    for report in reports:
        blocks += [{"type": "divider"}, section(_summary(report)), _schedule_actions(report)]
    return {
        "type": "modal",
        "callback_id": ids.TIPS_MODAL,
        "title": plain_text(_("Tip schedules")),
        "close": plain_text(_("Done")),
        "blocks": blocks,
    }


def _schedule_actions(report: ScheduleReport) -> Block:
    schedule = report.schedule
    value = str(schedule.id)
    paused = schedule.paused_reason is not None
    delete = button(_("Delete"), ids.TIPS_DELETE, value, style="danger")
    delete["confirm"] = {
        "title": plain_text(_("Delete this schedule?")),
        "text": plain_text(
            _(
                "Tips will stop going to each member's DMs, and the schedule's history goes "
                "too. Pausing keeps both."
            )
            if schedule.mode is DeliveryMode.MEMBERS
            else _(
                "Tips will stop going to the channel, and the schedule's history goes too. "
                "Pausing keeps both."
            )
        ),
        "confirm": plain_text(_("Delete")),
        "deny": plain_text(_("Keep it")),
        "style": "danger",
    }
    return {
        "type": "actions",
        "block_id": f"schedule_{schedule.id}",
        "elements": [
            button(_("Edit"), ids.TIPS_EDIT, value),
            button(_("Resume"), ids.TIPS_RESUME, value)
            if paused
            else button(_("Pause"), ids.TIPS_PAUSE, value),
            button(_("Preview"), ids.TIPS_PREVIEW, value),
            button(_("Send now"), ids.TIPS_SEND_NOW, f"{schedule.id}:{report.send_key}"),
            delete,
        ],
    }


# --- the schedule form -------------------------------------------------------------------------


def _day_option(day: int) -> Block:
    return {"text": plain_text(weekday_names()[day]), "value": str(day)}


def zone_option(zone: str) -> Block:
    return {"text": plain_text(zone.replace("_", " ")), "value": zone}


_MODES = {  # translated when shown
    DeliveryMode.CHANNEL: (N_("Post in the channel"), N_("One message everyone in it can see")),
    DeliveryMode.MEMBERS: (
        N_("DM each member of the channel"),
        N_("A private message to each person"),
    ),
}


def _mode_option(mode: DeliveryMode) -> Block:
    label, description = _MODES[mode]
    return {
        "text": plain_text(_(label)),
        "description": plain_text(_(description)),
        "value": mode.value,
    }


def schedule_form(schedule: TipSchedule | None, *, timezone: str, today: date) -> Block:
    """The form for a new schedule (None) or an existing one."""
    channel: Block = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        "placeholder": plain_text(_("Pick a channel")),
    }
    mode = schedule.mode if schedule else DeliveryMode.CHANNEL
    days = sorted(schedule.weekdays) if schedule else list(range(5))
    zone = schedule.timezone if schedule else timezone
    if schedule:
        channel["initial_conversation"] = schedule.channel_id
    blocks = [
        _input(ids.SCHEDULE_CHANNEL, _("Channel"), channel),
        _input(
            ids.SCHEDULE_MODE,
            _("How"),
            {
                "type": "radio_buttons",
                "options": [_mode_option(m) for m in DeliveryMode],
                "initial_option": _mode_option(mode),
            },
        ),
        _input(
            ids.SCHEDULE_DAYS,
            _("Days"),
            {
                "type": "checkboxes",
                "options": [_day_option(d) for d in range(7)],
                "initial_options": [_day_option(d) for d in days],
            },
        ),
        _input(
            ids.SCHEDULE_TIME,
            _("Time of day"),
            {
                "type": "timepicker",
                "initial_time": schedule.at.strftime("%H:%M") if schedule else "09:00",
            },
        ),
        _input(
            ids.SCHEDULE_TIMEZONE,
            _("Timezone"),
            {"type": "external_select", "min_query_length": 2, "initial_option": zone_option(zone)},
            hint=_("Type a city or region, like Amsterdam or New York."),
        ),
        _input(
            ids.SCHEDULE_START,
            _("Starting"),
            {
                "type": "datepicker",
                "initial_date": (schedule.start if schedule else today).isoformat(),
            },
            hint=_(
                "The first week's element is {element}; then one element a week, in order."
            ).format(element=element_name(Element.VOLUNTARY)),
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.TIP_SCHEDULE_MODAL,
        "title": plain_text(_("Edit schedule") if schedule else _("New tip schedule")),
        "submit": plain_text(_("Save")),
        "close": plain_text(_("Back")),
        "private_metadata": str(schedule.id) if schedule else "",
        "blocks": blocks,
    }


def _field(values: dict[str, Any], block: str) -> dict[str, Any]:
    found = (values.get(block) or {}).get(block)
    return found if isinstance(found, dict) else {}


def read_schedule_form(view: dict[str, Any]) -> ScheduleForm:
    """The submitted form, tolerating missing or odd fields (checking is the domain's)."""
    values = (view.get("state") or {}).get("values") or {}
    days = _field(values, ids.SCHEDULE_DAYS).get("selected_options") or []
    channel = _field(values, ids.SCHEDULE_CHANNEL).get("selected_conversation")
    mode = _field(values, ids.SCHEDULE_MODE).get("selected_option") or {}
    zone = _field(values, ids.SCHEDULE_TIMEZONE).get("selected_option") or {}
    return ScheduleForm(
        channel_id=channel if is_channel_id(channel) else None,
        mode=str(mode.get("value") or ""),
        weekdays=tuple(str(o.get("value")) for o in days if isinstance(o, dict)),
        at=str(_field(values, ids.SCHEDULE_TIME).get("selected_time") or ""),
        timezone=str(zone.get("value") or ""),
        start=str(_field(values, ids.SCHEDULE_START).get("selected_date") or ""),
    )


# --- the preview -------------------------------------------------------------------------------


def preview_modal(upcoming: UpcomingTip) -> Block:
    schedule = upcoming.schedule
    if upcoming.occurrence is not None:
        head = _("What {target} gets next, on {when}. Nothing was sent.").format(
            target=target_text(schedule), when=local_time(upcoming.occurrence, schedule.timezone)
        )
    else:
        head = _(
            "What {target} gets next, when it runs again (it's paused). Nothing was sent."
        ).format(target=target_text(schedule))
    if upcoming.tip is None:
        body = [
            section(
                _(
                    "That's a {element} week, and every {element} tip is turned off, so nothing "
                    "will be sent. Turn some on under *Manage tips*."
                ).format(element=element_name(upcoming.element))
            )
        ]
    else:
        body = tip_message(upcoming.tip, upcoming.element).blocks
    return {
        "type": "modal",
        "callback_id": ids.TIP_PREVIEW_MODAL,
        "title": plain_text(_("Tip preview")),
        "close": plain_text(_("Back")),
        "blocks": [context_block(head), {"type": "divider"}, *body],
    }


# --- the workspace's tips ----------------------------------------------------------------------


def _element_option(element: Element) -> Block:
    return {"text": plain_text(element_name(element)), "value": element.value}


def custom_tips_modal(
    element: Element, entries: list[TipEntry], *, version: int, notice: str | None = None
) -> Block:
    """An element's tips, each to turn off or on (and the workspace's own to delete), and a
    form to add one. `version` names the form's blocks: a new version is an empty form."""
    enabled = sum(entry.enabled for entry in entries)
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    blocks += [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": ids.TIPS_ELEMENT,
                    "options": [_element_option(e) for e in Element],
                    "initial_option": _element_option(element),
                }
            ],
        },
        context_block(element_meaning(element) + " · " + rotation_line(enabled, len(entries))),
    ]
    blocks += [_tip_block(entry) for entry in entries]
    blocks += [
        {"type": "divider"},
        section(_(ADD_HEADING).format(element=element_name(element))),
        {
            "type": "input",
            "block_id": f"{ids.TIP_TITLE}_{version}",
            "label": plain_text(_("Title")),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.TIP_TITLE,
                "max_length": MAX_TITLE_CHARS,
                "placeholder": plain_text(_(TITLE_PLACEHOLDER)),
            },
        },
        {
            "type": "input",
            "block_id": f"{ids.TIP_BODY}_{version}",
            "label": plain_text(_("The tip")),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.TIP_BODY,
                "multiline": True,
                "min_length": MIN_BODY_CHARS,
                "max_length": MAX_BODY_CHARS,
                "placeholder": plain_text(_(BODY_PLACEHOLDER)),
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": ids.CUSTOM_TIPS_MODAL,
        "title": plain_text(_("The tips")),
        "submit": plain_text(_("Add tip")),
        "close": plain_text(_("Back")),
        "private_metadata": f"{element.value}:{version}",
        "blocks": blocks,
    }


def _tip_block(entry: TipEntry) -> Block:
    tip = entry.tip
    state = "" if entry.enabled else " " + _("_(off)_")
    origin = (
        " · " + _("added by {person}").format(person=user_mention(entry.author_id))
        if entry.author_id
        else ""
    )
    text = f"*{defuse(tip.title)}*{state}\n{defuse(shorten(tip.body, 160))}{origin}"
    block = section(text)
    if entry.custom:
        block["accessory"] = {
            "type": "overflow",
            "action_id": ids.TIP_MENU,
            "options": [
                {
                    "text": plain_text(_("Turn off") if entry.enabled else _("Turn on")),
                    "value": f"{'off' if entry.enabled else 'on'}:{tip.id}",
                },
                {"text": plain_text(_("Delete")), "value": f"delete:{tip.id}"},
            ],
        }
    else:
        block["accessory"] = (
            button(_("Turn off"), ids.TIP_DISABLE, tip.id)
            if entry.enabled
            else button(_("Turn on"), ids.TIP_ENABLE, tip.id)
        )
    return block


def read_tip_form(view: dict[str, Any], version: str) -> tuple[str, str]:
    values = (view.get("state") or {}).get("values") or {}

    def text(block: str, action: str) -> str:
        found = (values.get(f"{block}_{version}") or {}).get(action) or {}
        return str(found.get("value") or "") if isinstance(found, dict) else ""

    return text(ids.TIP_TITLE, ids.TIP_TITLE), text(ids.TIP_BODY, ids.TIP_BODY)


# --- /delight tips status ---------------------------------------------------------------------


def status_message(reports: list[ScheduleReport]) -> Message:
    if not reports:
        return Message(
            text=_("No tip schedules yet."),
            blocks=[section(_("No tip schedules yet. Add one with `/delight tips`."))],
        )
    blocks: list[Block] = [
        section(_("*Tip schedules* ({count})").format(count=number(len(reports))))
    ]
    for report in reports:
        schedule = report.schedule
        lines = [f"*{target_text(schedule)}* · {when_text(schedule)}"]
        if schedule.paused_reason is not None:
            lines.append(
                _(
                    "⏸️ *Paused* because {reason}. Fix that, then resume it in `/delight tips`."
                ).format(reason=defuse(shorten(say(schedule.paused_reason), REASON_SHOWN)))
            )
        elif report.next_at is not None:
            lines.append(
                _("Next: {when}").format(when=local_time(report.next_at, schedule.timezone))
            )
        lines += [outcome_text(entry, schedule, report.titles) for entry in report.recent]
        if not report.recent:
            lines.append(_("Nothing sent yet."))
        blocks.append(section(shorten("\n".join(lines), 3000)))
    text = ngettext("{count} tip schedule", "{count} tip schedules", len(reports)).format(
        count=number(len(reports))
    )
    return Message(text=text, blocks=blocks)
