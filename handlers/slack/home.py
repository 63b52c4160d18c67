"""App Home: published when opened, re-published on its buttons; and the settings modal."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import errors
from bot.core.home import HomeCursor, HomeService
from bot.core.workspace_admin import WorkspaceAdmin
from bot.i18n import say
from handlers.slack import admin_views, blocks, ids
from handlers.slack.context import services_of
from handlers.slack.home_view import home_view, read_cursor
from handlers.slack.ids_parsing import team_of
from handlers.slack.refusals import explain
from handlers.slack.tip_admin import open_tips_from_home

logger = logging.getLogger(__name__)


async def publish(
    home: HomeService,
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    cursor: HomeCursor | None = None,
) -> None:
    view = home_view(await home.home(team_id, user_id, cursor or HomeCursor()))
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        logger.warning("App Home not published: %s", error.response.get("error"))


async def handle_home_opened(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    home = services_of(context).core.recognition.home
    if event.get("tab", "home") != "home" or not event.get("user") or not context.team_id:
        return
    await publish(home, client, context.team_id, str(event["user"]))


async def handle_home_page(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    home = services_of(context).core.recognition.home
    await ack()
    await publish(home, client, team_of(body), body["user"]["id"], read_cursor(action.get("value")))


async def handle_public_toggle(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    home = services_of(context).core.recognition.home
    await ack()
    team_id, user_id = team_of(body), body["user"]["id"]
    await home.set_public_announcements(team_id, user_id, public=action.get("value") == "on")
    cursor = read_cursor((body.get("view") or {}).get("private_metadata"))
    await publish(home, client, team_id, user_id, cursor)


async def handle_recognise(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    view = blocks.nomination_modal(context=blocks.ModalContext())
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        logger.warning("modal not opened from App Home: %s", error.response.get("error"))


async def handle_settings_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    workspace_admin = services_of(context).core.administration.workspace_admin
    await ack()
    await open_settings(client, workspace_admin, team_of(body), body["user"]["id"], body)


async def handle_tips_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    services = services_of(context)
    home = services.core.recognition.home
    tip_admin = services.core.tip_admin
    await ack()
    if (refusal := await open_tips_from_home(tip_admin, client, body)) is not None:
        await publish(home, client, team_of(body), body["user"]["id"])  # no longer an admin
        logger.info("tip schedules refused from App Home: %s", refusal)


async def handle_settings_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    services = services_of(context)
    home = services.core.recognition.home
    workspace_admin = services.core.administration.workspace_admin
    team_id, admin_id = team_of(body), body["user"]["id"]
    try:
        form, problems = admin_views.read_settings_form(view)
        await workspace_admin.save(team_id, admin_id, form, problems=problems)
    except errors.SettingsInvalid as invalid:
        await ack(
            response_action="errors",
            errors={
                admin_views.SETTING_BLOCKS[name]: say(message)
                for name, message in invalid.problems.items()
            },
        )
        return
    except errors.NotAnAdmin as refused:
        await ack(response_action="errors", errors={ids.SETTING_CHANNEL: explain(refused)})
        return
    await ack()
    await publish(home, client, team_id, admin_id)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(handle_home_opened)
    app.action(re.compile(f"^(?:{ids.HOME_PAGE}.*|{ids.HOME_TOGGLE_ELEMENTS})$"))(handle_home_page)
    app.action(ids.HOME_PUBLIC)(handle_public_toggle)
    app.action(ids.HOME_RECOGNISE)(handle_recognise)
    app.action(ids.HOME_SETTINGS)(handle_settings_button)
    app.action(ids.HOME_TIPS)(handle_tips_button)
    app.view(ids.SETTINGS_MODAL)(handle_settings_submission)


async def open_settings(
    client: AsyncWebClient,
    workspace_admin: WorkspaceAdmin,
    team_id: str,
    user_id: str,
    body: dict[str, Any],
) -> str | None:
    """Open the settings modal for an admin; returns a refusal to show anyone else."""
    try:
        settings = await workspace_admin.current(team_id, user_id)
    except errors.NotAnAdmin as refused:
        return explain(refused)
    try:
        await client.views_open(
            trigger_id=body["trigger_id"], view=admin_views.settings_modal(settings)
        )
    except SlackApiError as error:
        logger.warning("settings modal not opened: %s", error.response.get("error"))
    return None
