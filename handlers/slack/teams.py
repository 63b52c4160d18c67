"""Admins define managers' teams and the digest schedule: `/delight teams`, or any button
whose action id is `open_teams` (App Home, `/delight admin`)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import errors
from bot.core.digest_week import DigestSchedule
from bot.core.teams import TeamDraft, TeamProblem, TeamService
from bot.i18n import say
from handlers.slack import blocks, ids
from handlers.slack.context import services_of
from handlers.slack.ids_parsing import row_id_from, team_of
from handlers.slack.refusals import explain
from handlers.slack.replies import tell_privately
from handlers.slack.teams_blocks import digest_settings_view, team_edit_view, teams_view

logger = logging.getLogger(__name__)

_FIELD_BLOCKS = {
    "name": ids.TEAM_NAME_BLOCK,
    "managers": ids.TEAM_MANAGERS_BLOCK,
    "members": ids.TEAM_MEMBERS_BLOCK,
}


def _value(view: dict[str, Any], block: str) -> dict[str, Any]:
    found = view.get("state", {}).get("values", {}).get(block, {}).get(ids.VALUE)
    return found if isinstance(found, dict) else {}


def read_team(view: dict[str, Any]) -> tuple[TeamDraft, bool]:
    """The edit form's values, tolerating missing fields; and whether to delete."""

    def chosen(block: str, key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in _value(view, block).get(key) or [] if isinstance(v, str))

    options = _value(view, ids.TEAM_GROUPS_BLOCK).get("selected_options") or []
    delete = _value(view, ids.TEAM_DELETE_BLOCK).get("selected_options") or []
    draft = TeamDraft(
        name=str(_value(view, ids.TEAM_NAME_BLOCK).get("value") or ""),
        manager_ids=chosen(ids.TEAM_MANAGERS_BLOCK, "selected_users"),
        member_ids=chosen(ids.TEAM_MEMBERS_BLOCK, "selected_users"),
        usergroup_ids=tuple(str(o.get("value")) for o in options if o.get("value")),
        channel_ids=chosen(ids.TEAM_CHANNELS_BLOCK, "selected_conversations"),
    )
    return draft, bool(delete)


def read_schedule(team_id: str, view: dict[str, Any]) -> DigestSchedule:
    def number(block: str, default: int, high: int) -> int:
        raw = (_value(view, block).get("selected_option") or {}).get("value")
        try:
            value = int(str(raw))
        except ValueError:
            return default
        return value if 0 <= value <= high else default

    charts = _value(view, ids.DIGEST_CHARTS_BLOCK).get("selected_options") or []
    return DigestSchedule(
        team_id,
        weekday=number(ids.DIGEST_DAY_BLOCK, 0, 6),
        hour=number(ids.DIGEST_HOUR_BLOCK, 9, 23),
        charts=bool(charts),
    )


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


async def _usergroups(client: AsyncWebClient) -> list[tuple[str, str]]:
    try:
        response = await client.usergroups_list()
    except SlackApiError as exc:  # no usergroups:read, or a plan without groups
        logger.info("user groups unavailable: %s", exc.response.get("error"))
        return []
    groups = response.get("usergroups") or []
    return sorted(
        ((str(g["id"]), str(g.get("handle") or g.get("name") or g["id"])) for g in groups),
        key=lambda pair: pair[1].lower(),
    )


async def list_view(
    teams: TeamService, team_id: str, user_id: str, page: int = 0
) -> dict[str, Any]:
    return teams_view(
        await teams.all(team_id, admin_id=user_id),
        await teams.schedule(team_id, admin_id=user_id),
        page=page,
    )


async def open_teams(
    client: AsyncWebClient,
    teams: TeamService,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    channel: str | None,
    over_modal: bool = False,
) -> None:
    """The teams modal (admins); anyone else is told privately why not. From a button inside
    a modal (the settings), it goes on top of that modal: Slack opens only one at a time."""
    try:
        view = await list_view(teams, team_id, user_id)
    except errors.NotAnAdmin as refused:
        await tell_privately(
            client,
            user_id=user_id,
            channel_id=channel,
            message=blocks.refusal(explain(refused), typed=None),
        )
        return
    if over_modal:
        await client.views_push(trigger_id=trigger_id, view=view)
    else:
        await client.views_open(trigger_id=trigger_id, view=view)


async def refresh_root(teams: TeamService, client: AsyncWebClient, body: dict[str, Any]) -> None:
    """After a pushed form is saved, the list beneath it shows the change."""
    view = body["view"]
    root = view.get("root_view_id")
    if not root or root == view.get("id"):
        return
    try:
        await client.views_update(
            view_id=root, view=await list_view(teams, team_of(body), body["user"]["id"])
        )
    except SlackApiError as exc:
        logger.info("teams list not refreshed: %s", exc.response.get("error"))


async def handle_open_teams(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    teams = services_of(context).core.digests.teams
    await ack()
    await open_teams(
        client,
        teams,
        team_id=team_of(body),
        user_id=body["user"]["id"],
        trigger_id=body["trigger_id"],
        channel=(body.get("channel") or {}).get("id"),
        over_modal=(body.get("view") or {}).get("type") == "modal",
    )


async def handle_teams_page(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    teams = services_of(context).core.digests.teams
    await ack()
    page = row_id_from(action.get("value")) or 0
    view = await list_view(teams, team_of(body), body["user"]["id"], page)
    await client.views_update(view_id=body["view"]["id"], view=view)


async def handle_team_form(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    teams = services_of(context).core.digests.teams
    await ack()
    team_id, user_id = team_of(body), body["user"]["id"]
    team = None
    team_pk = row_id_from(action.get("value"))
    if action["action_id"] == ids.TEAM_EDIT and team_pk is not None:
        team = await teams.get(team_id, team_pk, admin_id=user_id)
    view = team_edit_view(team, await _usergroups(client))
    await client.views_push(trigger_id=body["trigger_id"], view=view)


async def handle_digest_settings(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    teams = services_of(context).core.digests.teams
    await ack()
    schedule = await teams.schedule(team_of(body), admin_id=body["user"]["id"])
    await client.views_push(trigger_id=body["trigger_id"], view=digest_settings_view(schedule))


async def handle_team_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    teams = services_of(context).core.digests.teams
    team_id, user_id = team_of(body), body["user"]["id"]
    draft, delete = read_team(view)
    raw_pk = _metadata(view).get("team")
    team_pk = raw_pk if isinstance(raw_pk, int) else None
    try:
        if delete and team_pk is not None:
            await teams.delete(team_id, team_pk, admin_id=user_id)
        else:
            await teams.save(team_id, draft, admin_id=user_id, team_pk=team_pk)
    except TeamProblem as problem:
        block = _FIELD_BLOCKS.get(problem.field, ids.TEAM_NAME_BLOCK)
        await ack(response_action="errors", errors={block: say(problem.message)})
        return
    except errors.NotAnAdmin as refused:
        await ack(response_action="errors", errors={ids.TEAM_NAME_BLOCK: explain(refused)})
        return
    await ack()
    await refresh_root(teams, client, body)


async def handle_digest_settings_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    teams = services_of(context).core.digests.teams
    team_id, user_id = team_of(body), body["user"]["id"]
    try:
        await teams.save_schedule(read_schedule(team_id, view), admin_id=user_id)
    except errors.NotAnAdmin as refused:
        await ack(response_action="errors", errors={ids.DIGEST_DAY_BLOCK: explain(refused)})
        return
    await ack()
    await refresh_root(teams, client, body)


def register(app: AsyncApp) -> None:
    app.action(ids.OPEN_TEAMS)(handle_open_teams)
    app.action(ids.TEAMS_PAGE)(handle_teams_page)
    app.action(ids.TEAM_NEW)(handle_team_form)
    app.action(ids.TEAM_EDIT)(handle_team_form)
    app.action(ids.DIGEST_SETTINGS)(handle_digest_settings)
    app.view(ids.TEAM_EDIT_MODAL)(handle_team_submission)
    app.view(ids.DIGEST_SETTINGS_MODAL)(handle_digest_settings_submission)
