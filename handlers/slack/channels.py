"""Channels archived, unarchived and deleted (Slack's `channel_*` events for public channels,
`group_*` for private ones): the tip schedules posting in an archived channel pause until it is
unarchived; what posts in a deleted channel, or reads its members, pauses for good (Slack
restores no deleted channel). Each schedule's owner, and each team of people's creator, is told
once (the core's `place_pauses`); a repeated event is dropped by `events.DropRepeatedEvents`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.core.platform import ChannelProblem
from handlers.slack.context import services_of


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


def register(app: AsyncApp) -> None:
    for kind in ("channel", "group"):
        app.event(f"{kind}_archive")(handle_archived)
        app.event(f"{kind}_unarchive")(handle_unarchived)
        app.event(f"{kind}_deleted")(handle_deleted)
