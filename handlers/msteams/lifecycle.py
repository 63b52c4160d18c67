"""Where Delight may speak, learned from Teams' own events: installed in a team (with its
channels, and who installed it: an admin of Delight while the team has it), channels created
later, a group chat, or personally (then it says hello with the welcome card); and removed.

Removing Delight from a team, or deleting the team, pauses the tenant's scheduled work once no
team has Delight any more, as Slack's `app_uninstalled` does for a workspace (the core's
WorkspaceLifecycle). The core pauses and resumes a workspace's schedules as a whole: it keeps
no link from a schedule to a Teams team. Installing Delight in any team again resumes exactly
what the removal paused (schedules an admin or a failure paused stay paused).
"""

from __future__ import annotations

import logging

from handlers.msteams.connector import ConnectorError
from handlers.msteams.context import TeamsServices
from handlers.msteams.home_card import welcome_card
from handlers.msteams.turn import Turn

logger = logging.getLogger(__name__)


async def on_installed(services: TeamsServices, turn: Turn) -> None:
    """The app was added (installationUpdate `add`, or Delight among `membersAdded`; Teams
    usually sends both, and each is handled as if it were the only one)."""
    now = services.core.clock.now()
    await services.book.remember_tenant(
        turn.workspace,
        service_url=turn.service_url,
        at=now,
        installed_by=turn.user_id if not turn.personal else None,
    )
    if turn.team_id is not None:
        await services.installs.installed(
            turn.workspace,
            turn.team_id,
            service_url=turn.service_url,
            at=now,
            installed_by=turn.user_id,
            name=turn.team_name,
        )
        await remember_channels(services, turn, turn.team_id)
        await services.core.administration.lifecycle.installed(turn.workspace)
    elif turn.personal and turn.user_id is not None:
        await services.messenger.to_person(turn.workspace, turn.user_id, welcome_card())


async def on_removed(services: TeamsServices, turn: Turn) -> None:
    """Delight was removed from a team (installationUpdate `remove`, Delight among
    `membersRemoved`) or the team was deleted. Out of a group chat or a personal scope,
    nothing is scheduled that could stop."""
    if turn.team_id is None:
        return
    left = await services.installs.removed(
        turn.workspace, turn.team_id, at=services.core.clock.now()
    )
    logger.info("Delight was removed from a team; %d team(s) of the tenant still have it", left)
    if left == 0:
        await services.core.administration.lifecycle.removed(turn.workspace)


async def on_channel_created(services: TeamsServices, turn: Turn) -> None:
    """A channel was created (or renamed) in a team that has Delight: offered in the settings."""
    if turn.team_id is None or turn.channel_id is None:
        return
    await services.book.remember_conversation(
        turn.workspace,
        turn.channel_id,
        service_url=turn.service_url,
        kind="channel",
        at=services.core.clock.now(),
        team_id=turn.team_id,
        name=turn.channel_name,
    )


async def on_team_renamed(services: TeamsServices, turn: Turn) -> None:
    if turn.team_id is not None and turn.team_name:
        await services.installs.renamed(
            turn.workspace, turn.team_id, turn.team_name, at=services.core.clock.now()
        )


async def remember_channels(services: TeamsServices, turn: Turn, team_id: str) -> None:
    """The team's channels, as the connector lists them (a failure leaves those already
    known: channels are remembered again as Delight hears from them)."""
    try:
        channels = await services.connector.team_channels(turn.service_url, team_id)
    except ConnectorError as error:
        logger.warning("the team's channels were not read: %s", error)
        return
    now = services.core.clock.now()
    for conversation_id, name in channels:
        await services.book.remember_conversation(
            turn.workspace,
            conversation_id,
            service_url=turn.service_url,
            kind="channel",
            at=now,
            team_id=team_id,
            name=name or None,  # the General channel comes unnamed
        )
