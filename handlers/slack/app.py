"""Builds the Bolt app with every Slack listener registered."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.digest_delivery import DigestService
from bot.core.kudos import KudosService
from bot.core.ports import Clock
from bot.core.teams import TeamService
from handlers.slack import commands, digest, events, shortcuts, teams, tips, views
from handlers.slack.directory import SlackDirectory
from handlers.slack.events import EventLedger
from handlers.slack.nominate import NominationFlow

logger = logging.getLogger(__name__)


def create_bolt_app(
    *,
    client: AsyncWebClient,
    signing_secret: str | None,
    kudos: KudosService,
    directory: SlackDirectory,
    ledger: EventLedger,
    clock: Clock,
    digests: DigestService,
    teams_service: TeamService,
) -> AsyncApp:
    app = AsyncApp(
        client=client,
        # In Socket Mode there is no signing secret: requests arrive over our own websocket.
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        raise_error_for_unhandled_request=False,
    )
    flow = NominationFlow(kudos=kudos, directory=directory)
    events.register(app, flow=flow, ledger=ledger, clock=clock)
    # Before commands: their /delight subcommand listeners must match first.
    digest.register(app, digests=digests, directory=directory)
    teams.register(app, teams=teams_service)
    commands.register(app, flow=flow)
    views.register(app, flow=flow)
    shortcuts.register(app)
    tips.register(app)

    @app.error
    async def log_unexpected_error(error: Exception, body: dict[str, Any]) -> None:
        logger.exception(
            "unhandled error for a %s request", body.get("type") or "command", exc_info=error
        )

    return app
