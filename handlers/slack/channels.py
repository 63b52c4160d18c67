"""Channels archived, unarchived and deleted (Slack's `channel_*` events for public channels,
`group_*` for private ones): the tip schedules posting in an archived channel pause until it is
unarchived; what posts in a deleted channel, or reads its members, pauses for good (Slack
restores no deleted channel). Each schedule's owner, and each team of people's creator, is told
once (the core's `place_pauses`); a repeated event is dropped by `events.DropRepeatedEvents`.

Delight removed from a private channel (`member_left_channel` naming Delight) can neither post
there nor read its members: what depends on it pauses until someone invites Delight back
(`member_joined_channel`). Out of a public channel Delight still posts (`chat:write.public`)
and reads its members, so nothing pauses. Slack sends these two events for everyone who joins
or leaves a channel Delight is in: all but Delight's own are dropped at once."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.core.platform import ChannelProblem
from bot.core.schedule import DeliveryMode
from handlers.slack.context import services_of
from handlers.slack.tips import SlackChannels

# The membership events: handled alike however often they come, so kept out of the ledger of
# repeated events (events.DropRepeatedEvents), which would write a row for every colleague's.
MEMBERSHIP_EVENTS = frozenset({"member_joined_channel", "member_left_channel"})
# What conversations.info answers Delight about a private channel it was taken out of.
OUT_OF_PRIVATE = frozenset({ChannelProblem.NOT_A_MEMBER, ChannelProblem.NOT_FOUND})


def _channel(event: dict[str, Any]) -> str | None:
    # Each of these events names its channel by id, a string (not an object, as some events do).
    channel = event.get("channel")
    return channel if isinstance(channel, str) and channel else None


async def handle_archived(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if (channel := _channel(event)) and context.team_id:
        lifecycle = services_of(context).core.administration.lifecycle
        await lifecycle.place_gone(context.team_id, channel, ChannelProblem.ARCHIVED)


async def handle_unarchived(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if (channel := _channel(event)) and context.team_id:
        lifecycle = services_of(context).core.administration.lifecycle
        await lifecycle.place_restored(context.team_id, channel, ChannelProblem.ARCHIVED)


async def handle_deleted(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if (channel := _channel(event)) and context.team_id:
        lifecycle = services_of(context).core.administration.lifecycle
        await lifecycle.place_gone(context.team_id, channel, ChannelProblem.NOT_FOUND)


def _delight_s(event: dict[str, Any], context: AsyncBoltContext) -> str | None:
    """The channel, when the membership event is about Delight itself."""
    if context.bot_user_id and event.get("user") == context.bot_user_id:
        return _channel(event)
    return None


async def handle_member_left(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if not (channel := _delight_s(event, context)) or not context.team_id:
        return
    services = services_of(context)
    if event.get("channel_type") != "G":  # a private channel made since 2021 has a C id too
        problem = await SlackChannels(services.clients).problem(
            context.team_id, channel, mode=DeliveryMode.CHANNEL
        )
        if problem not in OUT_OF_PRIVATE:
            return  # public (or Slack can't say now: a failing tip will)
    lifecycle = services.core.administration.lifecycle
    await lifecycle.place_gone(context.team_id, channel, ChannelProblem.NOT_A_MEMBER)


async def handle_member_joined(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if (channel := _delight_s(event, context)) and context.team_id:
        lifecycle = services_of(context).core.administration.lifecycle
        await lifecycle.place_restored(context.team_id, channel, ChannelProblem.NOT_A_MEMBER)


def register(app: AsyncApp) -> None:
    for kind in ("channel", "group"):
        app.event(f"{kind}_archive")(handle_archived)
        app.event(f"{kind}_unarchive")(handle_unarchived)
        app.event(f"{kind}_deleted")(handle_deleted)
    app.event("member_left_channel")(handle_member_left)
    app.event("member_joined_channel")(handle_member_joined)
