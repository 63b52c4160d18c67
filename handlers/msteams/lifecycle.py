"""Where Delight may speak, learned from Teams' own events: installed in a team (with its
channels, and who installed it: an admin of Delight while the team has it), channels created,
deleted and restored, a group chat, or personally (then it says hello with the welcome card);
and removed.

Removing Delight from a team, or deleting the team, pauses exactly the schedules that deliver
through it: tips posted in one of its channels or sent 1:1 to its roster, digests of a team of
people whose members come from its roster. Which those are is read from the ids they store
against the team's channels as Delight remembers them, deleted ones too (`InstallBook.places`),
at the moment of removal: no schedule keeps a link of its own, so those made before are covered
the same. Installing Delight in the team again (or restoring the deleted team) resumes exactly
what its removal paused (schedules an admin or a failure paused stay paused). Once no team has
Delight, the tenant's remaining schedules pause too, as Slack's `app_uninstalled` does for a
workspace.

A person who removes Delight from their own (personal) scope gets no 1:1 from it until they
install it again: each one is recorded as refused without being tried (Messenger). A deleted
channel is no longer offered and the schedules posting there pause until it is restored; an
archived team pauses the schedules posting in its channels until it is unarchived.
Each tip schedule paused with its place has its owner told, once, and each team of people its
creator (the core's `place_pauses`).
"""

from __future__ import annotations

import logging

from bot.core.platform import ChannelProblem
from handlers.msteams.connector import ConnectorError
from handlers.msteams.context import TeamsServices
from handlers.msteams.home_card import welcome_card
from handlers.msteams.turn import Turn

logger = logging.getLogger(__name__)


async def on_installed(services: TeamsServices, turn: Turn) -> None:
    """The app was added (installationUpdate `add`, or Delight among `membersAdded`; Teams
    usually sends both, and each is handled as if it were the only one)."""
    if turn.team_id is not None:
        await _in_team(services, turn, turn.team_id, installed_by=turn.user_id)
        return
    now = services.core.clock.now()
    await services.book.remember_tenant(
        turn.workspace,
        service_url=turn.service_url,
        at=now,
        installed_by=turn.user_id if not turn.personal else None,
    )
    if turn.personal and turn.user_id is not None:
        await services.book.mark_removed(
            turn.workspace, at=now, removed=False, user_id=turn.user_id
        )
        await services.messenger.to_person(turn.workspace, turn.user_id, welcome_card())


async def on_team_restored(services: TeamsServices, turn: Turn) -> None:
    """A deleted team was restored (Teams keeps one for 30 days), Delight with it: what its
    deletion paused resumes, as installing Delight again would. Whoever restored it is no
    installer: the one Delight remembers stays."""
    if turn.team_id is not None:
        await _in_team(services, turn, turn.team_id, installed_by=None)


async def _in_team(
    services: TeamsServices, turn: Turn, team_id: str, *, installed_by: str | None
) -> None:
    """Delight is in the team (again): remembered with its channels, and what its absence
    paused resumes. `installed_by` None keeps the installer remembered."""
    now = services.core.clock.now()
    await services.book.remember_tenant(
        turn.workspace, service_url=turn.service_url, at=now, installed_by=installed_by
    )
    await services.installs.installed(
        turn.workspace,
        team_id,
        service_url=turn.service_url,
        at=now,
        installed_by=installed_by,
        name=turn.team_name,
    )
    await remember_channels(services, turn, team_id)
    lifecycle = services.core.administration.lifecycle
    places = await services.installs.places(turn.workspace, team_id)
    await lifecycle.installed_in(turn.workspace, places)
    await lifecycle.installed(turn.workspace)


async def on_removed(services: TeamsServices, turn: Turn) -> None:
    """Delight was removed from a team (installationUpdate `remove`, Delight among
    `membersRemoved`) or the team was deleted; or a person removed it from their personal
    scope. Out of a group chat, nothing is scheduled that could stop."""
    now = services.core.clock.now()
    if turn.team_id is None:
        if turn.personal and turn.user_id is not None:
            await services.book.mark_removed(
                turn.workspace, at=now, removed=True, user_id=turn.user_id
            )
        return
    lifecycle = services.core.administration.lifecycle
    places = await services.installs.places(turn.workspace, turn.team_id)
    left = await services.installs.removed(turn.workspace, turn.team_id, at=now)
    await lifecycle.removed_from(turn.workspace, places)
    logger.info("Delight was removed from a team; %d team(s) of the tenant still have it", left)
    if left == 0:
        await lifecycle.removed(turn.workspace)


async def on_team_archived(services: TeamsServices, turn: Turn) -> None:
    """The team was archived: read only, so the tips posted in its channels pause until it is
    unarchived, and its channels aren't offered meanwhile. Tips sent 1:1 to its members and
    digests read from its roster go on."""
    if turn.team_id is not None:
        await services.installs.archived(
            turn.workspace, turn.team_id, archived=True, at=services.core.clock.now()
        )
        places = await services.installs.places(turn.workspace, turn.team_id)
        await services.core.administration.lifecycle.team_archived(turn.workspace, places)


async def on_team_unarchived(services: TeamsServices, turn: Turn) -> None:
    """What the team's archiving paused resumes (nothing else)."""
    if turn.team_id is not None:
        await services.installs.archived(
            turn.workspace, turn.team_id, archived=False, at=services.core.clock.now()
        )
        places = await services.installs.places(turn.workspace, turn.team_id)
        await services.core.administration.lifecycle.team_unarchived(turn.workspace, places)


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


async def on_channel_deleted(services: TeamsServices, turn: Turn) -> None:
    """No longer offered; what posts there pauses, as when Slack finds a channel gone."""
    if turn.team_id is None or turn.channel_id is None:
        return
    await services.book.mark_removed(
        turn.workspace, at=services.core.clock.now(), removed=True, conversation_id=turn.channel_id
    )
    await services.core.administration.lifecycle.place_gone(
        turn.workspace, turn.channel_id, ChannelProblem.NOT_FOUND
    )


async def on_channel_restored(services: TeamsServices, turn: Turn) -> None:
    """Offered again; what its deletion paused resumes."""
    if turn.team_id is None or turn.channel_id is None:
        return
    await on_channel_created(services, turn)
    await services.book.mark_removed(
        turn.workspace, at=services.core.clock.now(), removed=False, conversation_id=turn.channel_id
    )
    await services.core.administration.lifecycle.place_restored(
        turn.workspace, turn.channel_id, ChannelProblem.NOT_FOUND
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
