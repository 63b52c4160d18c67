"""Per-workspace settings, falling back to the deployment's defaults."""

from __future__ import annotations

from datetime import UTC, datetime

from cachetools import TTLCache
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.model import WorkspaceSettings
from storage.tables import WorkspaceSettingsRow

CACHE_SECONDS = 30


class SqlSettingsRepository:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        default_recognition_channel: str | None,
        default_daily_limit: int,
    ) -> None:
        self._sessions = sessions
        self._default_channel = default_recognition_channel
        self._default_limit = default_daily_limit
        self._cache: TTLCache[str, WorkspaceSettings] = TTLCache(10_000, CACHE_SECONDS)

    async def get(self, team_id: str) -> WorkspaceSettings:
        """Read on every nomination, changed rarely: cached briefly (another process's change
        shows within CACHE_SECONDS; this process's own changes show at once)."""
        if (cached := self._cache.get(team_id)) is not None:
            return cached
        async with self._sessions() as session:
            row = await session.get(WorkspaceSettingsRow, team_id)
        settings = WorkspaceSettings(
            team_id=team_id,
            recognition_channel_id=(row and row.recognition_channel_id) or self._default_channel,
            daily_limit=(
                row.daily_limit if row and row.daily_limit is not None else self._default_limit
            ),
        )
        self._cache[team_id] = settings
        return settings

    async def save(
        self, team_id: str, *, recognition_channel_id: str | None, daily_limit: int | None
    ) -> None:
        async with self._sessions() as session:
            row = await session.get(WorkspaceSettingsRow, team_id) or WorkspaceSettingsRow(
                team_id=team_id, updated_at=datetime.now(UTC)
            )
            row.recognition_channel_id = recognition_channel_id
            row.daily_limit = daily_limit
            row.updated_at = datetime.now(UTC)
            session.add(row)
            await session.commit()
        self._cache.pop(team_id, None)
