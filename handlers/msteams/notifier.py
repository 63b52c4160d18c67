"""Telling people about a kudos in Teams: the Notifier, AnnouncementUpdater and Retractor
ports. A channel's card speaks the workspace's language; a person's, their own."""

from __future__ import annotations

import asyncio

from bot.core.model import DeliveryReport, Kudos, MessageRef, PostOutcome, Retraction
from bot.core.ports import SettingsRepository
from bot.i18n import speaking
from handlers.msteams import cards
from handlers.msteams.messenger import Messenger


class TeamsNotifier:
    def __init__(self, messenger: Messenger, settings: SettingsRepository) -> None:
        self._messenger = messenger
        self._settings = settings

    async def _workspace_language(self, team_id: str) -> str:
        return (await self._settings.get(team_id)).language

    async def _language_of(self, team_id: str, user_id: str) -> str:
        workspace = await self._workspace_language(team_id)
        return await self._messenger.language_of(team_id, user_id, workspace=workspace)

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
        names = await self._messenger.names(kudos.team_id, kudos.involves)
        with speaking(await self._workspace_language(kudos.team_id)):
            message = cards.announcement(kudos, names=names)
        return await self._messenger.post(kudos.team_id, channel_id, message)

    async def show_endorsements(self, kudos: Kudos, *, count: int) -> None:
        if kudos.announcement is None:
            return
        names = await self._messenger.names(kudos.team_id, kudos.involves)
        with speaking(await self._workspace_language(kudos.team_id)):
            message = cards.announcement(kudos, names=names, endorsements=count)
        await self._messenger.update(kudos.team_id, kudos.announcement, message)

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
        names = await self._messenger.names(kudos.team_id, kudos.involves)
        with speaking(await self._language_of(kudos.team_id, recipient_id)):
            message = cards.recipient_message(kudos, recipient_id, names=names)
        return await self._messenger.to_person(kudos.team_id, recipient_id, message)

    async def update_giver(self, report: DeliveryReport) -> PostOutcome:
        kudos = report.kudos
        names = await self._messenger.names(
            kudos.team_id, kudos.involves, _places(report.announcement)
        )
        with speaking(await self._language_of(kudos.team_id, kudos.giver_id)):
            message = cards.delivery_update(report, names=names)
        return await self._messenger.to_person(kudos.team_id, kudos.giver_id, message)

    async def retract(
        self, kudos: Kudos, *, direct_messages: dict[str, MessageRef], how: Retraction
    ) -> None:
        """Replace the announcement and each 1:1 message with a short note (best effort: the
        kudos is gone from Delight whatever Teams says)."""
        team_id = kudos.team_id
        updates = []
        for recipient_id, posted in direct_messages.items():
            with speaking(await self._language_of(team_id, recipient_id)):
                note = cards.retracted_message(how)
            updates.append(self._messenger.update(team_id, posted, note))
        if kudos.announcement is not None:
            with speaking(await self._workspace_language(team_id)):
                note = cards.retracted_announcement(how)
            updates.append(self._messenger.update(team_id, kudos.announcement, note))
        await asyncio.gather(*updates)


def _places(outcome: PostOutcome | None) -> tuple[str, ...]:
    return (outcome.channel_id,) if outcome is not None else ()
