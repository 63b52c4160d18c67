"""Manager digests in Teams: the ports the core's DigestService calls (DigestPoster, People,
MemberSources). The digest goes to the manager's 1:1 chat as a card; its chart is kept by
Delight and shown from DELIGHT_PUBLIC_URL, or given as text when there is no public address."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.digest import Digest
from bot.core.installations import REMOVED_FROM_PLACE
from bot.core.keyed_locks import KeyedLocks
from bot.core.model import FailureReason, MessageRef, NotPosted, Person
from bot.core.ports import Clock, SettingsRepository
from bot.core.workspaces import native_id
from bot.expiring_cache import ExpiringCache
from bot.i18n import speaking
from handlers.msteams.book import ConversationBook, KnownMember
from handlers.msteams.connector import Connector, ConnectorError
from handlers.msteams.digest_card import digest_card, digest_place_paused, digest_undelivered
from handlers.msteams.directory import TeamsDirectory
from handlers.msteams.messenger import Messenger
from handlers.msteams.text import Names

logger = logging.getLogger(__name__)

CHART_LIFETIME = timedelta(days=28)  # a digest's image shows for four weeks, then 404s
CHART_PATH = "/charts/{token}.png"
CHART_ROUTE = "/charts/{token:[A-Za-z0-9_-]{16,64}}.png"
PEOPLE_TTL = 30.0  # seconds: one read of the tenant's people per digest run, not per manager


class ChartShelf(Protocol):
    """Charts kept under random tokens until they expire (storage/digest_charts.py)."""

    async def keep(
        self, workspace_id: str, png: bytes, *, now: datetime, until: datetime
    ) -> str: ...

    async def find(self, token: str, *, now: datetime) -> bytes | None: ...


class TeamsTeam(Protocol):
    @property
    def team_id(self) -> str: ...  # 19:…
    @property
    def name(self) -> str | None: ...


class Rosters(Protocol):
    """Everyone Delight has met in a tenant, and the Teams teams it is in
    (storage/msteams_rosters.py)."""

    async def everyone(self, workspace_id: str) -> Sequence[KnownMember]: ...

    async def teams(self, workspace_id: str) -> Sequence[TeamsTeam]: ...


class TeamsPeople:
    """The People port: the people Delight knows in the tenant (met in a chat, or read from a
    team's roster), with the timezone and locale their Teams client last gave."""

    def __init__(self, rosters: Rosters) -> None:
        self._rosters = rosters
        self._cache: ExpiringCache[str, dict[str, Person]] = ExpiringCache(1_000, PEOPLE_TTL)
        self._locks: KeyedLocks[str] = KeyedLocks()

    async def everyone(self, team_id: str) -> dict[str, Person]:
        async with self._locks(team_id):
            if (cached := self._cache.get(team_id)) is not None:
                return cached
            seen = self._cache.invalidations  # a read across `forget` is returned, not kept
            people = {
                m.user_id: Person(
                    id=m.user_id, name=m.name, is_bot=m.is_bot, tz=m.timezone, locale=m.locale
                )
                for m in await self._rosters.everyone(team_id)
            }
            if seen == self._cache.invalidations:
                self._cache[team_id] = people
            return people

    def forget(self, team_id: str) -> None:
        """Someone new was met: read the tenant again next time."""
        self._cache.pop(team_id)


class TeamsMemberSources:
    """The MemberSources port. A team's "channels" on Teams are Teams teams (their 19: ids),
    whose roster is read again before each digest; Teams has no user groups."""

    def __init__(
        self,
        connector: Connector,
        book: ConversationBook,
        directory: TeamsDirectory,
        people: TeamsPeople,
    ) -> None:
        self._connector = connector
        self._book = book
        self._directory = directory
        self._people = people

    async def usergroup_members(self, team_id: str, usergroup_id: str) -> list[str]:
        return []  # no such thing in Teams: a team made here never names one

    async def channel_members(self, team_id: str, channel_id: str) -> list[str]:
        """The Teams team's roster (Entra ids), each member remembered so that their 1:1
        can be opened and their name shown. Unreadable (Delight removed from the team, Teams
        down): nobody, as on Slack, and the team keeps its other members."""
        known = await self._book.conversation(team_id, channel_id)
        service_url = known.service_url if known else await self._book.service_url(team_id)
        if service_url is None:
            logger.warning("roster of %s unreadable: no service URL", channel_id)
            return []
        found: list[str] = []
        continuation: str | None = None
        try:
            while True:
                members, continuation = await self._connector.members_page(
                    service_url, channel_id, continuation=continuation, tenant_id=native_id(team_id)
                )
                await self._directory.remember_roster(team_id, members)
                found += [member.aad_id.lower() for member in members if member.aad_id]
                if not continuation:
                    break
        except ConnectorError as error:
            logger.warning("roster of %s unreadable: %s", channel_id, error)
            return []
        self._people.forget(team_id)
        return found


class TeamsDigestPoster:
    """The DigestPoster port: the digest as a card in the manager's 1:1 chat (opened through
    the connector the first time). A 403 there comes back as `recipient_unavailable`, which the
    core records on the ledger row, never retries, and tells the team's creator about."""

    def __init__(
        self,
        messenger: Messenger,
        settings: SettingsRepository,
        people: TeamsPeople,
        *,
        charts: ChartShelf | None,
        public_url: str | None,
        clock: Clock,
    ) -> None:
        self._messenger = messenger
        self._settings = settings
        self._people = people
        self._charts = charts
        self._public_url = public_url
        self._clock = clock

    async def language(self, team_id: str, person_id: str) -> str:
        """Their Teams client's language when Delight speaks it, else the workspace's."""
        workspace = (await self._settings.get(team_id)).language
        return await self._messenger.language_of(team_id, person_id, workspace=workspace)

    async def send(
        self,
        team_id: str,
        manager_id: str,
        digest: Digest,
        chart: bytes | None,
        *,
        dm_channel: str | None,
        language: str,
    ) -> MessageRef | NotPosted:
        # dm_channel: the stored 1:1 conversation is the same one; Messenger finds it.
        chart_url = await self._chart_url(team_id, chart) if chart is not None else None
        names = await self.names(team_id, digest_people(digest))
        with speaking(language):
            card = digest_card(digest, names, chart_url=chart_url)
        return await self._messenger.to_person(team_id, manager_id, card)

    async def _chart_url(self, team_id: str, chart: bytes) -> str | None:
        """Where Teams fetches the chart from; None (text bars) without a public address or
        when it could not be kept."""
        if self._public_url is None or self._charts is None:
            return None
        now = self._clock.now()
        try:
            token = await self._charts.keep(team_id, chart, now=now, until=now + CHART_LIFETIME)
        except Exception:  # a chart is never worth a lost digest
            logger.exception("digest chart not kept: sending text bars")
            return None
        return self._public_url + CHART_PATH.format(token=token)

    async def tell_creator(
        self,
        team_id: str,
        creator_id: str,
        manager_id: str,
        digest: Digest,
        reason: FailureReason,
    ) -> None:
        names = await self.names(team_id, (manager_id,))
        with speaking(await self.language(team_id, creator_id)):
            card = digest_undelivered(manager_id, digest, reason, names)
        outcome = await self._messenger.to_person(team_id, creator_id, card)
        if isinstance(outcome, NotPosted):
            logger.warning("the creator of team %s couldn't be told either", digest.team_pk)

    async def tell_creator_place_paused(
        self, team_id: str, creator_id: str, team_name: str, reason: str
    ) -> None:
        with speaking(await self.language(team_id, creator_id)):
            card = digest_place_paused(team_name, removed=reason == REMOVED_FROM_PLACE)
        outcome = await self._messenger.to_person(team_id, creator_id, card)
        if isinstance(outcome, NotPosted):
            logger.warning("the creator of a team of people wasn't told of its pause")

    async def names(self, team_id: str, user_ids: Iterable[str]) -> Names:
        everyone = await self._people.everyone(team_id)
        return await people_names(everyone, self._messenger, team_id, user_ids)


async def people_names(
    everyone: dict[str, Person], messenger: Messenger, team_id: str, user_ids: Iterable[str]
) -> Names:
    """Names from the tenant's people read for the digest, the rest looked up one by one."""
    wanted = list(dict.fromkeys(user_ids))
    named = {uid: everyone[uid].name for uid in wanted if uid in everyone}
    missing = [uid for uid in wanted if uid not in named]
    if missing:
        named.update((await messenger.names(team_id, missing)).people)
    return Names(people=named)


def digest_people(digest: Digest) -> list[str]:
    """Everyone a digest may name."""
    found = [m.member_id for m in digest.recognised]
    found += [r.giver_id for m in digest.recognised for r in m.received]
    found += list(digest.quiet)
    if digest.most_endorsed is not None:
        found += [digest.most_endorsed.received.giver_id, *digest.most_endorsed.recipient_ids]
    return found
