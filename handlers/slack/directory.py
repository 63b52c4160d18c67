"""Who is who, from the Slack Web API, cached: the domain's Directory port."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.model import Person
from bot.expiring_cache import ExpiringCache
from handlers.slack.workspace_clients import WorkspaceClients

logger = logging.getLogger(__name__)

PROFILE_TTL = 600  # a renamed or deactivated person is noticed within ten minutes
NAMES_TTL = 300


def person_from_slack(user: dict[str, Any], team_id: str) -> Person:
    """As the workspace `team_id` sees them: a guest from another organisation (Slack
    Connect) is no admin here, whatever they are at home."""
    profile = user.get("profile") or {}
    home = user.get("team_id")
    return Person(
        id=user["id"],
        name=profile.get("display_name") or user.get("real_name") or user.get("name") or user["id"],
        # Slackbot is not flagged as a bot, but it is one.
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        tz=user.get("tz"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")) and home in (None, team_id),
    )


class SlackDirectory:
    def __init__(self, clients: WorkspaceClients, *, max_people: int = 50_000) -> None:
        self._clients = clients  # each workspace's own bot token
        self._people: ExpiringCache[tuple[str, str], Person] = ExpiringCache(
            max_people, PROFILE_TTL
        )
        self._names: dict[str, tuple[float, dict[str, list[str]]]] = {}
        self._names_lock = asyncio.Lock()

    async def people(self, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        missing = []
        for uid in dict.fromkeys(user_ids):
            if (cached := self._people.get((team_id, uid))) is not None:
                found[uid] = cached
            else:
                missing.append(uid)
        if missing:  # looked up side by side
            looked_up = await asyncio.gather(*(self.person(team_id, uid) for uid in missing))
            found.update((p.id, p) for p in looked_up if p is not None)
        return found

    async def person(self, team_id: str, user_id: str) -> Person | None:
        if (cached := self._people.get((team_id, user_id))) is not None:
            return cached
        try:
            client = await self._clients.for_team(team_id)
            response = await client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise
        person = person_from_slack(response["user"], team_id)
        self._people[(team_id, user_id)] = person
        return person

    async def ids_for_name(self, team_id: str, name: str) -> list[str]:
        """Members whose username or display name is `name` (any case)."""
        index = await self._name_index(team_id)
        return index.get(name.lower(), [])

    async def _name_index(self, team_id: str) -> dict[str, list[str]]:
        async with self._names_lock:
            cached = self._names.get(team_id)
            if cached and time.monotonic() - cached[0] < NAMES_TTL:
                return cached[1]
            index: dict[str, list[str]] = {}
            client = await self._clients.for_team(team_id)
            async for page in await client.users_list(limit=200):
                for user in page.get("members", []):
                    person = person_from_slack(user, team_id)
                    self._people[(team_id, person.id)] = person
                    if person.deleted:
                        continue
                    profile = user.get("profile") or {}
                    names = {
                        str(n).lower()
                        for n in (
                            user.get("name"),
                            profile.get("display_name"),
                            profile.get("display_name_normalized"),
                        )
                        if n
                    }
                    for n in names:
                        index.setdefault(n, []).append(person.id)
            self._names[team_id] = (time.monotonic(), index)
            return index
