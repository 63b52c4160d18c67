"""Which Web API client (which bot token) to use for a workspace.

One workspace (SLACK_BOT_TOKEN): always the same client. Many workspaces (OAuth): each
workspace's installation gives its token, and a rotating token is refreshed here before it
expires, for Bolt's requests (`InstalledWorkspaceAuthorize`) and for work outside any request
(scheduled tips, deliveries) alike: one place, so the two never refresh against each other.

A refresh token works once (Slack revokes it when it hands out the next), so refreshing is
coordinated across processes through the database (`Installations.claim_refresh`): one
process refreshes, the others wait for the token it saves, or keep using the current token
while it is still valid.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.installations import Installation, Installations
from bot.core.keyed_locks import KeyedLocks
from handlers.slack.installations import to_bot

logger = logging.getLogger(__name__)

CACHE_SECONDS = (
    30.0  # how long a process trusts the installation it read (uninstalls, refreshes elsewhere)
)
REFRESH_LEASE = timedelta(seconds=30)  # a refresh that takes longer is presumed dead
REFRESH_WAIT_SECONDS = 10.0  # how long to wait for another process's refresh


class WorkspaceUnavailable(Exception):
    """No usable token for the workspace: not installed (any more), or its refresh failed."""

    def __init__(self, team_id: str, reason: str) -> None:
        super().__init__(f"{team_id}: {reason}")
        self.team_id = team_id
        self.reason = reason


class WorkspaceClients(Protocol):
    async def for_team(self, team_id: str) -> AsyncWebClient:
        """A client with the workspace's bot token; WorkspaceUnavailable when there is none."""
        ...

    def forget(self, team_id: str) -> None:
        """Drop what is known of the workspace (it was uninstalled or installed again)."""
        ...


class OneWorkspace:
    """Single-workspace mode: SLACK_BOT_TOKEN serves every request."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def for_team(self, team_id: str) -> AsyncWebClient:
        return self._client

    def forget(self, team_id: str) -> None:
        return None


@dataclass(frozen=True, slots=True)
class _Known:
    installation: Installation
    client: AsyncWebClient
    read_at: float  # time.monotonic()


class InstalledWorkspaces:
    """Multi-workspace mode: each workspace's token from its stored installation."""

    def __init__(
        self,
        *,
        installations: Installations,
        rotator: AsyncTokenRotator,
        make_client: Callable[[str], AsyncWebClient],
        refresh_minutes_before_expiry: int = 120,
    ) -> None:
        self._installations = installations
        self._rotator = rotator
        self._make_client = make_client
        self._refresh_ahead = timedelta(minutes=refresh_minutes_before_expiry)
        self._known: dict[str, _Known] = {}
        self._locks: KeyedLocks[str] = KeyedLocks()

    async def for_team(self, team_id: str) -> AsyncWebClient:
        return (await self._current(team_id)).client

    async def installation(self, team_id: str) -> Installation:
        return (await self._current(team_id)).installation

    def forget(self, team_id: str) -> None:
        self._known.pop(team_id, None)

    async def _current(self, team_id: str) -> _Known:
        if (known := self._fresh(team_id)) is not None:
            return known
        # One lookup (and at most one refresh) per workspace at a time in this process.
        async with self._locks(team_id):
            if (known := self._fresh(team_id)) is not None:
                return known
            installation = await self._find(team_id)
            if self._expiring(installation):
                installation = await self._refreshed(installation)
            cached = self._known.get(team_id)
            client = (
                cached.client
                if cached is not None and cached.installation.bot_token == installation.bot_token
                else self._make_client(installation.bot_token)
            )
            known = _Known(installation, client, time.monotonic())
            self._known[team_id] = known
            return known

    def _fresh(self, team_id: str) -> _Known | None:
        known = self._known.get(team_id)
        if known is None or time.monotonic() - known.read_at > CACHE_SECONDS:
            return None
        return None if self._expiring(known.installation) else known

    async def _find(self, team_id: str) -> Installation:
        installation = await self._installations.find(team_id)
        if installation is None:
            self.forget(team_id)
            raise WorkspaceUnavailable(team_id, "Delight is not installed in this workspace")
        return installation

    def _expiring(self, installation: Installation, *, ahead: timedelta | None = None) -> bool:
        expires_at = installation.bot_token_expires_at
        if not installation.rotates or expires_at is None:
            return False
        margin = self._refresh_ahead if ahead is None else ahead
        return expires_at - datetime.now(UTC) <= margin

    async def _refreshed(self, installation: Installation) -> Installation:
        """The installation with a token that isn't about to expire: refreshed here, or by
        another process while this one waited."""
        team_id = installation.team_id
        deadline = time.monotonic() + REFRESH_WAIT_SECONDS
        while True:
            now = datetime.now(UTC)
            if await self._installations.claim_refresh(team_id, now=now, until=now + REFRESH_LEASE):
                return await self._refresh_claimed(team_id)
            await asyncio.sleep(0.2)
            installation = await self._find(team_id)
            if not self._expiring(installation):
                return installation  # the other process saved a new token
            if time.monotonic() > deadline:
                if not self._expiring(installation, ahead=timedelta(0)):
                    return installation  # still valid: use it, and refresh next time
                raise WorkspaceUnavailable(team_id, "its token expired and is being refreshed")

    async def _refresh_claimed(self, team_id: str) -> Installation:
        saved = False
        try:
            # Read again under the claim: another process may have refreshed just before.
            installation = await self._find(team_id)
            if not self._expiring(installation):
                return installation
            bot = await self._rotator.perform_bot_token_rotation(
                bot=to_bot(installation),
                minutes_before_expiration=int(self._refresh_ahead.total_seconds() // 60),
            )
            if bot is None or bot.bot_token_expires_at is None:
                return installation
            refreshed = replace(
                installation,
                bot_token=bot.bot_token,
                bot_refresh_token=bot.bot_refresh_token,
                bot_token_expires_at=datetime.fromtimestamp(bot.bot_token_expires_at, UTC),
            )
            await self._installations.save(refreshed)  # gives the claim back
            saved = True
            logger.info("refreshed the bot token of %s", team_id)
            return refreshed
        except SlackTokenRotationError as error:
            detail = getattr(error.api_error, "response", {}).get("error", "refresh refused")
            logger.error("could not refresh the bot token of %s: %s", team_id, detail)
            raise WorkspaceUnavailable(
                team_id, f"its token could not be refreshed ({detail})"
            ) from None
        finally:
            if not saved:
                await self._installations.release_refresh(team_id)


class InstalledWorkspaceAuthorize(AsyncAuthorize):
    """Bolt's authorize step for multi-workspace mode, from the stored installation (refreshed
    by `InstalledWorkspaces` when due). It needs no `auth.test` per request: the
    installation already names the bot."""

    def __init__(self, workspaces: InstalledWorkspaces) -> None:
        self._workspaces = workspaces

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: Any,
    ) -> AuthorizeResult | None:
        if team_id is None:
            return None  # an org-wide install: not supported
        try:
            installation = await self._workspaces.installation(team_id)
        except WorkspaceUnavailable as unavailable:
            logger.warning("request from a workspace without a usable token: %s", unavailable)
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            team=installation.team_name,
            bot_user_id=installation.bot_user_id,
            bot_id=installation.bot_id,
            bot_token=installation.bot_token,
            bot_scopes=installation.bot_scopes,
            user_id=user_id,
        )
