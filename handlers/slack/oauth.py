"""Multi-workspace mode: Bolt's OAuth install flow over Delight's stores, and what follows an
install or an uninstall."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.core.installations import Installations, WorkspaceLifecycle
from bot.i18n import speaking
from handlers.slack.context import services_of
from handlers.slack.installations import InstallationStore, OAuthStates, StateStore
from handlers.slack.oauth_pages import browser_language, failure_page, install_page, success_page
from handlers.slack.workspace_clients import (
    InstalledWorkspaceAuthorize,
    InstalledWorkspaces,
)

logger = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
STATE_LIFETIME_SECONDS = 600  # an install started and not finished within ten minutes fails


@dataclass(frozen=True, slots=True)
class OAuthSetup:
    """What multi-workspace mode needs, built by the composition root."""

    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    redirect_uri: str | None
    redirect_path: str
    authorization_url: str  # Slack's "Add to Slack" page
    installations: Installations
    states: OAuthStates
    workspaces: InstalledWorkspaces


_REASON = re.compile(r"[a-z0-9_]{1,64}")


def _loggable(reason: object) -> str:
    """Slack's reasons are codes (`access_denied`); the redirect's `error` parameter is the
    visitor's to choose, so anything else is not written to the log as it came."""
    return reason if isinstance(reason, str) and _REASON.fullmatch(reason) else "(unreadable)"


def _language_of(request: AsyncBoltRequest) -> str:
    """The browser's language (Bolt keeps headers lower-cased, each a list)."""
    values = request.headers.get("accept-language") or []
    return browser_language(values[0] if values else None)


def _html(body: str, *, status: int = 200, cookie: str | None = None) -> BoltResponse:
    headers: dict[str, str | Sequence[str]] = {"Content-Type": "text/html; charset=utf-8"}
    if cookie is not None:
        headers["Set-Cookie"] = cookie
    return BoltResponse(status=status, headers=headers, body=body)


class DelightOAuthFlow(AsyncOAuthFlow):
    """Bolt's install flow, its install page in the browser's language."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        with speaking(_language_of(request)):
            return install_page(url)


def oauth_app_arguments(setup: OAuthSetup, lifecycle: WorkspaceLifecycle) -> dict[str, Any]:
    """AsyncApp's arguments for multi-workspace mode."""
    store = InstallationStore(setup.installations)

    async def installed(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        team_id = installation.team_id
        if team_id is not None:
            setup.workspaces.forget(team_id)  # a new token, perhaps: read it afresh
            await lifecycle.installed(team_id)
        # Where Bolt's own page sends the browser: Slack's app, or the organisation's page.
        app_id, enterprise_url = installation.app_id, installation.enterprise_url
        if installation.is_enterprise_install and enterprise_url and app_id:
            open_url = f"{enterprise_url}manage/organization/apps/profile/{app_id}/workspaces/add"
        elif team_id is None or app_id is None:
            open_url = "slack://open"
        else:
            open_url = f"slack://app?team={team_id}&id={app_id}"
        with speaking(_language_of(args.request)):
            page = success_page(
                open_url=open_url, browser_url=f"https://app.slack.com/client/{team_id or ''}"
            )
        return _html(page, cookie=args.settings.state_utils.build_set_cookie_for_deletion())

    async def failed(args: AsyncFailureArgs) -> BoltResponse:
        reason = _loggable(args.reason)
        logger.warning("an install did not complete: %s", reason)
        with speaking(_language_of(args.request)):
            page = failure_page(reason, install_path=INSTALL_PATH)
        return _html(
            page,
            status=args.suggested_status_code,
            cookie=args.settings.state_utils.build_set_cookie_for_deletion(),
        )

    return {
        "installation_store": store,
        "authorize": InstalledWorkspaceAuthorize(setup.workspaces),
        "oauth_flow": DelightOAuthFlow(
            settings=AsyncOAuthSettings(
                client_id=setup.client_id,
                client_secret=setup.client_secret,
                scopes=list(setup.scopes),
                user_scopes=[],  # bot only: no person's token is asked for or kept
                redirect_uri=setup.redirect_uri,
                install_path=INSTALL_PATH,
                redirect_uri_path=setup.redirect_path,
                authorization_url=setup.authorization_url,
                installation_store=store,
                state_store=StateStore(setup.states),
                state_expiration_seconds=STATE_LIFETIME_SECONDS,
                callback_options=AsyncCallbackOptions(success=installed, failure=failed),
            )
        ),
    }


async def _removed(context: AsyncBoltContext) -> None:
    """The workspace's tokens go and its schedules stop, in either mode (one workspace has no
    stored tokens to delete)."""
    services = services_of(context)
    if team_id := context.team_id:
        services.clients.forget(team_id)
        await services.core.administration.lifecycle.removed(team_id)


async def handle_app_uninstalled(context: AsyncBoltContext) -> None:
    await _removed(context)


async def handle_tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if (event.get("tokens") or {}).get("bot"):  # user tokens: none are kept
        await _removed(context)


def register_removal(app: AsyncApp) -> None:
    """`app_uninstalled`, and `tokens_revoked` for the bot token."""
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
