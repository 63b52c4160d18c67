"""Slack's parts: its Web API clients (one workspace, or each installed one), the ports the
core uses, and the Bolt app once the core's services exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core.ports import Clock, EventLedger, SettingsRepository
from bot.platforms import PlatformPorts
from bot.services import Services
from handlers.slack.app import create_bolt_app
from handlers.slack.client import make_web_client
from handlers.slack.digest import SlackDigestPoster
from handlers.slack.directory import SlackDirectory
from handlers.slack.members import SlackMemberSources, SlackPeople
from handlers.slack.notifier import SlackNotifier
from handlers.slack.oauth import STATE_LIFETIME_SECONDS, OAuthSetup
from handlers.slack.pacing import PacedWorkspaces
from handlers.slack.tips import SlackChannels, SlackTipPoster
from handlers.slack.workspace_clients import InstalledWorkspaces, OneWorkspace, WorkspaceClients
from storage.engine import Database
from storage.installations import SqlInstallations
from storage.oauth_states import SqlOAuthStates
from storage.token_cipher import TokenCipher


@dataclass(frozen=True, slots=True)
class SlackPlatform:
    settings: Settings
    ports: PlatformPorts
    directory: SlackDirectory
    client: AsyncWebClient  # Bolt's; without a token in multi-workspace mode
    clients: WorkspaceClients  # each workspace's client
    installations: SqlInstallations | None  # multi-workspace mode only
    oauth_setup: OAuthSetup | None

    def bolt_app(self, services: Services, *, ledger: EventLedger) -> AsyncApp:
        return create_bolt_app(
            client=self.client,
            signing_secret=(
                None if self.settings.socket_mode else self.settings.slack_signing_secret
            ),
            services=services,
            directory=self.directory,
            clients=self.clients,
            ledger=ledger,
            oauth_setup=self.oauth_setup,
        )


def build_slack(
    settings: Settings,
    *,
    database: Database,
    http: aiohttp.ClientSession,
    workspace_settings: SettingsRepository,
    clock: Clock,
) -> SlackPlatform:
    """Every Web API call goes through `http`, the one connection pool. Scheduled digests get
    clients of their own, each workspace's paced to its Slack rate limits; listeners keep the
    unpaced ones, so people never wait behind a batch."""
    client, clients, installations, oauth_setup = _clients(
        settings, database=database, http=http, clock=clock
    )
    directory = SlackDirectory(clients)
    notifier = SlackNotifier(clients, workspace_settings, directory)
    paced = PacedWorkspaces(
        clients,
        base_url=settings.slack_api_url,
        session=http,
        messages_per_minute=settings.digest_messages_per_minute,
    )
    ports = PlatformPorts(
        directory=directory,
        notifier=notifier,
        announcements=notifier,
        retractor=notifier,
        channels=SlackChannels(clients),
        tip_poster=SlackTipPoster(clients, notifier, SlackPeople(clients)),
        people=SlackPeople(paced),
        member_sources=SlackMemberSources(paced),
        digest_poster=SlackDigestPoster(paced),
    )
    return SlackPlatform(
        settings=settings,
        ports=ports,
        directory=directory,
        client=client,
        clients=clients,
        installations=installations,
        oauth_setup=oauth_setup,
    )


def _clients(
    settings: Settings, *, database: Database, http: aiohttp.ClientSession, clock: Clock
) -> tuple[AsyncWebClient, WorkspaceClients, SqlInstallations | None, OAuthSetup | None]:
    """Bolt's client, and where every other part gets a workspace's client: the one bot
    token, or (many workspaces) each workspace's installation, refreshed when it rotates."""

    def client_for(token: str | None) -> AsyncWebClient:
        return make_web_client(token=token, base_url=settings.slack_api_url, session=http)

    client = client_for(settings.slack_bot_token)
    if settings.oauth is None:
        return client, OneWorkspace(client), None, None
    installations = SqlInstallations(database, TokenCipher(settings.encryption_keys))
    workspaces = InstalledWorkspaces(
        installations=installations,
        rotator=AsyncTokenRotator(
            client_id=settings.oauth.client_id,
            client_secret=settings.oauth.client_secret,
            client=client,
        ),
        make_client=client_for,
    )
    oauth_setup = OAuthSetup(
        client_id=settings.oauth.client_id,
        client_secret=settings.oauth.client_secret,
        scopes=settings.oauth.scopes,
        redirect_uri=settings.oauth.redirect_uri,
        redirect_path=settings.oauth.redirect_path,
        # Slack's pages live beside its API: https://slack.com/oauth/v2/authorize
        authorization_url=urljoin(settings.slack_api_url, "../oauth/v2/authorize"),
        installations=installations,
        states=SqlOAuthStates(
            database, clock=clock, lifetime=timedelta(seconds=STATE_LIFETIME_SECONDS)
        ),
        workspaces=workspaces,
    )
    return client, workspaces, installations, oauth_setup
