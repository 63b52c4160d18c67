"""slack-sdk's installation and OAuth state stores, over Delight's own storage.

Bolt's OAuth flow saves what `oauth.v2.access` returned through `AsyncInstallationStore`;
these adapters turn slack-sdk's models into the domain's `Installation` (one per workspace,
bot token only: Delight asks for no user scopes) and back.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store import Installation as SlackInstallation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.core.installations import Installation, Installations

logger = logging.getLogger(__name__)


class OAuthStates(Protocol):
    async def issue(self) -> str: ...

    async def consume(self, state: str) -> bool: ...


def _when(epoch: int | float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _scopes(scopes: Any) -> str:
    return scopes if isinstance(scopes, str) else ",".join(scopes or ())


def from_slack(installed: SlackInstallation | Bot) -> Installation:
    """The domain's record of what Slack gave (an installation, or a refreshed bot)."""
    if installed.team_id is None or installed.bot_token is None or installed.bot_user_id is None:
        raise ValueError("only workspace installs with a bot token are supported")
    return Installation(
        team_id=installed.team_id,
        bot_token=installed.bot_token,
        bot_user_id=installed.bot_user_id,
        bot_id=installed.bot_id,
        bot_scopes=_scopes(installed.bot_scopes),
        bot_refresh_token=installed.bot_refresh_token,
        bot_token_expires_at=_when(installed.bot_token_expires_at),
        enterprise_id=installed.enterprise_id,
        is_enterprise_install=bool(installed.is_enterprise_install),
        team_name=installed.team_name,
        enterprise_name=installed.enterprise_name,
        enterprise_url=getattr(installed, "enterprise_url", None),  # a Bot has none
        app_id=installed.app_id,
        installer_id=getattr(installed, "user_id", None),  # nor an installer
        installed_at=_when(installed.installed_at) or datetime.now(UTC),
    )


def to_bot(installation: Installation) -> Bot:
    return Bot(
        app_id=installation.app_id,
        enterprise_id=installation.enterprise_id,
        enterprise_name=installation.enterprise_name,
        team_id=installation.team_id,
        team_name=installation.team_name,
        bot_token=installation.bot_token,
        bot_id=installation.bot_id or "",
        bot_user_id=installation.bot_user_id,
        bot_scopes=installation.bot_scopes,
        bot_refresh_token=installation.bot_refresh_token,
        bot_token_expires_at=_epoch(installation.bot_token_expires_at),
        is_enterprise_install=installation.is_enterprise_install,
        installed_at=installation.installed_at.timestamp(),
    )


def to_slack(installation: Installation) -> SlackInstallation:
    return SlackInstallation(
        app_id=installation.app_id,
        enterprise_id=installation.enterprise_id,
        enterprise_name=installation.enterprise_name,
        enterprise_url=installation.enterprise_url,
        team_id=installation.team_id,
        team_name=installation.team_name,
        bot_token=installation.bot_token,
        bot_id=installation.bot_id,
        bot_user_id=installation.bot_user_id,
        bot_scopes=installation.bot_scopes,
        bot_refresh_token=installation.bot_refresh_token,
        bot_token_expires_at=_epoch(installation.bot_token_expires_at),
        user_id=installation.installer_id or "",
        is_enterprise_install=installation.is_enterprise_install,
        token_type="bot",
        installed_at=installation.installed_at.timestamp(),
    )


class InstallationStore(AsyncInstallationStore):
    """One installation per workspace; an org-wide install (no workspace) finds nothing."""

    def __init__(self, installations: Installations) -> None:
        self._installations = installations

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_save(self, installation: SlackInstallation) -> None:
        await self._installations.save(from_slack(installation))

    async def async_save_bot(self, bot: Bot) -> None:
        saved = from_slack(bot)
        if (known := await self._installations.find(saved.team_id)) is not None:
            saved = replace(saved, installer_id=known.installer_id)
        await self._installations.save(saved)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = None if team_id is None else await self._installations.find(team_id)
        return None if found is None else to_bot(found)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> SlackInstallation | None:
        if team_id is None or user_id is not None:  # no user tokens are kept
            return None
        found = await self._installations.find(team_id)
        return None if found is None else to_slack(found)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if team_id is not None:
            await self._installations.delete(team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if team_id is not None and user_id is None:
            await self._installations.delete(team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class StateStore(AsyncOAuthStateStore):
    def __init__(self, states: OAuthStates) -> None:
        self._states = states

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await self._states.issue()

    async def async_consume(self, state: str) -> bool:
        return await self._states.consume(state)
