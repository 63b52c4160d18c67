"""Delivering scheduled tips through Slack (the domain's TipPoster and Channels ports), and
the tip's "Recognise someone who did this" button."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.elements import Element
from bot.core.installations import problem_of
from bot.core.model import FailureReason, NotPosted, PostOutcome
from bot.core.platform import ChannelProblem
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_delivery import MAX_MEMBERS_TO_DM, more_members_than_can_be_dmed
from bot.core.tips import Tip
from bot.i18n import speaking
from handlers.slack import blocks, ids
from handlers.slack.blocks import Message
from handlers.slack.members import SlackPeople
from handlers.slack.notifier import SlackNotifier, failure_reason
from handlers.slack.pacing import Rate, Schedule
from handlers.slack.workspace_clients import WorkspaceClients, WorkspaceUnavailable

logger = logging.getLogger(__name__)

# Slack lets an app post "several hundred messages a minute" across a workspace, and about
# one a second into each conversation: each DM is its own conversation, so the workspace
# budget is what binds. Well under it, with a small burst so a short list goes at once.
DIRECT_MESSAGES = Rate(per_minute=100, burst=10)
PAGE = 200  # Slack's recommended page size for conversations.members


class SlackTipPoster:
    """Delivers tips with the schedule's workspace's own token (through `clients` and the
    notifier), DMs paced per workspace: Slack's limits are each workspace's."""

    def __init__(
        self,
        clients: WorkspaceClients,
        notifier: SlackNotifier,
        people: SlackPeople,
    ) -> None:
        self._clients = clients
        self._notifier = notifier
        self._people = people
        self._paces: dict[str, Schedule] = {}  # per workspace

    async def language(self, team_id: str, person_id: str | None) -> str:
        if person_id is None:
            return await self._notifier.channel_language(team_id)
        return await self._notifier.language_of(team_id, person_id)

    async def post_tip(
        self, schedule: TipSchedule, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        with speaking(language):
            message = blocks.tip_message(tip, element)
        return await self._notifier.post(schedule.channel_id, message, team_id=schedule.team_id)

    async def members(self, schedule: TipSchedule) -> list[str] | NotPosted:
        member_ids: list[str] = []
        try:
            client = await self._clients.for_team(schedule.team_id)
            async for page in await client.conversations_members(
                channel=schedule.channel_id, limit=PAGE
            ):
                member_ids += [str(uid) for uid in page.get("members") or []]
                if len(member_ids) > MAX_MEMBERS_TO_DM:  # no need to read the rest
                    detail = more_members_than_can_be_dmed()
                    return NotPosted(schedule.channel_id, FailureReason.TOO_MANY_MEMBERS, detail)
        except SlackApiError as error:
            reason, code = failure_reason(error)
            return NotPosted(schedule.channel_id, reason, code)
        except (TimeoutError, aiohttp.ClientError) as error:
            reason = FailureReason.SERVICE_UNAVAILABLE
            return NotPosted(schedule.channel_id, reason, type(error).__name__)
        except WorkspaceUnavailable as unavailable:
            return NotPosted(schedule.channel_id, FailureReason.OTHER, unavailable.reason)
        people = await self._people.everyone(schedule.team_id)
        # People only: not bots (Delight itself included), not deactivated accounts, and not
        # guests from other organisations, whom Delight can't DM.
        return [
            uid
            for uid in dict.fromkeys(member_ids)
            if (person := people.get(uid)) and not person.is_bot and not person.deleted
        ]

    async def direct_message_tip(
        self, schedule: TipSchedule, recipient_id: str, tip: Tip, element: Element, *, language: str
    ) -> PostOutcome:
        # Each DM takes the next free slot at once and sleeps until it, so fan-outs running
        # side by side queue in order within the one budget.
        pace = self._paces.setdefault(schedule.team_id, Schedule(DIRECT_MESSAGES))
        if (delay := pace.reserve()) > 0:
            await asyncio.sleep(delay)
        with speaking(language):
            message = blocks.tip_message(tip, element)
        return await self._notifier.post(recipient_id, message, team_id=schedule.team_id)

    async def tell_owner_paused(self, schedule: TipSchedule, reason: FailureReason) -> None:
        await self._tell_owner(
            schedule, lambda: blocks.schedule_paused(schedule.channel_id, reason)
        )

    async def tell_owner_place_paused(self, schedule: TipSchedule, reason: str) -> None:
        """Its channel was archived or deleted, or Delight removed from it
        (handlers/slack/channels.py)."""
        problem = problem_of(reason)
        await self._tell_owner(
            schedule, lambda: blocks.schedule_place_paused(schedule.channel_id, problem)
        )

    async def _tell_owner(self, schedule: TipSchedule, message: Callable[[], Message]) -> None:
        """`message`, worded in the schedule's owner's language, in a DM to them."""
        if schedule.owner_id:
            with speaking(await self._notifier.language_of(schedule.team_id, schedule.owner_id)):
                said = message()
            await self._notifier.post(schedule.owner_id, said, team_id=schedule.team_id)


class SlackChannels:
    """Whether Delight can deliver tips to a channel (the domain's Channels port)."""

    def __init__(self, clients: WorkspaceClients) -> None:
        self._clients = clients  # each workspace's own token

    async def problem(
        self, team_id: str, channel_id: str, *, mode: DeliveryMode
    ) -> ChannelProblem | None:
        try:
            client = await self._clients.for_team(team_id)
            response = await client.conversations_info(channel=channel_id, include_num_members=True)
        except SlackApiError as error:
            code = error.response.get("error")
            if error.response.status_code >= 500 or error.response.status_code == 429:
                return ChannelProblem.UNREACHABLE
            if code != "channel_not_found":
                logger.warning("conversations.info for %s: %s", channel_id, code)
            return ChannelProblem.NOT_FOUND
        except (TimeoutError, aiohttp.ClientError, WorkspaceUnavailable) as error:
            logger.warning("conversations.info for %s failed: %r", channel_id, error)
            return ChannelProblem.UNREACHABLE
        channel: dict[str, Any] = response.get("channel") or {}
        if channel.get("is_im") or channel.get("is_mpim"):
            return ChannelProblem.NOT_A_CHANNEL
        if channel.get("is_archived"):
            return ChannelProblem.ARCHIVED
        if channel.get("is_private") and not channel.get("is_member"):
            return ChannelProblem.NOT_A_MEMBER
        members = channel.get("num_members")
        if (
            mode is DeliveryMode.MEMBERS
            and isinstance(members, int)
            and members > MAX_MEMBERS_TO_DM
        ):
            return ChannelProblem.TOO_MANY_MEMBERS
        return None


async def handle_recognise_from_tip(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    known = {e.value: e for e in Element}
    element = known.get(str(action.get("value")))  # never trust a button's value
    channel_id = (body.get("channel") or {}).get("id")
    view = blocks.nomination_modal(
        context=blocks.ModalContext(channel_id=channel_id),
        elements=(element,) if element else (),
    )
    try:
        if body.get("view", {}).get("type") == "modal":  # the admins' preview of a tip
            await client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        logger.warning("could not open the modal from a tip: %s", error.response.get("error"))


def register(app: AsyncApp) -> None:
    app.action(ids.RECOGNISE_FROM_TIP)(handle_recognise_from_tip)
