"""Slack's parts for the composition root: its Web API clients (one workspace, or each
installed one), the ports the core uses, and the Bolt app once the core's services exist."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.installations import Installations
from bot.core.platform import PlatformPorts
from bot.core.ports import EventLedger, SettingsRepository
from bot.services import Services
from handlers.slack.app import create_bolt_app
from handlers.slack.client import make_web_client
from handlers.slack.digest import SlackDigestPoster
from handlers.slack.directory import SlackDirectory
from handlers.slack.installations import OAuthStates
from handlers.slack.members import SlackMemberSources, SlackPeople
from handlers.slack.notifier import SlackNotifier
from handlers.slack.oauth import OAuthSetup
from handlers.slack.pacing import PacedWorkspaces
from handlers.slack.tips import SlackChannels, SlackTipPoster
from handlers.slack.workspace_clients import InstalledWorkspaces, OneWorkspace, WorkspaceClients

BoltApp = AsyncApp  # what the composition root serves, without naming Slack's SDK itself


@dataclass(frozen=True, slots=True)
class Installing:
    """Multi-workspace mode: the app's credentials, and where installs and states are kept."""

    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    redirect_uri: str | None
    redirect_path: str
    installations: Installations
    states: OAuthStates


@dataclass(frozen=True, slots=True)
class SlackAdapter:
    ports: PlatformPorts
    directory: SlackDirectory
    client: AsyncWebClient  # Bolt's; without a token in multi-workspace mode
    clients: WorkspaceClients  # each workspace's client
    oauth_setup: OAuthSetup | None

    def bolt_app(self, services: Services, *, ledger: EventLedger) -> AsyncApp:
        return create_bolt_app(
            client=self.client,
            services=services,
            directory=self.directory,
            clients=self.clients,
            ledger=ledger,
            oauth_setup=self.oauth_setup,
        )


def slack_adapter(
    *,
    api_url: str,
    bot_token: str | None,
    http: aiohttp.ClientSession,
    workspace_settings: SettingsRepository,
    digest_messages_per_minute: int,
    installing: Installing | None,
) -> SlackAdapter:
    """Every Web API call goes through `http`, the one connection pool. Scheduled digests get
    clients of their own, each workspace's paced to its Slack rate limits; listeners keep the
    unpaced ones, so people never wait behind a batch."""
    client, clients, oauth_setup = _clients(
        api_url=api_url, bot_token=bot_token, http=http, installing=installing
    )
    directory = SlackDirectory(clients)
    notifier = SlackNotifier(clients, workspace_settings, directory)
    paced = PacedWorkspaces(
        clients,
        base_url=api_url,
        session=http,
        messages_per_minute=digest_messages_per_minute,
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
        digest_poster=SlackDigestPoster(paced, languages=notifier),
    )
    return SlackAdapter(
        ports=ports,
        directory=directory,
        client=client,
        clients=clients,
        oauth_setup=oauth_setup,
    )


def _clients(
    *,
    api_url: str,
    bot_token: str | None,
    http: aiohttp.ClientSession,
    installing: Installing | None,
) -> tuple[AsyncWebClient, WorkspaceClients, OAuthSetup | None]:
    """Bolt's client, and where every other part gets a workspace's client: the one bot
    token, or (many workspaces) each workspace's installation, refreshed when it rotates."""

    def client_for(token: str | None) -> AsyncWebClient:
        return make_web_client(token=token, base_url=api_url, session=http)

    client = client_for(bot_token)
    if installing is None:
        return client, OneWorkspace(client), None
    workspaces = InstalledWorkspaces(
        installations=installing.installations,
        rotator=AsyncTokenRotator(
            client_id=installing.client_id,
            client_secret=installing.client_secret,
            client=client,
        ),
        make_client=client_for,
    )
    oauth_setup = OAuthSetup(
        client_id=installing.client_id,
        client_secret=installing.client_secret,
        scopes=installing.scopes,
        redirect_uri=installing.redirect_uri,
        redirect_path=installing.redirect_path,
        # Slack's pages live beside its API: https://slack.com/oauth/v2/authorize
        authorization_url=urljoin(api_url, "../oauth/v2/authorize"),
        installations=installing.installations,
        states=installing.states,
        workspaces=workspaces,
    )
    return client, workspaces, oauth_setup
