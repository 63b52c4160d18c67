"""Admins' tips in Slack: `/delight tips` (and App Home's button) opens the schedules list;
its buttons push the schedule form, the preview and the workspace's tips, or change a
schedule and refresh the list. `/delight tips status` answers privately."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import errors
from bot.core.custom_tips import TipDraft
from bot.core.elements import Element
from bot.core.tip_delivery import Delivered
from bot.core.words import N_
from bot.i18n import _, current_language, say
from bot.services import TipAdministration
from bot.tip_words import added_notice, deleted_notice
from handlers.slack import ids
from handlers.slack import tip_admin_views as views
from handlers.slack.blocks import Message, text_message
from handlers.slack.context import services_of
from handlers.slack.ids_parsing import (
    row_id_from,
    send_now_from,
    team_of,
    tip_choice_from,
    tip_id_from,
)
from handlers.slack.mrkdwn import channel_mention, defuse
from handlers.slack.refusals import explain, schedule_problems
from handlers.slack.zones import zone_choices

logger = logging.getLogger(__name__)

STATUS_USAGE = N_(
    "Use `/delight tips` to manage tip schedules, or `/delight tips status` to see how they went."
)


async def run_tips_command(
    admin: TipAdministration, argument: str, command: dict[str, Any], client: AsyncWebClient
) -> Message | None:
    """`/delight tips [status]`: the reply to show, if any."""
    team_id, user_id = command["team_id"], command["user_id"]
    try:
        if argument == "status":
            return views.status_message(
                await admin.schedules.reports(team_id, user_id, language=current_language())
            )
        if argument:
            return text_message(_(STATUS_USAGE))
        await _open(client, command["trigger_id"], await _list(admin, team_id, user_id))
    except errors.DelightError as refused:
        return text_message(explain(refused))
    return None


async def open_tips_from_home(
    admin: TipAdministration, client: AsyncWebClient, body: dict[str, Any]
) -> str | None:
    """App Home's button: the list for an admin; a refusal for anyone else."""
    try:
        view = await _list(admin, team_of(body), body["user"]["id"])
    except errors.DelightError as refused:
        return explain(refused)
    await _open(client, body["trigger_id"], view)
    return None


async def _list(
    admin: TipAdministration, team_id: str, user_id: str, notice: str | None = None
) -> dict[str, Any]:
    return views.tips_modal(
        await admin.schedules.reports(team_id, user_id, language=current_language()), notice=notice
    )


async def _open(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> None:
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        logger.warning("tips modal not opened: %s", error.response.get("error"))


async def _show(
    client: AsyncWebClient, *, view_id: str | None, view: dict[str, Any], push: str | None = None
) -> None:
    """Update a view in place, or (given a trigger) push a new one onto the stack."""
    try:
        if push is not None:
            await client.views_push(trigger_id=push, view=view)
        elif view_id:
            await client.views_update(view_id=view_id, view=view)
    except SlackApiError as error:
        logger.warning("tips view not shown: %s", error.response.get("error"))


def sent_notice(delivered: Delivered, title: str | None, channel_id: str) -> str:
    match delivered.status:
        case "sent":
            where = (
                defuse(say(delivered.reason))
                if delivered.reason
                else _("sent to {channel}").format(channel=channel_mention(channel_id))
            )
            return "✅ " + _("“{title}”: {where}.").format(
                title=defuse(title) if title else _("The tip"), where=where
            )
        case "taken":
            return _("That tip was already sent (a repeated click): nothing more went out.")
        case "skipped":
            return _("Nothing was sent: {reason}.").format(
                reason=defuse(say(delivered.reason)) if delivered.reason else _("skipped")
            )
    return _(
        "⚠️ Not sent: {reason}. If it's about the channel, the schedule is paused until "
        "that's fixed."
    ).format(reason=defuse(say(delivered.reason)) if delivered.reason else _("Slack refused it"))


_VERBS = {ids.TIPS_PAUSE: "pause", ids.TIPS_RESUME: "resume", ids.TIPS_DELETE: "delete"}
_CHANGED = {  # translated when shown
    "pause": N_(
        "⏸️ Paused. Resume it whenever you like; what it misses meanwhile isn't sent later."
    ),
    "resume": N_("▶️ Resumed."),
    "delete": N_("🗑️ Deleted."),
}


async def refresh(
    admin: TipAdministration, client: AsyncWebClient, body: dict[str, Any], notice: str
) -> None:
    team_id, user_id = team_of(body), body["user"]["id"]
    try:
        view = await _list(admin, team_id, user_id, notice)
    except errors.DelightError as refused:
        view = views.tips_modal([], notice=explain(refused))
    await _show(client, view_id=(body.get("view") or {}).get("id"), view=view)


async def change(
    admin: TipAdministration,
    client: AsyncWebClient,
    body: dict[str, Any],
    action: dict[str, Any],
    verb: str,
) -> None:
    """Pause, resume or delete the schedule a button names, then show the list again."""
    team_id, user_id = team_of(body), body["user"]["id"]
    schedule_id = row_id_from(action.get("value"))
    try:
        if schedule_id is None:
            raise errors.ScheduleNotFound()
        await getattr(admin.schedules, verb)(team_id, user_id, schedule_id)
        notice = _(_CHANGED[verb])
    except errors.ScheduleInvalid as invalid:
        notice = _("⚠️ Still paused: {problem}").format(
            problem=next(iter(schedule_problems(invalid).values()))
        )
    except errors.DelightError as refused:
        notice = explain(refused)
    await refresh(admin, client, body, notice)


async def tips_view(
    admin: TipAdministration,
    body: dict[str, Any],
    element: Element,
    version: int,
    notice: str | None = None,
) -> dict[str, Any]:
    try:
        entries = await admin.tips.overview(
            team_of(body), body["user"]["id"], element, language=current_language()
        )
    except errors.DelightError as refused:
        return views.tips_modal([], notice=explain(refused))
    return views.custom_tips_modal(element, entries, version=version, notice=notice)


async def tip_change(
    admin: TipAdministration,
    client: AsyncWebClient,
    body: dict[str, Any],
    verb: str,
    tip_id: str | None,
) -> None:
    team_id, user_id = team_of(body), body["user"]["id"]
    element, version = _tips_metadata(body.get("view") or {})
    notice = None
    try:
        if tip_id is None:
            raise errors.TipNotFound()
        if verb == "delete":
            await admin.tips.delete(team_id, user_id, tip_id)
            notice = deleted_notice()
        else:
            await admin.tips.set_enabled(team_id, user_id, tip_id, enabled=verb == "on")
    except errors.DelightError as refused:
        notice = f"⚠️ {explain(refused)}"
    view = await tips_view(admin, body, element, version, notice)
    await _show(client, view_id=(body.get("view") or {}).get("id"), view=view)


async def handle_send_now(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admin = services_of(context).core.tip_admin
    schedules = admin.schedules
    await ack()
    team_id, user_id = team_of(body), body["user"]["id"]
    parsed = send_now_from(action.get("value"))
    try:
        if parsed is None:
            raise errors.ScheduleNotFound()
        schedule_id, send_key = parsed
        delivered = await schedules.send_now(team_id, user_id, schedule_id, send_key=send_key)
        schedule = await schedules.schedule(team_id, user_id, schedule_id)
        title = None
        if delivered.tip_id and (tip := await schedules.tip(team_id, delivered.tip_id)):
            title = tip.title
        notice = sent_notice(delivered, title, schedule.channel_id)
    except errors.DelightError as refused:
        notice = explain(refused)
    await refresh(admin, client, body, notice)


async def handle_preview(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admin = services_of(context).core.tip_admin
    schedules = admin.schedules
    await ack()
    schedule_id = row_id_from(action.get("value"))
    try:
        if schedule_id is None:
            raise errors.ScheduleNotFound()
        upcoming = await schedules.preview(
            team_of(body), body["user"]["id"], schedule_id, language=current_language()
        )
    except errors.DelightError as refused:
        await refresh(admin, client, body, explain(refused))
        return
    await _show(client, view_id=None, view=views.preview_modal(upcoming), push=body["trigger_id"])


async def handle_schedule_form(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admin = services_of(context).core.tip_admin
    schedules = admin.schedules
    await ack()
    team_id, user_id = team_of(body), body["user"]["id"]
    try:
        schedule = None
        if action.get("action_id") == ids.TIPS_EDIT:
            schedule_id = row_id_from(action.get("value"))
            if schedule_id is None:
                raise errors.ScheduleNotFound()
            schedule = await schedules.schedule(team_id, user_id, schedule_id)
        zone = schedule.timezone if schedule else await schedules.default_timezone(team_id, user_id)
    except errors.DelightError as refused:
        await refresh(admin, client, body, explain(refused))
        return
    today = admin.clock.now().astimezone(ZoneInfo(zone)).date()
    form = views.schedule_form(schedule, timezone=zone, today=today)
    await _show(client, view_id=None, view=form, push=body["trigger_id"])


async def handle_timezone_search(
    ack: AsyncAck, payload: dict[str, Any], context: AsyncBoltContext
) -> None:
    await ack(
        options=[views.zone_option(zone) for zone in zone_choices(str(payload.get("value") or ""))]
    )


async def handle_schedule_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admin = services_of(context).core.tip_admin
    schedules = admin.schedules
    team_id, user_id = team_of(body), body["user"]["id"]
    form = views.read_schedule_form(view)
    metadata = view.get("private_metadata") or ""
    try:
        if metadata:
            schedule_id = row_id_from(metadata)
            if schedule_id is None:
                raise errors.ScheduleNotFound()
            await schedules.change(team_id, user_id, schedule_id, form)
        else:
            await schedules.create(team_id, user_id, form)
    except errors.ScheduleInvalid as invalid:
        await ack(
            response_action="errors",
            errors={
                views.SCHEDULE_BLOCKS[name]: text
                for name, text in schedule_problems(invalid).items()
            },
        )
        return
    except errors.DelightError as refused:
        await ack(response_action="errors", errors={ids.SCHEDULE_CHANNEL: explain(refused)})
        return
    await ack()  # closes the form, back to the list, which then shows the change
    previous = view.get("previous_view_id")
    if previous:
        await _show(
            client, view_id=previous, view=await _list(admin, team_id, user_id, "✅ Saved.")
        )


async def handle_custom_tips(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    admin = services_of(context).core.tip_admin
    await ack()
    view = await tips_view(admin, body, Element.VOLUNTARY, 1)
    await _show(client, view_id=None, view=view, push=body["trigger_id"])


async def handle_element_choice(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admin = services_of(context).core.tip_admin
    await ack()
    chosen = (action.get("selected_option") or {}).get("value")
    element = {e.value: e for e in Element}.get(str(chosen), Element.VOLUNTARY)
    _element, version = _tips_metadata(body.get("view") or {})
    # A new version: the form below is for the element now shown, so it starts empty.
    view = await tips_view(admin, body, element, version + 1)
    await _show(client, view_id=(body.get("view") or {}).get("id"), view=view)


async def handle_tip_switch(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admin = services_of(context).core.tip_admin
    await ack()
    verb = "on" if action.get("action_id") == ids.TIP_ENABLE else "off"
    await tip_change(admin, client, body, verb, tip_id_from(action.get("value")))


async def handle_tip_menu(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    admin = services_of(context).core.tip_admin
    await ack()
    choice = tip_choice_from((action.get("selected_option") or {}).get("value"))
    verb, tip_id = choice if choice else ("off", None)
    await tip_change(admin, client, body, verb, tip_id)


async def handle_tip_submission(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    admin = services_of(context).core.tip_admin
    tips = admin.tips
    element, version = _tips_metadata(view)
    title, text = views.read_tip_form(view, str(version))
    title_block, body_block = f"{ids.TIP_TITLE}_{version}", f"{ids.TIP_BODY}_{version}"
    try:
        added = await tips.add(
            team_of(body), body["user"]["id"], TipDraft(element, title, text, current_language())
        )
    except errors.TipInvalid as invalid:
        where = {"title": title_block, "body": body_block}
        await ack(
            response_action="errors",
            errors={where[n]: say(m) for n, m in invalid.problems.items()},
        )
        return
    except errors.DelightError as refused:
        await ack(response_action="errors", errors={title_block: explain(refused)})
        return
    notice = added_notice(defuse(added.tip.title))
    await ack(
        response_action="update", view=await tips_view(admin, body, element, version + 1, notice)
    )


async def handle_change(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Pause, resume or delete."""
    await ack()
    verb = _VERBS[str(action.get("action_id"))]
    await change(services_of(context).core.tip_admin, client, body, action, verb)


def register(app: AsyncApp) -> None:
    for action_id in _VERBS:
        app.action(action_id)(handle_change)
    app.action(ids.TIPS_SEND_NOW)(handle_send_now)
    app.action(ids.TIPS_PREVIEW)(handle_preview)
    app.action(ids.TIPS_NEW)(handle_schedule_form)
    app.action(ids.TIPS_EDIT)(handle_schedule_form)
    app.options(ids.SCHEDULE_TIMEZONE)(handle_timezone_search)
    app.view(ids.TIP_SCHEDULE_MODAL)(handle_schedule_submission)
    app.action(ids.TIPS_CUSTOM)(handle_custom_tips)
    app.action(ids.TIPS_ELEMENT)(handle_element_choice)
    app.action(ids.TIP_DISABLE)(handle_tip_switch)
    app.action(ids.TIP_ENABLE)(handle_tip_switch)
    app.action(ids.TIP_MENU)(handle_tip_menu)
    app.view(ids.CUSTOM_TIPS_MODAL)(handle_tip_submission)


def _tips_metadata(view: dict[str, Any]) -> tuple[Element, int]:
    """The element and form version the tips modal remembers (it travels through Slack)."""
    raw = str(view.get("private_metadata") or "")
    name, _, version = raw.partition(":")
    element = {e.value: e for e in Element}.get(name, Element.VOLUNTARY)
    number = int(version) if version.isdigit() and len(version) < 6 else 1
    return element, number
