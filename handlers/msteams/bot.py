"""One activity from Teams, verified already: remember where it came from and who sent it,
act on it once, and answer (an invoke's answer is its HTTP response; everything else is acked
at once and done in the background, as Teams expects within seconds)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_teams.api.activities import (
    ActivityTypeAdapter,
    ConversationUpdateActivity,
    InstalledActivity,
    MessageActivity,
    MessageReactionActivity,
    UninstalledActivity,
)
from microsoft_teams.api.activities.invoke.adaptive_card.action import (
    AdaptiveCardInvokeActivity,
)
from microsoft_teams.api.activities.invoke.message_extension.fetch_task import (
    MessageExtensionFetchTaskInvokeActivity,
)
from microsoft_teams.api.activities.invoke.message_extension.submit_action import (
    MessageExtensionSubmitActionInvokeActivity,
)
from microsoft_teams.api.activities.invoke.task.task_fetch import TaskFetchInvokeActivity
from microsoft_teams.api.activities.invoke.task.task_submit import TaskSubmitInvokeActivity
from microsoft_teams.api.models.activity import Activity as ActivityModel
from pydantic import ValidationError

from bot.core.keyed_locks import KeyedLocks
from bot.expiring_cache import ExpiringCache
from bot.i18n import ENGLISH, language_for, speak
from bot.turns import DeliveryTurns
from handlers.msteams.card_actions import execute
from handlers.msteams.context import TeamsServices
from handlers.msteams.dialog_routes import dialog_named
from handlers.msteams.dialogs import InvokeAnswer, open_nomination, submit_nomination
from handlers.msteams.directory import Where, current_conversation
from handlers.msteams.lifecycle import (
    on_channel_created,
    on_channel_deleted,
    on_channel_restored,
    on_installed,
    on_removed,
    on_team_archived,
    on_team_renamed,
    on_team_restored,
    on_team_unarchived,
)
from handlers.msteams.messages import on_message
from handlers.msteams.messenger import base_conversation
from handlers.msteams.reactions import on_reaction
from handlers.msteams.turn import NotForDelight, Turn, mentions_of, turn_of

logger = logging.getLogger(__name__)

TEAM_GONE = ("teamDeleted", "teamHardDeleted")
LIFECYCLE = (InstalledActivity, UninstalledActivity, ConversationUpdateActivity)
# A conversationUpdate's channelData.eventType, and what it does (installs and removals aside).
TEAM_EVENTS: dict[str, Callable[[TeamsServices, Turn], Awaitable[None]]] = {
    "channelCreated": on_channel_created,
    "channelRenamed": on_channel_created,
    "channelDeleted": on_channel_deleted,
    "channelRestored": on_channel_restored,
    "teamRenamed": on_team_renamed,
    "teamRestored": on_team_restored,
    "teamArchived": on_team_archived,
    "teamUnarchived": on_team_unarchived,
}
SEEN_SECONDS = 600.0  # how long a sighting of a conversation or person is trusted unwritten
# Activities acted on at once; more wait their turn. Unbounded, a burst was acted on all at
# once: the acks shared the event loop with all of it, every activity's objects were held at
# once, and a person met for the first time was looked up once per activity (bench/README.md).
# SQLite's transactions run on the event loop: 120 at once took the p99 ack past 200 ms. On
# PostgreSQL an activity mostly waits for the server (its group's commit), so twice as many
# keep the loop busy: about 15% more kudos a second, the p99 ack unchanged.
ACTING_AT_ONCE = 40
ACTING_AT_ONCE_POSTGRES = 80


class TeamsBot:
    def __init__(self, services: TeamsServices, *, acting_at_once: int = ACTING_AT_ONCE) -> None:
        self.services = services
        self._seen: ExpiringCache[tuple[str, ...], bool] = ExpiringCache(50_000, SEEN_SECONDS)
        # Shutdown lets started and waiting work finish (bot/runtime.py).
        self._acting = DeliveryTurns(while_answering=acting_at_once, otherwise=acting_at_once)
        # A tenant's installs, removals and team events, one at a time in the order they came:
        # side by side, a removal and an installation of one team interleaved their pauses
        # and resumes, and ended with the team installed and its schedules paused.
        self._lifecycle: KeyedLocks[str] = KeyedLocks()

    def act_later(self, body: dict[str, Any]) -> None:
        """An activity other than an invoke, verified and acked already: read and acted on in a
        turn of its own, so Teams never waits on Delight's database, and a burst of activities
        never holds up the acks of those that follow (bot/turns.py)."""
        self._acting.start(self._read_and_act(body))

    async def on_invoke(self, activity: ActivityModel) -> InvokeAnswer:
        """An invoke's answer: its HTTP response."""
        turn = self._turn(activity)
        await self._prepare(turn)
        if not await self._first_time(turn):
            return {}
        return await self._invoke(turn, activity)

    def _turn(self, activity: ActivityModel) -> Turn:
        turn = turn_of(activity)
        current_conversation.set(Where(turn.service_url, base_conversation(turn.conversation_id)))
        return turn

    async def _read_and_act(self, body: dict[str, Any]) -> None:
        if (activity := activity_of(body)) is None:
            return
        try:
            turn = self._turn(activity)
            if isinstance(activity, LIFECYCLE):
                # Taken before any await: turns start in arrival order, and so queue here;
                # then across processes (on PostgreSQL, web processes share the tenants).
                async with self._lifecycle(turn.workspace), self.services.held(turn.workspace):
                    await self._act(turn, activity)
            else:
                await self._act(turn, activity)
        except NotForDelight as why:
            logger.info("a Teams activity was ignored: %s", why)
        except Exception:
            logger.exception("a Teams activity failed")

    async def _act(self, turn: Turn, activity: ActivityModel) -> None:
        await self._prepare(turn)
        if isinstance(activity, MessageActivity):
            text, mentions = activity.text or "", mentions_of(activity)
            once = functools.partial(self._first_time, turn)
            await on_message(self.services, turn, text, mentions, first_time=once)
            return
        if not await self._first_time(turn):
            return
        match activity:
            case MessageReactionActivity():
                added = [r.type for r in activity.reactions_added or ()]
                removed = [r.type for r in activity.reactions_removed or ()]
                await on_reaction(self.services, turn, added, removed)
            case InstalledActivity():
                await on_installed(self.services, turn)
            case UninstalledActivity():
                await on_removed(self.services, turn)
            case ConversationUpdateActivity():
                await self._conversation_update(turn, activity)

    async def _conversation_update(self, turn: Turn, activity: ConversationUpdateActivity) -> None:
        services = self.services
        data = activity.channel_data
        event = data.event_type if data is not None else None
        if any(m.id == turn.bot_id for m in activity.members_added or ()):
            await on_installed(services, turn)
        elif event in TEAM_GONE or any(m.id == turn.bot_id for m in activity.members_removed or ()):
            await on_removed(services, turn)
        elif event is not None and (handler := TEAM_EVENTS.get(event)) is not None:
            await handler(services, turn)

    async def _invoke(self, turn: Turn, activity: ActivityModel) -> InvokeAnswer:
        if turn.user_id is None:
            return {}
        match activity:
            case MessageExtensionFetchTaskInvokeActivity():
                author = quoted = None
                payload = activity.value.message_payload
                if payload is not None:
                    user = payload.from_.user if payload.from_ is not None else None
                    author = (user.id or "").lower() if user is not None else None
                    quoted = _plain_body(payload.body.content if payload.body else None)
                return await open_nomination(
                    self.services,
                    turn,
                    people=(author,) if author and author != turn.user_id else (),
                    quoted_message=quoted,
                )
            case MessageExtensionSubmitActionInvokeActivity():
                data = activity.value.data if isinstance(activity.value.data, dict) else {}
                link = None
                if activity.value.message_payload is not None:
                    link = activity.value.message_payload.link_to_message
                return await submit_nomination(self.services, turn, data, source_url=link)
            case TaskFetchInvokeActivity():
                data = _data(activity.value)
                dialog = dialog_named(data)
                return {} if dialog is None else await dialog.open(self.services, turn, data)
            case TaskSubmitInvokeActivity():
                data = _data(activity.value)
                dialog = dialog_named(data)
                return {} if dialog is None else await dialog.submit(self.services, turn, data)
            case AdaptiveCardInvokeActivity():
                action = activity.value.action
                data = action.data if isinstance(action.data, dict) else {}
                return await execute(self.services, turn, action.verb or "", data)
        return {}

    async def _speak_their_language(self, turn: Turn) -> None:
        """Their Teams client's language when Delight speaks it, else the workspace's."""
        own = language_for(turn.locale)
        if own == ENGLISH and not (turn.locale or "").lower().startswith("en"):
            own = (await self.services.core.administration.settings.get(turn.workspace)).language
        speak(own)

    async def _remember(self, turn: Turn) -> None:
        """Where this conversation is served from, and who the sender is (written when new or
        changed, at most every SEEN_SECONDS)."""
        book, now = self.services.book, self.services.core.clock.now()
        tenant = ("tenant", turn.workspace, turn.service_url)
        if self._seen.get(tenant) is None:
            await book.remember_tenant(turn.workspace, service_url=turn.service_url, at=now)
            self._seen[tenant] = True
        conversation_id = base_conversation(turn.conversation_id)
        name = _own_name(turn, conversation_id)
        place = ("conversation", turn.workspace, conversation_id, turn.service_url, name or "")
        if self._seen.get(place) is None:
            await book.remember_conversation(
                turn.workspace,
                conversation_id,
                service_url=turn.service_url,
                kind=turn.kind,
                at=now,
                team_id=turn.team_id,
                user_id=turn.user_id if turn.personal else None,
                name=name,
            )
            self._seen[place] = True
        if turn.user_id is None:
            return
        # What may differ between sightings is in the key: one that lacks the timezone (an
        # invoke's clientInfo often does) must not pass for one that has it.
        person = (
            "member",
            turn.workspace,
            turn.user_id,
            turn.member_id,
            turn.name,
            turn.locale or "",
            turn.timezone or "",
        )
        if self._seen.get(person) is None:
            await book.remember_member(
                turn.workspace,
                turn.user_id,
                member_id=turn.member_id,
                name=turn.name,
                at=now,
                locale=turn.locale,
                timezone=turn.timezone,
            )
            self._seen[person] = True

    async def _prepare(self, turn: Turn) -> None:
        """The sender remembered and their language spoken, for whatever comes next."""
        await self._speak_their_language(turn)
        await self._remember(turn)

    async def _first_time(self, turn: Turn) -> bool:
        """The first delivery of this activity (Teams retries what isn't answered in time)."""
        if not turn.activity_id:
            return True
        first = await self.services.ledger.first_delivery(
            team_id=turn.workspace,
            event_id=f"msteams:{turn.activity_id}"[:255],
            at=self.services.core.clock.now(),
        )
        if not first:
            logger.info("repeat of Teams activity ignored")
        return first


def activity_of(body: dict[str, Any]) -> ActivityModel | None:
    """The SDK's typed activity; None (logged) for a shape Delight doesn't know."""
    try:
        return ActivityTypeAdapter.validate_python(body)
    except ValidationError:
        logger.info("a Teams activity of a shape Delight doesn't know was ignored")
        return None


def _own_name(turn: Turn, conversation_id: str) -> str | None:
    """The conversation's name, when the activity's channel is that conversation (an event
    about another channel, one created say, names that one)."""
    if turn.channel_id is not None and turn.channel_id != conversation_id:
        return None
    return turn.channel_name or turn.team_name


def _data(value: object) -> dict[str, Any]:
    data = getattr(value, "data", None)
    return data if isinstance(data, dict) else {}


def _plain_body(html_text: str | None) -> str | None:
    if not html_text:
        return None
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", html_text)).strip() or None
