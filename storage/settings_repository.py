"""Per-workspace settings, falling back to the deployment's defaults."""

from __future__ import annotations

from datetime import UTC, datetime

from cachetools import TTLCache
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from bot.core.model import WorkspaceSettings
from storage import tables
from storage.engine import Database

SETTINGS = SQLModel.metadata.tables["workspace_settings"]
CACHE_SECONDS = 30


class SqlSettingsRepository:
    def __init__(
        self,
        database: Database,
        *,
        default_recognition_channel: str | None,
        default_daily_limit: int,
    ) -> None:
        self._db = database
        self._default_channel = default_recognition_channel
        self._default_limit = default_daily_limit
        self._cache: TTLCache[str, WorkspaceSettings] = TTLCache(10_000, CACHE_SECONDS)

    async def get(self, team_id: str) -> WorkspaceSettings:
        """Read on every nomination, changed rarely: cached briefly (another process's change
        shows within CACHE_SECONDS; this process's own changes show at once)."""
        if (cached := self._cache.get(team_id)) is not None:
            return cached
        row = await self._db.transaction(_read, team_id)
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
        await self._db.transaction(
            _upsert,
            team_id=team_id,
            recognition_channel_id=recognition_channel_id,
            daily_limit=daily_limit,
        )
        self._cache.pop(team_id, None)


def _read(connection: Connection, team_id: str) -> tables.WorkspaceSettingsRow | None:
    row = connection.execute(select(SETTINGS).where(SETTINGS.c.team_id == team_id)).first()
    return None if row is None else tables.WorkspaceSettingsRow(**row._mapping)


def _upsert(connection: Connection, *, team_id: str, **values: object) -> None:
    values["updated_at"] = datetime.now(UTC)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(SETTINGS).values(team_id=team_id, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["team_id"], set_=values))
