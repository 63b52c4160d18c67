"""An admin's export of their workspace's kudos (`/delight admin export`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO, Protocol

from bot.core import errors
from bot.core.admins import AdminRights
from bot.core.model import Kudos
from bot.core.ports import Clock


class KudosStatus(StrEnum):
    """What an export says of each kudos, so a reader can tell what was seen by whom."""

    PUBLIC = "public"
    PRIVATE = "private"  # the recipients' DMs (and digests) only
    WITHDRAWN = "withdrawn"  # taken back by its giver
    REMOVED = "removed"  # taken back by an admin


def status_of(kudos: Kudos) -> KudosStatus:
    if kudos.removed_at is not None:
        # Undo records the giver as who took it back (bot/core/moderation.py); an admin's
        # removal, the admin.
        withdrawn = kudos.removed_by == kudos.giver_id
        return KudosStatus.WITHDRAWN if withdrawn else KudosStatus.REMOVED
    return KudosStatus.PRIVATE if kudos.private else KudosStatus.PUBLIC


@dataclass(frozen=True, slots=True)
class KudosExport:
    filename: str
    content: BinaryIO  # CSV (UTF-8) in a temporary file, read from its start
    kudos_count: int


class KudosExporter(Protocol):
    async def csv(self, team_id: str) -> tuple[BinaryIO, int]:
        """Every kudos of the workspace as CSV, oldest first, written a batch at a time to a
        temporary file (the caller closes it), and how many there are."""
        ...


class WorkspaceExport:
    def __init__(self, *, exporter: KudosExporter, admins: AdminRights, clock: Clock) -> None:
        self._exporter = exporter
        self._admins = admins
        self._clock = clock
        self._under_way: set[str] = set()  # workspaces whose export is being built or sent

    @asynccontextmanager
    async def for_admin(self, team_id: str, user_id: str) -> AsyncIterator[KudosExport]:
        """The workspace's CSV, for the block to send (its file is closed after). NotAnAdmin
        for anyone who isn't one; ExportUnderWay while this process is still building or
        sending an earlier export of the workspace (one at a time: each reads every kudos)."""
        await self._admins.require_admin(team_id, user_id)
        if team_id in self._under_way:
            raise errors.ExportUnderWay()
        self._under_way.add(team_id)
        try:
            content, count = await self._exporter.csv(team_id)
            with content:
                day = self._clock.now().date().isoformat()
                yield KudosExport(f"delight-kudos-{team_id}-{day}.csv", content, count)
        finally:
            self._under_way.discard(team_id)
