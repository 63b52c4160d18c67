"""The language Delight speaks to the person behind a Slack request: their Slack locale.

`SpeakTheirLanguage` looks up the acting person (the directory caches them, with the locale
that `users.info` gives with `include_locale`) and speaks their language for the rest of the
request (Bolt runs its middleware one after another, not nested, and each request runs in a
task of its own: see request_context.RequestContext). The tasks a listener starts copy the
language with the rest of the context (a delivery turn too), which is why whatever the
notifier posts for someone else (a recipient's DM, an announcement) sets its own language.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.core.ports import SettingsRepository
from bot.i18n import ENGLISH, language_for, speak
from handlers.slack.directory import SlackDirectory
from handlers.slack.workspace_clients import WorkspaceUnavailable

logger = logging.getLogger(__name__)

LOOKUP_SECONDS = 1.0  # a slow Slack costs the person their language, never their answer
# Events in which someone talks to Delight; others (reactions, uninstalls) need no language.
_CONVERSING_EVENTS = frozenset({"app_mention", "app_home_opened"})


async def language_of(
    directory: SlackDirectory, team_id: str, user_id: str, *, workspace: str = ENGLISH
) -> str:
    """The person's language: their Slack locale's when Delight speaks it and it isn't
    English, else the workspace's (Slack has no Dutch interface: a Dutch workspace's people
    read Dutch through its setting). The workspace's too when the locale can't be known."""
    person = directory.known(team_id, user_id)
    if person is None:  # not met yet: asked, but never for longer than LOOKUP_SECONDS
        try:
            person = await asyncio.wait_for(directory.person(team_id, user_id), LOOKUP_SECONDS)
        except (TimeoutError, SlackApiError, WorkspaceUnavailable, aiohttp.ClientError) as exc:
            logger.info("no locale for %s: %r", user_id, exc)
            return workspace
    own = language_for(person.locale if person is not None else None)
    return own if own != ENGLISH else workspace


def acting_user(body: dict[str, Any]) -> str | None:
    """Who is talking to Delight in this request, if anyone."""
    if "command" in body:
        return body.get("user_id")
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        if event.get("type") in _CONVERSING_EVENTS and not event.get("bot_id"):
            return event.get("user")
        return None
    user = body.get("user")
    return user.get("id") if isinstance(user, dict) else None


class SpeakTheirLanguage(AsyncMiddleware):
    """The rest of the request speaks the language of the person who made it."""

    def __init__(self, directory: SlackDirectory, settings: SettingsRepository) -> None:
        self._directory = directory
        self._settings = settings  # the workspace's language

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        body = req.body
        user_id = acting_user(body)
        team_id = req.context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
        if user_id and team_id:
            workspace = (await self._settings.get(team_id)).language
            speak(await language_of(self._directory, team_id, user_id, workspace=workspace))
        else:
            speak(ENGLISH)
        return await next()


def register(app: AsyncApp, *, directory: SlackDirectory, settings: SettingsRepository) -> None:
    app.middleware(SpeakTheirLanguage(directory, settings))
