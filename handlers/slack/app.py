"""Builds the Bolt app: the request context with Delight's services, then every listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ports import EventLedger
from bot.nomination import NominationFlow
from bot.services import Services
from handlers.slack import (
    channels,
    commands,
    digest,
    endorse,
    events,
    home,
    language,
    moderation,
    oauth,
    request_context,
    respond,
    shortcuts,
    teams,
    tip_admin,
    tips,
    views,
)
from handlers.slack.context import SlackServices
from handlers.slack.directory import SlackDirectory
from handlers.slack.nominate import SlackAnswers
from handlers.slack.workspace_clients import WorkspaceClients

logger = logging.getLogger(__name__)


def create_bolt_app(
    *,
    client: AsyncWebClient,
    services: Services,
    directory: SlackDirectory,
    clients: WorkspaceClients,
    ledger: EventLedger,
    oauth_setup: oauth.OAuthSetup | None = None,
) -> AsyncApp:
    """`client` has the bot token in single-workspace mode; with `oauth_setup` (many
    workspaces) it has none and each request gets its workspace's token."""
    app = AsyncApp(
        client=client,
        # Verified once, before Bolt sees them: every HTTP request in handlers/web.py, and in
        # Socket Mode requests arrive over our own websocket.
        signing_secret="",
        request_verification_enabled=False,
        raise_error_for_unhandled_request=False,
        **(
            {}
            if oauth_setup is None
            else oauth.oauth_app_arguments(oauth_setup, services.administration.lifecycle)
        ),
    )
    slack_services = SlackServices(
        core=services,
        flow=NominationFlow(
            kudos=services.recognition.kudos,
            directory=directory,
            turns=services.recognition.turns,
            answers=SlackAnswers(),
        ),
        directory=directory,
        clients=clients,
    )
    # First, so every later step has the services and logs with its workspace.
    request_context.register(app, services=slack_services)
    respond.register(app)  # replies to response_url through the one pool, with retries
    # /delight first: Bolt tries listeners in order, and each listener it passes costs the
    # busiest request its matchers' keyword arguments.
    commands.register(app)
    events.register(app, ledger=ledger, clock=services.clock)
    # After repeated events are dropped: the person's language, for everything that follows.
    language.register(app, directory=directory, settings=services.administration.settings)
    digest.register(app)
    teams.register(app)
    views.register(app)
    shortcuts.register(app)
    tips.register(app)
    endorse.register(app)
    moderation.register(app)
    home.register(app)
    tip_admin.register(app)
    oauth.register_removal(app)
    channels.register(app)

    @app.error
    async def log_unexpected_error(error: Exception, body: dict[str, Any]) -> None:
        logger.exception(
            "unhandled error for a %s request", body.get("type") or "command", exc_info=error
        )

    return app
