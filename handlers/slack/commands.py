"""The /delight slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.model import Nomination, Source
from handlers.slack import blocks, ids
from handlers.slack.nominate import NominationFlow, attempt
from handlers.slack.parsing import (
    CommandNomination,
    HelpRequest,
    ModalRequest,
    ParseError,
    parse_command,
    to_plain_text,
)
from handlers.slack.refusals import explain
from handlers.slack.replies import ephemeral


def register(app: AsyncApp, *, flow: NominationFlow) -> None:
    @app.command(ids.COMMAND)
    async def handle_delight_command(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        text = command.get("text") or ""
        typed = f"{ids.COMMAND} {to_plain_text(text)[0]}".strip()  # as they saw it
        try:
            parsed = parse_command(text)
        except ParseError as error:  # answered in the ack itself: no extra round trip
            await ack(**ephemeral(blocks.refusal(explain(error), typed=typed)))
            return
        if isinstance(parsed, HelpRequest):
            await ack(**ephemeral(blocks.help_message()))
            return
        if not isinstance(parsed, (ModalRequest, CommandNomination)):
            await ack()  # subcommands with listeners of their own (digest.py, teams.py)
            return
        await ack()

        async def work() -> blocks.Message | None:
            team_id = command["team_id"]
            recipients = await flow.resolve(team_id, parsed.recipients)
            if isinstance(parsed, ModalRequest):
                view = blocks.nomination_modal(
                    context=blocks.ModalContext(channel_id=command.get("channel_id")),
                    recipients=recipients,
                )
                await client.views_open(trigger_id=command["trigger_id"], view=view)
                return None
            given = await flow.give(
                Nomination(
                    team_id=team_id,
                    giver_id=command["user_id"],
                    recipient_ids=recipients,
                    story=await flow.story_of(team_id, parsed),
                    elements=parsed.elements,
                    source=Source.COMMAND,
                    request_key=f"command:{command['trigger_id']}",
                    origin_channel_id=command.get("channel_id"),
                )
            )
            return await flow.deliver(given)

        if (reply := await attempt(work(), typed=typed)) is not None:
            await respond(**ephemeral(reply))
