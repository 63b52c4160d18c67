"""The admins' tip views: the schedules list, the schedule form, the preview, the workspace's
tips, and `/delight tips status`. Pure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.elements import ELEMENT_INFO, Element
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_admin import ScheduleForm, ScheduleReport
from bot.core.tip_catalogue import TipEntry
from bot.core.tip_delivery import LedgerEntry, UpcomingTip
from bot.core.tips import MAX_BODY_CHARS, MAX_TITLE_CHARS, MIN_BODY_CHARS
from handlers.slack import ids
from handlers.slack.blocks import Message, button, context_block, plain_text, section, tip_message
from handlers.slack.ids_parsing import is_channel_id
from handlers.slack.mrkdwn import channel_mention, defuse, shorten, user_mention

Block = dict[str, Any]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
REASON_SHOWN = 200  # characters of a delivery's reason in a list
STATUS_ICONS = {"sent": "✅", "skipped": "⏭️", "failed": "⚠️", "sending": "⏳"}

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
        return "Every day"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]}–{WEEKDAYS[days[-1]]}"
    return ", ".join(WEEKDAYS[day] for day in days)


def target_text(schedule: TipSchedule) -> str:
    channel = channel_mention(schedule.channel_id)
    return f"DM to each member of {channel}" if schedule.mode is DeliveryMode.MEMBERS else channel


def when_text(schedule: TipSchedule) -> str:
    return f"{days_text(schedule.weekdays)} at {schedule.at:%H:%M} ({schedule.timezone})"


def local_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")


def outcome_text(entry: LedgerEntry, schedule: TipSchedule, titles: dict[str, str]) -> str:
    """One ledger entry: when, how it ended and why, which tip."""
    icon = STATUS_ICONS.get(entry.status, "•")
    when = local_time(entry.occurrence, schedule.timezone)
    how = f"{entry.status} (Send now)" if entry.manual else entry.status
    text = f"{icon} {when} — {how}"
    if entry.tip_id and entry.status in ("sent", "sending"):
        title = titles.get(entry.tip_id)
        text += f": “{defuse(title)}”" if title else f": tip {entry.tip_id} (since deleted)"
    if entry.reason:
        text += f" · {defuse(shorten(entry.reason, REASON_SHOWN))}"
    return text


def _summary(report: ScheduleReport) -> str:
    schedule = report.schedule
    lines = [f"*{target_text(schedule)}* · {when_text(schedule)}"]
    if schedule.paused_reason is not None:
        lines.append(f"⏸️ *Paused*: {defuse(shorten(schedule.paused_reason, REASON_SHOWN))}")
    elif report.next_at is not None:
        element = ELEMENT_INFO[report.element].name
        lines.append(f"Next: {local_time(report.next_at, schedule.timezone)} · {element} week")
    if report.recent:
        lines.append("Last: " + outcome_text(report.recent[0], schedule, report.titles))
    else:
        lines.append("Nothing sent yet.")
    if schedule.owner_id:
        lines.append(f"Set up by {user_mention(schedule.owner_id)}")
    return "\n".join(lines)


# --- the schedules list -------------------------------------------------------------------------


def tips_modal(reports: list[ScheduleReport], *, notice: str | None = None) -> Block:
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    blocks += [
        section(
            "Each week's tips focus on one element of the definition, in order; within an "
            "element no tip repeats until all were sent. Every tip invites people to "
            "recognise a colleague who did it."
        ),
        {
            "type": "actions",
            "elements": [
                button("New schedule", ids.TIPS_NEW, "new", style="primary"),
                button("Manage tips", ids.TIPS_CUSTOM, Element.VOLUNTARY.value),
            ],
        },
    ]
    if not reports:
        blocks.append(context_block("No schedules yet: tips go out once you add one."))
    for report in reports:
        blocks += [{"type": "divider"}, section(_summary(report)), _schedule_actions(report)]
    return {
        "type": "modal",
        "callback_id": ids.TIPS_MODAL,
        "title": plain_text("Tip schedules"),
        "close": plain_text("Done"),
        "blocks": blocks,
    }


def _schedule_actions(report: ScheduleReport) -> Block:
    schedule = report.schedule
    value = str(schedule.id)
    paused = schedule.paused_reason is not None
    delete = button("Delete", ids.TIPS_DELETE, value, style="danger")
    delete["confirm"] = {
        "title": plain_text("Delete this schedule?"),
        "text": plain_text(
            f"Tips will stop going to {_plain_target(schedule)}, and its history goes too. "
            "Pausing keeps both."
        ),
        "confirm": plain_text("Delete"),
        "deny": plain_text("Keep it"),
        "style": "danger",
    }
    return {
        "type": "actions",
        "block_id": f"schedule_{schedule.id}",
        "elements": [
            button("Edit", ids.TIPS_EDIT, value),
            button("Resume", ids.TIPS_RESUME, value)
            if paused
            else button("Pause", ids.TIPS_PAUSE, value),
            button("Preview", ids.TIPS_PREVIEW, value),
            button("Send now", ids.TIPS_SEND_NOW, f"{schedule.id}:{report.send_key}"),
            delete,
        ],
    }


def _plain_target(schedule: TipSchedule) -> str:
    # Confirm dialogs are plain text: a channel mention would show as its raw id.
    return "each member's DMs" if schedule.mode is DeliveryMode.MEMBERS else "the channel"


# --- the schedule form -------------------------------------------------------------------------


def _day_option(day: int) -> Block:
    return {"text": plain_text(WEEKDAYS[day]), "value": str(day)}


def zone_option(zone: str) -> Block:
    return {"text": plain_text(zone.replace("_", " ")), "value": zone}


_MODES = {
    DeliveryMode.CHANNEL: ("Post in the channel", "One message everyone in it can see"),
    DeliveryMode.MEMBERS: ("DM each member of the channel", "A private message to each person"),
}


def _mode_option(mode: DeliveryMode) -> Block:
    label, description = _MODES[mode]
    return {"text": plain_text(label), "description": plain_text(description), "value": mode.value}


def schedule_form(schedule: TipSchedule | None, *, timezone: str, today: date) -> Block:
    """The form for a new schedule (None) or an existing one."""
    channel: Block = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        "placeholder": plain_text("Pick a channel"),
    }
    mode = schedule.mode if schedule else DeliveryMode.CHANNEL
    days = sorted(schedule.weekdays) if schedule else list(range(5))
    zone = schedule.timezone if schedule else timezone
    if schedule:
        channel["initial_conversation"] = schedule.channel_id
    blocks = [
        _input(ids.SCHEDULE_CHANNEL, "Channel", channel),
        _input(
            ids.SCHEDULE_MODE,
            "How",
            {
                "type": "radio_buttons",
                "options": [_mode_option(m) for m in DeliveryMode],
                "initial_option": _mode_option(mode),
            },
        ),
        _input(
            ids.SCHEDULE_DAYS,
            "Days",
            {
                "type": "checkboxes",
                "options": [_day_option(d) for d in range(7)],
                "initial_options": [_day_option(d) for d in days],
            },
        ),
        _input(
            ids.SCHEDULE_TIME,
            "Time of day",
            {
                "type": "timepicker",
                "initial_time": schedule.at.strftime("%H:%M") if schedule else "09:00",
            },
        ),
        _input(
            ids.SCHEDULE_TIMEZONE,
            "Timezone",
            {"type": "external_select", "min_query_length": 2, "initial_option": zone_option(zone)},
            hint="Type a city or region, like Amsterdam or New York.",
        ),
        _input(
            ids.SCHEDULE_START,
            "Starting",
            {
                "type": "datepicker",
                "initial_date": (schedule.start if schedule else today).isoformat(),
            },
            hint="The first week's element is Voluntary; then one element a week, in order.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.TIP_SCHEDULE_MODAL,
        "title": plain_text("Edit schedule" if schedule else "New tip schedule"),
        "submit": plain_text("Save"),
        "close": plain_text("Back"),
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
        when = f"on {local_time(upcoming.occurrence, schedule.timezone)}"
    else:
        when = "when it runs again (it's paused)"
    head = f"What {target_text(schedule)} gets next, {when}. Nothing was sent."
    if upcoming.tip is None:
        name = ELEMENT_INFO[upcoming.element].name
        body = [
            section(
                f"That's a {name} week, and every {name} tip is turned off, so nothing will be "
                "sent. Turn some on under *Manage tips*."
            )
        ]
    else:
        body = tip_message(upcoming.tip, upcoming.element).blocks
    return {
        "type": "modal",
        "callback_id": ids.TIP_PREVIEW_MODAL,
        "title": plain_text("Tip preview"),
        "close": plain_text("Back"),
        "blocks": [context_block(head), {"type": "divider"}, *body],
    }


# --- the workspace's tips ----------------------------------------------------------------------


def _element_option(element: Element) -> Block:
    return {"text": plain_text(ELEMENT_INFO[element].name), "value": element.value}


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
        context_block(
            f"{ELEMENT_INFO[element].meaning} · {enabled} of {len(entries)} tips in the "
            "rotation. Turned-off tips are skipped; at least one must stay on."
        ),
    ]
    blocks += [_tip_block(entry) for entry in entries]
    blocks += [
        {"type": "divider"},
        section(f"*Add your own {ELEMENT_INFO[element].name} tip*"),
        {
            "type": "input",
            "block_id": f"{ids.TIP_TITLE}_{version}",
            "label": plain_text("Title"),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.TIP_TITLE,
                "max_length": MAX_TITLE_CHARS,
                "placeholder": plain_text("One concrete thing to try"),
            },
        },
        {
            "type": "input",
            "block_id": f"{ids.TIP_BODY}_{version}",
            "label": plain_text("The tip"),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.TIP_BODY,
                "multiline": True,
                "min_length": MIN_BODY_CHARS,
                "max_length": MAX_BODY_CHARS,
                "placeholder": plain_text("What to do this week, and why it matters to customers"),
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": ids.CUSTOM_TIPS_MODAL,
        "title": plain_text("The tips"),
        "submit": plain_text("Add tip"),
        "close": plain_text("Back"),
        "private_metadata": f"{element.value}:{version}",
        "blocks": blocks,
    }


def _tip_block(entry: TipEntry) -> Block:
    tip = entry.tip
    state = "" if entry.enabled else " _(off)_"
    origin = f" · added by {user_mention(entry.author_id)}" if entry.author_id else ""
    text = f"*{defuse(tip.title)}*{state}\n{defuse(shorten(tip.body, 160))}{origin}"
    block = section(text)
    if entry.custom:
        block["accessory"] = {
            "type": "overflow",
            "action_id": ids.TIP_MENU,
            "options": [
                {
                    "text": plain_text("Turn off" if entry.enabled else "Turn on"),
                    "value": f"{'off' if entry.enabled else 'on'}:{tip.id}",
                },
                {"text": plain_text("Delete"), "value": f"delete:{tip.id}"},
            ],
        }
    else:
        block["accessory"] = (
            button("Turn off", ids.TIP_DISABLE, tip.id)
            if entry.enabled
            else button("Turn on", ids.TIP_ENABLE, tip.id)
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
            text="No tip schedules yet.",
            blocks=[section("No tip schedules yet. Add one with `/delight tips`.")],
        )
    blocks: list[Block] = [section(f"*Tip schedules* ({len(reports)})")]
    for report in reports:
        schedule = report.schedule
        lines = [f"*{target_text(schedule)}* · {when_text(schedule)}"]
        if schedule.paused_reason is not None:
            lines.append(
                f"⏸️ *Paused* because {defuse(shorten(schedule.paused_reason, REASON_SHOWN))}. "
                "Fix that, then resume it in `/delight tips`."
            )
        elif report.next_at is not None:
            lines.append(f"Next: {local_time(report.next_at, schedule.timezone)}")
        lines += [outcome_text(entry, schedule, report.titles) for entry in report.recent]
        if not report.recent:
            lines.append("Nothing sent yet.")
        blocks.append(section(shorten("\n".join(lines), 3000)))
    text = f"{len(reports)} tip schedule{'s' if len(reports) != 1 else ''}"
    return Message(text=text, blocks=blocks)
