"""Who is who, from the Slack Web API, cached: the domain's Directory port.

Plain @names are looked up in a workspace's member list (users.list, a page of 200 at a time,
at Slack's Tier 2 pace). Each workspace crawls its own, once for everyone who asks meanwhile, so
a huge or slow workspace holds up no other. A lookup waits at most LOOKUP_SECONDS for a crawl
before a friendly refusal (the crawl goes on, for the next try). A list longer than
MAX_NAME_PAGES, or slower than CRAWL_SECONDS, is not searched by name at all: a name found in
part of it might belong to someone else in the rest. Answers are cached, unknown people too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core import errors
from bot.core.model import Person
from bot.expiring_cache import ExpiringCache
from handlers.slack.workspace_clients import WorkspaceClients

logger = logging.getLogger(__name__)

PROFILE_TTL = 600  # a renamed or deactivated person is noticed within ten minutes
NAMES_TTL = 300  # a new colleague's name is found within five minutes
UNKNOWN_TTL = 60  # an id that matched nobody is asked about again after a minute
NAME_PAGE_SIZE = 200  # Slack's advice for users.list
MAX_NAME_PAGES = 100  # 20,000 people; in a larger workspace, people pick from Slack's list
CRAWL_SECONDS = 60.0  # one crawl of a member list, at most
LOOKUP_SECONDS = 5.0  # how long a person's lookup waits for a crawl under way
WORKSPACES_KEPT = 1000  # name indexes in memory; the oldest make way


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
        locale=user.get("locale"),
    )


@dataclass(frozen=True, slots=True)
class NameIndex:
    """A workspace's people by lower-cased username and display name."""

    ids_by_name: dict[str, list[str]]
    complete: bool  # False: cut off at MAX_NAME_PAGES or CRAWL_SECONDS (and no names kept)


class SlackDirectory:
    def __init__(
        self,
        clients: WorkspaceClients,
        *,
        max_people: int = 50_000,
        max_name_pages: int = MAX_NAME_PAGES,
        crawl_seconds: float = CRAWL_SECONDS,
        lookup_seconds: float = LOOKUP_SECONDS,
    ) -> None:
        self._clients = clients  # each workspace's own bot token
        self._people: ExpiringCache[tuple[str, str], Person] = ExpiringCache(
            max_people, PROFILE_TTL
        )
        self._unknown: ExpiringCache[tuple[str, str], bool] = ExpiringCache(max_people, UNKNOWN_TTL)
        self._names: ExpiringCache[str, NameIndex] = ExpiringCache(WORKSPACES_KEPT, NAMES_TTL)
        self._crawls: dict[str, asyncio.Task[NameIndex]] = {}  # under way, one a workspace
        self._max_name_pages = max_name_pages
        self._crawl_seconds = crawl_seconds
        self._lookup_seconds = lookup_seconds

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

    def known(self, team_id: str, user_id: str) -> Person | None:
        """The person if the cache has them: no call, no waiting."""
        return self._people.get((team_id, user_id))

    async def person(self, team_id: str, user_id: str) -> Person | None:
        if (cached := self._people.get((team_id, user_id))) is not None:
            return cached
        if self._unknown.get((team_id, user_id)):
            return None
        try:
            client = await self._clients.for_team(team_id)
            response = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "user_not_visible"):
                self._unknown[(team_id, user_id)] = True
                return None
            raise
        person = person_from_slack(response["user"], team_id)
        self._people[(team_id, user_id)] = person
        return person

    async def ids_for_name(self, team_id: str, name: str) -> list[str]:
        """Members whose username or display name is `name` (any case)."""
        index = await self._name_index(team_id, name)
        if not index.complete:  # whoever it matched, someone never read might match too
            raise errors.NameLookupUnavailable(name=name)
        return index.ids_by_name.get(name.lower(), [])

    async def _name_index(self, team_id: str, name: str) -> NameIndex:
        if (index := self._names.get(team_id)) is not None:
            return index
        crawl = self._crawls.get(team_id)
        if crawl is None:
            crawl = asyncio.get_running_loop().create_task(self._crawl(team_id))
            self._crawls[team_id] = crawl
            crawl.add_done_callback(lambda done: self._crawled(team_id, done))
        try:
            # Shielded: a lookup that gives up leaves the crawl to finish for the next one.
            return await asyncio.wait_for(asyncio.shield(crawl), self._lookup_seconds)
        except TimeoutError:
            raise errors.NameLookupUnavailable(name=name) from None

    async def _crawl(self, team_id: str) -> NameIndex:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._crawl_seconds
        client = await self._clients.for_team(team_id)
        index: dict[str, list[str]] = {}
        cursor: str | None = None
        for _ in range(self._max_name_pages):
            try:
                page = await asyncio.wait_for(
                    client.users_list(limit=NAME_PAGE_SIZE, cursor=cursor, include_locale=True),
                    max(deadline - loop.time(), 0.001),
                )
            except TimeoutError:
                break
            for user in page.get("members") or []:
                self._add_to(index, team_id, user)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return NameIndex(index, complete=True)
        logger.warning(
            "the member list of %s is too long to read in time: plain @names are refused there",
            team_id,
        )
        return NameIndex({}, complete=False)

    def _add_to(self, index: dict[str, list[str]], team_id: str, user: dict[str, Any]) -> None:
        person = person_from_slack(user, team_id)
        self._people[(team_id, person.id)] = person
        if person.deleted:
            return
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

    def _crawled(self, team_id: str, crawl: asyncio.Task[NameIndex]) -> None:
        self._crawls.pop(team_id, None)
        if crawl.cancelled():
            return
        if (error := crawl.exception()) is not None:  # its waiters saw it; nobody else will
            logger.warning("the member list of %s could not be read: %r", team_id, error)
            return
        self._names[team_id] = crawl.result()
