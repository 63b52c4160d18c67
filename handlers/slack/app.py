"""Builds the Bolt app with every Slack listener registered."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.admins import AdminRights
from bot.core.digest_delivery import DigestService
from bot.core.endorsements import Endorsements
from bot.core.export import WorkspaceExport
from bot.core.home import HomeService
from bot.core.installations import WorkspaceLifecycle
from bot.core.kudos import KudosService
from bot.core.moderation import Moderation
from bot.core.platform import Directory
from bot.core.ports import Clock, EventLedger, SettingsRepository
from bot.core.teams import TeamService
from bot.core.workspace_admin import WorkspaceAdmin
from bot.nomination import NominationFlow
from bot.turns import DeliveryTurns
from handlers.slack import (
    commands,
    digest,
    endorse,
    events,
    home,
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
from handlers.slack.nominate import SlackAnswers, SlackFlow
from handlers.slack.workspace_clients import WorkspaceClients

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    """The domain services the listeners call, built by the composition root."""

    kudos: KudosService
    directory: Directory
    ledger: EventLedger
    clock: Clock
    settings: SettingsRepository
    admins: AdminRights
    endorsements: Endorsements
    moderation: Moderation
    home: HomeService
    workspace_admin: WorkspaceAdmin
    lifecycle: WorkspaceLifecycle
    clients: WorkspaceClients
    export: WorkspaceExport
    tip_admin: tip_admin.TipAdmin
    digests: DigestService
    teams: TeamService
    turns: DeliveryTurns  # how many kudos are delivered at once


def create_bolt_app(
    *,
    client: AsyncWebClient,
    signing_secret: str | None,
    services: Services,
    oauth_setup: oauth.OAuthSetup | None = None,
) -> AsyncApp:
    """`client` has the bot token in single-workspace mode; with `oauth_setup` (many
    workspaces) it has none and each request gets its workspace's token."""
    app = AsyncApp(
        client=client,
        # In Socket Mode there is no signing secret: requests arrive over our own websocket.
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        raise_error_for_unhandled_request=False,
        **(
            {}
            if oauth_setup is None
            else oauth.oauth_app_arguments(oauth_setup, services.lifecycle)
        ),
    )
    flow: SlackFlow = NominationFlow(
        kudos=services.kudos,
        directory=services.directory,
        turns=services.turns,
        answers=SlackAnswers(),
    )
    request_context.register(app)  # first, so every later step logs with its workspace
    respond.register(app)  # replies to response_url through the one pool, with retries
    # /delight first: Bolt tries listeners in order, and each listener it passes costs the
    # busiest request its matchers' keyword arguments (~15 µs each, measured in bench/).
    commands.register(
        app,
        services=commands.CommandServices(
            flow=flow,
            moderation=services.moderation,
            home=services.home,
            workspace_admin=services.workspace_admin,
            export=services.export,
            tip_admin=services.tip_admin,
            digests=services.digests,
            teams=services.teams,
        ),
    )
    events.register(app, flow=flow, ledger=services.ledger, clock=services.clock)
    digest.register(app, digests=services.digests, directory=services.directory)
    teams.register(app, teams=services.teams)
    views.register(app, flow=flow)
    shortcuts.register(app)
    tips.register(app)
    endorse.register(app, endorsements=services.endorsements, settings=services.settings)
    moderation.register(app, moderation=services.moderation, admins=services.admins)
    home.register(
        app,
        home=services.home,
        workspace_admin=services.workspace_admin,
        tip_admin=services.tip_admin,
    )
    tip_admin.register(app, admin=services.tip_admin)
    oauth.register_removal(app, lifecycle=services.lifecycle, clients=services.clients)

    @app.error
    async def log_unexpected_error(error: Exception, body: dict[str, Any]) -> None:
        logger.exception(
            "unhandled error for a %s request", body.get("type") or "command", exc_info=error
        )

    return app
