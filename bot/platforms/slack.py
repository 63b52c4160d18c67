"""Slack, wired: the settings and storage its adapter (handlers/slack/platform.py) needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import aiohttp

from bot.config import Settings
from bot.core.platform import PlatformPorts
from bot.core.ports import Clock, EventLedger, SettingsRepository
from bot.services import Services
from handlers.slack.oauth import STATE_LIFETIME_SECONDS
from handlers.slack.platform import BoltApp, Installing, SlackAdapter, slack_adapter
from handlers.slack.workspace_clients import WorkspaceClients
from storage.engine import Database
from storage.installations import SqlInstallations
from storage.oauth_states import SqlOAuthStates
from storage.token_cipher import TokenCipher


@dataclass(frozen=True, slots=True)
class SlackPlatform:
    adapter: SlackAdapter
    installations: SqlInstallations | None  # multi-workspace mode only

    @property
    def ports(self) -> PlatformPorts:
        return self.adapter.ports

    @property
    def clients(self) -> WorkspaceClients:
        return self.adapter.clients

    def bolt_app(self, services: Services, *, ledger: EventLedger) -> BoltApp:
        return self.adapter.bolt_app(services, ledger=ledger)


def build_slack(
    settings: Settings,
    *,
    database: Database,
    http: aiohttp.ClientSession,
    workspace_settings: SettingsRepository,
    clock: Clock,
) -> SlackPlatform:
    installations = None
    installing = None
    if settings.oauth is not None:
        installations = SqlInstallations(database, TokenCipher(settings.encryption_keys))
        installing = Installing(
            client_id=settings.oauth.client_id,
            client_secret=settings.oauth.client_secret,
            scopes=settings.oauth.scopes,
            redirect_uri=settings.oauth.redirect_uri,
            redirect_path=settings.oauth.redirect_path,
            installations=installations,
            states=SqlOAuthStates(
                database, clock=clock, lifetime=timedelta(seconds=STATE_LIFETIME_SECONDS)
            ),
        )
    adapter = slack_adapter(
        api_url=settings.slack_api_url,
        bot_token=settings.slack_bot_token,
        http=http,
        workspace_settings=workspace_settings,
        digest_messages_per_minute=settings.digest_messages_per_minute,
        installing=installing,
    )
    return SlackPlatform(adapter=adapter, installations=installations)
