"""Who is in a user group or a channel, and the workspace's whole directory (for timezones
and to leave out bots and deactivated accounts): what digests read from Slack."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError

from bot.core.keyed_locks import KeyedLocks
from bot.core.model import Person
from bot.expiring_cache import ExpiringCache
from handlers.slack.directory import person_from_slack
from handlers.slack.workspace_clients import WorkspaceClients

logger = logging.getLogger(__name__)

DIRECTORY_TTL = 600  # one users.list crawl per workspace per ten minutes at most
PAGE = 200  # Slack's recommended page size for cursor-paged methods


class SlackMemberSources:
    def __init__(self, clients: WorkspaceClients) -> None:
        self._clients = clients  # each workspace's own token

    async def usergroup_members(self, team_id: str, usergroup_id: str) -> list[str]:
        client = await self._clients.for_team(team_id)
        try:
            response = await client.usergroups_users_list(usergroup=usergroup_id)
        except SlackApiError as exc:
            # A deleted or disabled group: the team keeps its other members.
            logger.warning("user group %s unreadable: %s", usergroup_id, exc.response.get("error"))
            return []
        return [str(uid) for uid in response.get("users") or []]

    async def channel_members(self, team_id: str, channel_id: str) -> list[str]:
        members: list[str] = []
        client = await self._clients.for_team(team_id)
        try:
            async for page in await client.conversations_members(channel=channel_id, limit=PAGE):
                members += [str(uid) for uid in page.get("members") or []]
        except SlackApiError as exc:
            # Archived, deleted, or private without Delight in it.
            logger.warning("channel %s unreadable: %s", channel_id, exc.response.get("error"))
            return []
        return members


class SlackPeople:
    """The workspace's directory from users.list: one paged crawl (Tier 2) instead of a
    users.info call per person, cached for DIRECTORY_TTL."""

    def __init__(self, clients: WorkspaceClients) -> None:
        self._clients = clients  # each workspace's own token
        self._cache: ExpiringCache[str, dict[str, Person]] = ExpiringCache(1_000, DIRECTORY_TTL)
        self._locks: KeyedLocks[str] = KeyedLocks()

    async def everyone(self, team_id: str) -> dict[str, Person]:
        async with self._locks(team_id):
            if (cached := self._cache.get(team_id)) is not None:
                return cached
            started = time.monotonic()
            people: dict[str, Person] = {}
            client = await self._clients.for_team(team_id)
            async for page in await client.users_list(limit=PAGE):
                for user in page.get("members") or []:
                    person = person_from_slack(user, team_id)
                    people[person.id] = person
            logger.info(
                "read %d people of %s in %.1fs", len(people), team_id, time.monotonic() - started
            )
            self._cache[team_id] = people
            return people
