"""The /delight slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.home import Period
from bot.core.model import Nomination, Source
from bot.i18n import _
from handlers.slack import blocks, ids
from handlers.slack.admin_export import send_export
from handlers.slack.context import SlackServices, services_of
from handlers.slack.digest import show_digests
from handlers.slack.home import open_settings
from handlers.slack.home_view import leaderboard_message, my_stats_message
from handlers.slack.moderation import retracted_text
from handlers.slack.nominate import story_of
from handlers.slack.parsing import (
    HelpRequest,
    ModalRequest,
    ParseError,
    Subcommand,
    parse_command,
    to_plain_text,
)
from handlers.slack.refusals import explain
from handlers.slack.replies import ephemeral
from handlers.slack.teams import open_teams
from handlers.slack.tip_admin import run_tips_command


async def run_subcommand(
    services: SlackServices,
    sub: Subcommand,
    command: dict[str, Any],
    client: AsyncWebClient,
) -> blocks.Message | None:
    """`/delight undo | me | top [period] | admin [export] | tips [status] | digest [last] |
    teams`: the reply to show, if any."""
    core = services.core
    team_id, user_id = command["team_id"], command["user_id"]
    match sub.name:
        case "undo":
            done = await core.recognition.moderation.undo_latest(team_id=team_id, giver_id=user_id)
            return blocks.text_message(retracted_text(done))
        case "me":
            return my_stats_message(await core.recognition.home.my_stats(team_id, user_id))
        case "top":
            try:
                period = Period(sub.argument or Period.MONTH)
            except ValueError:
                return blocks.text_message(
                    _("Use `/delight top week`, `month`, `quarter` or `all`.")
                )
            ranked = await core.recognition.home.leaderboard(team_id, period)
            return leaderboard_message(ranked, period)
        case "admin" if sub.argument == "export":
            export = core.administration.export
            return await send_export(export, client, team_id=team_id, user_id=user_id)
        case "admin":
            admin = core.administration.workspace_admin
            refusal = await open_settings(client, admin, team_id, user_id, command)
            return None if refusal is None else blocks.text_message(refusal)
        case "tips":
            return await run_tips_command(core.tip_admin, sub.argument, command, client)
        case "digest":
            last = sub.argument == "last"
            await show_digests(client, core.digests.digests, services.directory, command, last=last)
        case "teams":
            await open_teams(
                client,
                core.digests.teams,
                team_id=team_id,
                user_id=user_id,
                trigger_id=command["trigger_id"],
                channel=command.get("channel_id"),
            )
    return None


async def handle_delight_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    services = services_of(context)
    flow = services.flow
    text = command.get("text") or ""

    def typed() -> str:  # as they saw it; only a refusal needs it
        return f"{ids.COMMAND} {to_plain_text(text)[0]}".strip()

    try:
        parsed = parse_command(text)
    except ParseError as error:  # answered in the ack itself: no extra round trip
        await ack(**ephemeral(blocks.refusal(explain(error), typed=typed())))
        return
    if isinstance(parsed, HelpRequest):
        await ack(**ephemeral(blocks.help_message()))
        return
    await ack()

    async def work() -> blocks.Message | None:
        if isinstance(parsed, Subcommand):
            return await run_subcommand(services, parsed, command, client)
        team_id = command["team_id"]
        recipients = await flow.resolve(team_id, parsed.recipients, giver_id=command["user_id"])
        if isinstance(parsed, ModalRequest):
            view = blocks.nomination_modal(
                context=blocks.ModalContext(channel_id=command.get("channel_id")),
                recipients=recipients,
                private=parsed.private,
            )
            await client.views_open(trigger_id=command["trigger_id"], view=view)
            return None
        given = await flow.give(
            Nomination(
                team_id=team_id,
                giver_id=command["user_id"],
                recipient_ids=recipients,
                story=await story_of(flow.directory, team_id, parsed),
                elements=parsed.elements,
                source=Source.COMMAND,
                request_key=f"command:{command['trigger_id']}",
                origin_channel_id=command.get("channel_id"),
                private=parsed.private,
            )
        )
        flow.deliver(given, reply)
        return None

    async def reply(message: blocks.Message) -> None:
        await respond(**ephemeral(message))

    await flow.attempt(work(), typed=typed, reply=reply)


def register(app: AsyncApp) -> None:
    app.command(ids.COMMAND)(handle_delight_command)
