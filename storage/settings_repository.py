"""Per-workspace settings, falling back to the deployment's defaults."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import SQLModel

from bot.core.model import WorkspaceSettings
from bot.core.workspaces import Platform, platform_of
from bot.expiring_cache import ExpiringCache
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database, insert_or_merge

SETTINGS = SQLModel.metadata.tables["workspace_settings"]
CACHE_SECONDS = 30
# The columns an admin can change; NULL in a column means "the deployment's default".
CHANGEABLE = (
    "recognition_channel_id",
    "daily_limit",
    "require_element",
    "leaderboard_enabled",
    "endorsement_reaction",
    "admin_ids",
    "language",
    "default_timezone",
)


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
        self._cache: ExpiringCache[str, WorkspaceSettings] = ExpiringCache(10_000, CACHE_SECONDS)
        self._reading: dict[str, asyncio.Task[WorkspaceSettings]] = {}

    async def get(self, team_id: str) -> WorkspaceSettings:
        """Read on every nomination, changed rarely: cached briefly (another process's change
        shows within CACHE_SECONDS; this process's own changes show at once)."""
        if (cached := self._cache.get(team_id)) is not None:
            return cached
        # One read of a workspace's settings at a time, shared by whoever asks meanwhile. On
        # PostgreSQL a read awaits the server, and every nomination arriving in the meantime
        # began its own: each time the entry expired, a herd of transactions queued for the
        # pool (bench/README.md).
        reading = self._reading.get(team_id)
        if reading is None:
            reading = self._reading[team_id] = asyncio.ensure_future(self._load(team_id))
        # (A caller that is cancelled leaves the read to the others.)
        return await asyncio.shield(reading)

    async def _load(self, team_id: str) -> WorkspaceSettings:
        this = asyncio.current_task()
        try:
            row = await self._db.transaction(_read, team_id)
            settings = self._with_defaults(team_id, row or {})
            if self._reading.get(team_id) is this:  # not overtaken by a save meanwhile
                self._cache[team_id] = settings
            return settings
        finally:
            if self._reading.get(team_id) is this:
                del self._reading[team_id]

    async def save(self, team_id: str, **changes: Any) -> WorkspaceSettings:
        """Store the given columns (others keep their values); None restores a default."""
        unknown = set(changes) - set(CHANGEABLE)
        if unknown:
            raise ValueError(f"not a workspace setting: {sorted(unknown)}")
        if "admin_ids" in changes and changes["admin_ids"] is not None:
            changes["admin_ids"] = ",".join(changes["admin_ids"]) or None
        await self._db.transaction(_upsert, team_id=team_id, **changes)
        self._cache.pop(team_id, None)
        # A read begun before this write must neither be cached nor shared from now on.
        self._reading.pop(team_id, None)
        return await self.get(team_id)

    def _with_defaults(self, team_id: str, row: dict[str, Any]) -> WorkspaceSettings:
        def chosen(name: str, default: Any) -> Any:
            value = row.get(name)
            return default if value is None else value

        return WorkspaceSettings(
            team_id=team_id,
            recognition_channel_id=row.get("recognition_channel_id")
            # DELIGHT_RECOGNITION_CHANNEL names a Slack channel: no Teams tenant's default
            or (self._default_channel if platform_of(team_id) is Platform.SLACK else None),
            daily_limit=chosen("daily_limit", self._default_limit),
            require_element=bool(chosen("require_element", False)),
            leaderboard_enabled=bool(chosen("leaderboard_enabled", False)),
            endorsement_reaction=row.get("endorsement_reaction"),
            admin_ids=tuple(filter(None, (row.get("admin_ids") or "").split(","))),
            language=row.get("language") or "en",
            default_timezone=row.get("default_timezone"),
        )


def _read(connection: Connection, team_id: str) -> dict[str, Any] | None:
    row = connection.execute(select(SETTINGS).where(SETTINGS.c.team_id == team_id)).first()
    return None if row is None else dict(row._mapping)


def _upsert(connection: Connection, *, team_id: str, **values: object) -> None:
    values["updated_at"] = datetime.now(UTC)
    statement = insert_or_merge(connection, SETTINGS).values(team_id=team_id, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["team_id"], set_=values))
