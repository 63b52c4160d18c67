"""An admin's export of their workspace's kudos (`/delight admin export`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.admins import AdminRights
from bot.core.ports import Clock


@dataclass(frozen=True, slots=True)
class KudosExport:
    filename: str
    content: bytes  # CSV, UTF-8
    kudos_count: int


class KudosExporter(Protocol):
    async def csv(self, team_id: str) -> tuple[bytes, int]:
        """Every kudos of the workspace as CSV, oldest first, and how many there are."""
        ...


class WorkspaceExport:
    def __init__(self, *, exporter: KudosExporter, admins: AdminRights, clock: Clock) -> None:
        self._exporter = exporter
        self._admins = admins
        self._clock = clock

    async def for_admin(self, team_id: str, user_id: str) -> KudosExport:
        """The workspace's CSV; NotAnAdmin for anyone who isn't one."""
        await self._admins.require_admin(team_id, user_id)
        content, count = await self._exporter.csv(team_id)
        day = self._clock.now().date().isoformat()
        return KudosExport(f"delight-kudos-{team_id}-{day}.csv", content, count)
