"""Delivering scheduled tips through Teams (the core's TipPoster and Channels ports): a card in a
team's channel, or a 1:1 card to each member of a team (its roster read from the connector),
paced by the connector. Whom Teams refuses (not installed for them, or blocked) is recorded
by the core and never retried; the admin who set the schedule up is told, once a round."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.elements import Element
from bot.core.model import FailureReason, NotPosted, PostOutcome
from bot.core.platform import ChannelProblem
from bot.core.ports import SettingsRepository
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_delivery import MAX_MEMBERS_TO_DM, more_members_than_can_be_dmed
from bot.core.tips import Tip
from bot.core.workspaces import native_id
from bot.expiring_cache import ExpiringCache
from bot.i18n import _, speaking
from handlers.msteams import tip_cards
from handlers.msteams.adaptive import CardMessage
from handlers.msteams.book import ConversationBook, KnownConversation
from handlers.msteams.connector import Connector, ConnectorError, ConnectorUnavailable, NotFound
from handlers.msteams.directory import TeamsDirectory
from handlers.msteams.installs import InstallBook, archived_teams
from handlers.msteams.messenger import PERSON_REFUSED, Messenger

logger = logging.getLogger(__name__)

TOLD_SECONDS = 7 * 24 * 3600.0  # an admin hears about one refused person once a week at most


@dataclass
class _Round:
    """One fan-out of a schedule's tip: who is still to come, and whom Teams refused."""

    waiting: set[str]
    refused: list[str] = field(default_factory=list)


class TeamsTipPoster:
    def __init__(
        self,
        messenger: Messenger,
        connector: Connector,
        book: ConversationBook,
        directory: TeamsDirectory,
        settings: SettingsRepository,
    ) -> None:
        self._messenger = messenger
        self._connector = connector
        self._book = book
        self._directory = directory
        self._settings = settings
        self._rounds: dict[int, _Round] = {}
        self._told: ExpiringCache[tuple[int, str], bool] = ExpiringCache(100_000, TOLD_SECONDS)

    async def language(self, team_id: str, person_id: str | None) -> str:
        workspace = (await self._settings.get(team_id)).language
        if person_id is None:
            return workspace
        return await self._messenger.language_of(team_id, person_id, workspace=workspace)

    async def post_tip(
        self, schedule: TipSchedule, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        with speaking(language):
            message = tip_cards.tip_card(tip, element)
        return await self._messenger.post(schedule.team_id, schedule.channel_id, message)

    async def members(self, schedule: TipSchedule) -> list[str] | NotPosted:
        """The people on the roster of the schedule's team (bots and guests without an Entra id
        left out), remembered so their 1:1s can be opened."""
        team = await _team_of(self._book, schedule.team_id, schedule.channel_id)
        service_url = await self._messenger.service_url(schedule.team_id, schedule.channel_id)
        if service_url is None:
            return NotPosted(schedule.channel_id, FailureReason.CHANNEL_NOT_FOUND, "unknown")
        people: list[str] = []
        continuation: str | None = None
        try:
            while True:
                page, continuation = await self._connector.members_page(
                    service_url,
                    team,
                    continuation=continuation,
                    tenant_id=native_id(schedule.team_id),
                )
                page = [m for m in page if m.aad_id and m.member_id.startswith("29:")]
                await self._directory.remember_roster(schedule.team_id, page)
                people += [member.aad_id.lower() for member in page if member.aad_id]
                if len(people) > MAX_MEMBERS_TO_DM:  # no need to read the rest
                    detail = more_members_than_can_be_dmed()
                    return NotPosted(schedule.channel_id, FailureReason.TOO_MANY_MEMBERS, detail)
                if not continuation:
                    break
        except ConnectorUnavailable as error:
            return NotPosted(schedule.channel_id, FailureReason.SERVICE_UNAVAILABLE, str(error))
        except NotFound:
            return NotPosted(schedule.channel_id, FailureReason.CHANNEL_NOT_FOUND, "team_not_found")
        except ConnectorError as error:  # 403: Delight was removed from the team
            return NotPosted(
                schedule.channel_id, FailureReason.NOT_IN_CHANNEL, error.code or str(error.status)
            )
        people = list(dict.fromkeys(people))
        await self._end_round(schedule)  # whatever a cut-off round left untold
        self._rounds[schedule.id] = _Round(waiting=set(people))
        return people

    async def direct_message_tip(
        self, schedule: TipSchedule, recipient_id: str, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        with speaking(language):
            message = tip_cards.tip_card(tip, element)
        # The connector paces it: per conversation, and across the tenant.
        outcome = await self._messenger.to_person(schedule.team_id, recipient_id, message)
        turn = self._rounds.get(schedule.id)
        if turn is not None:
            turn.waiting.discard(recipient_id)
            if isinstance(outcome, NotPosted) and outcome.detail in PERSON_REFUSED:
                turn.refused.append(recipient_id)
            if not turn.waiting:
                await self._end_round(schedule)
        return outcome

    async def tell_owner_paused(self, schedule: TipSchedule, reason: FailureReason) -> None:
        await self._tell_owner(schedule, lambda place: tip_cards.schedule_paused(place, reason))

    async def tell_owner_place_paused(self, schedule: TipSchedule, reason: str) -> None:
        told = await self._tell_owner(
            schedule, lambda place: tip_cards.schedule_place_paused(place, reason=reason)
        )
        if isinstance(told, NotPosted):
            logger.warning("tip schedule %s: its admin wasn't told of the pause", schedule.id)

    async def _tell_owner(
        self, schedule: TipSchedule, message: Callable[[str], CardMessage]
    ) -> PostOutcome | None:
        """`message` about the schedule's place (its name), in its owner's language, in their
        1:1 chat; None when the schedule has no owner to tell."""
        if not schedule.owner_id:
            return None
        place = await self._place(schedule)
        with speaking(await self.language(schedule.team_id, schedule.owner_id)):
            card = message(place)
        return await self._messenger.to_person(schedule.team_id, schedule.owner_id, card)

    async def _end_round(self, schedule: TipSchedule) -> None:
        """Tell the schedule's admin whom Teams refused this round (not told this week yet)."""
        ended = self._rounds.pop(schedule.id, None)
        if ended is None or not schedule.owner_id:
            return
        new = [uid for uid in ended.refused if self._told.get((schedule.id, uid)) is None]
        if not new:
            return
        for uid in new:
            self._told[(schedule.id, uid)] = True
        names = await self._messenger.names(schedule.team_id, new[: tip_cards.NAMES_SHOWN])
        place = await self._place(schedule)
        with speaking(await self.language(schedule.team_id, schedule.owner_id)):
            message = tip_cards.members_refused(
                place,
                [names.person(uid) for uid in new[: tip_cards.NAMES_SHOWN]],
                more=max(0, len(new) - tip_cards.NAMES_SHOWN),
            )
        told = await self._messenger.to_person(schedule.team_id, schedule.owner_id, message)
        if isinstance(told, NotPosted):
            logger.warning("tip schedule %s: its admin wasn't told of refusals", schedule.id)

    async def _place(self, schedule: TipSchedule) -> str:
        return (await places(self._book, schedule.team_id)).get(schedule.channel_id) or _(
            "a channel"
        )


class TeamsChannels:
    """Whether a schedule can deliver there: a team channel Delight knows (it was installed in
    the team, or spoken to in the channel), to post in unless its team is archived; for 1:1s,
    a team it knows."""

    def __init__(self, book: ConversationBook, installs: InstallBook) -> None:
        self._book = book
        self._installs = installs

    async def problem(
        self, team_id: str, channel_id: str, *, mode: DeliveryMode
    ) -> ChannelProblem | None:
        known = await self._book.conversation(team_id, channel_id)
        if known is not None and known.kind != "channel":
            return ChannelProblem.NOT_A_CHANNEL
        if known is not None and known.removed_at is not None:
            return ChannelProblem.NOT_FOUND  # deleted
        if known is not None:
            if mode is DeliveryMode.CHANNEL and known.team_id in archived_teams(
                await self._installs.teams(team_id)
            ):
                return ChannelProblem.ARCHIVED
            return None
        if mode is DeliveryMode.MEMBERS and any(
            c.team_id == channel_id for c in await self._book.channels(team_id)
        ):
            return None
        return ChannelProblem.NOT_FOUND


async def _team_of(book: ConversationBook, team_id: str, channel_id: str) -> str:
    """The Teams team a channel belongs to (a team's id is its General channel's)."""
    known = await book.conversation(team_id, channel_id)
    return known.team_id if known is not None and known.team_id else channel_id


def place_name(channel: KnownConversation) -> str:
    """A channel as people know it: "Team › channel", or the team's name for its General."""
    if channel.name:
        return channel.name
    if channel.team_id and channel.conversation_id == channel.team_id:
        return _("General")
    return _("a channel")


async def places(book: ConversationBook, team_id: str) -> dict[str, str]:
    """Every known channel's (and team's) name, by id."""
    found: dict[str, str] = {}
    for channel in await book.channels(team_id):
        found[channel.conversation_id] = place_name(channel)
    for channel in await book.channels(team_id):
        if channel.team_id and channel.team_id not in found:
            found[channel.team_id] = place_name(channel)
    return found
