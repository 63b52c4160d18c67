"""The Microsoft Teams teams Delight is installed in: who installed each (Delight's admins in
the tenant, while it stays installed there), and their channels as the settings offer them.

A removal keeps the row (removed_at), so installing again knows the team; the channels
themselves are conversations (storage/msteams.py), joined here by their team's id.

Who installed Delight is read for every person a kudos names (installers are admins), so a
tenant's installers are kept for INSTALLERS_SECONDS: this process's installs and removals
are seen at once, another process's within that time (as the workspace's settings are).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update
from sqlmodel import SQLModel

from bot.expiring_cache import ExpiringCache
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database, insert_or_merge
from storage.tables import PLATFORM_ID, SERVICE_URL, WORKSPACE_ID

TEAMS = SQLModel.metadata.tables["msteams_teams"]
CONVERSATIONS = SQLModel.metadata.tables["msteams_conversations"]
INSTALLERS_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class StoredTeam:
    workspace_id: str
    team_id: str  # the team's 19: id (also its General channel's conversation id)
    name: str | None
    service_url: str
    installed_by: str | None
    installed_at: datetime
    removed_at: datetime | None
    archived_at: datetime | None = None  # read only since then: nothing can be posted in it


@dataclass(frozen=True, slots=True)
class StoredChannel:
    conversation_id: str
    team_id: str
    team_name: str | None
    name: str | None  # None for the General channel, which Teams leaves unnamed


class SqlMsTeamsTeams:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._installers: ExpiringCache[str, frozenset[str]] = ExpiringCache(
            10_000, INSTALLERS_SECONDS
        )

    def _changed(self, workspace_id: str) -> None:
        self._installers.pop(workspace_id)  # and a read begun before this isn't kept

    async def installed(
        self,
        workspace_id: str,
        team_id: str,
        *,
        service_url: str,
        at: datetime,
        installed_by: str | None = None,
        name: str | None = None,
    ) -> None:
        """Delight was installed in the team (again): it counts as installed from `at`; the
        installer and name, when the event names them, replace those stored."""
        values = {
            "workspace_id": _checked(workspace_id, WORKSPACE_ID, "workspace id"),
            "msteams_team_id": _checked(team_id, PLATFORM_ID, "team id"),
            "name": name,
            "service_url": _checked(service_url, SERVICE_URL, "service URL"),
            "installed_by": None
            if installed_by is None
            else _checked(installed_by, PLATFORM_ID, "installer id"),
            "installed_at": at,
            "removed_at": None,
            "updated_at": at,
        }

        def work(connection: Connection) -> None:
            statement = insert_or_merge(connection, TEAMS).values(values)
            new = statement.excluded
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["workspace_id", "msteams_team_id"],
                    set_={
                        "name": func.coalesce(new.name, TEAMS.c.name),
                        "service_url": new.service_url,
                        "installed_by": func.coalesce(new.installed_by, TEAMS.c.installed_by),
                        "installed_at": new.installed_at,
                        "removed_at": None,
                        "updated_at": new.updated_at,
                    },
                    where=TEAMS.c.updated_at <= new.updated_at,  # a late, older event: no change
                )
            )

        try:
            await self._db.transaction(work)
        finally:
            self._changed(workspace_id)

    async def renamed(self, workspace_id: str, team_id: str, name: str, *, at: datetime) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(TEAMS)
                .where(*_team(workspace_id, team_id), TEAMS.c.updated_at <= at)
                .values(name=name, updated_at=at)
            )

        await self._db.transaction(work)

    async def archived(
        self, workspace_id: str, team_id: str, *, archived: bool, at: datetime
    ) -> None:
        """The team was archived (read only) or unarchived: its channels are offered again."""

        def work(connection: Connection) -> None:
            connection.execute(
                update(TEAMS)
                .where(*_team(workspace_id, team_id), TEAMS.c.updated_at <= at)
                .values(archived_at=at if archived else None, updated_at=at)
            )

        await self._db.transaction(work)

    async def removed(self, workspace_id: str, team_id: str, *, at: datetime) -> int:
        """Delight was removed from the team, or the team deleted: how many of the tenant's
        teams still have Delight. Removals of two teams at once are taken one after the other
        (the tenant's rows locked), so the last one sees that it is the last."""

        def work(connection: Connection) -> int:
            connection.execute(
                select(TEAMS.c.msteams_team_id)
                .where(TEAMS.c.workspace_id == workspace_id)
                .with_for_update()
            ).all()
            connection.execute(
                update(TEAMS)
                .where(*_team(workspace_id, team_id), TEAMS.c.removed_at.is_(None))
                .values(removed_at=at, updated_at=at)
            )
            return int(
                connection.execute(
                    select(func.count()).where(
                        TEAMS.c.workspace_id == workspace_id, TEAMS.c.removed_at.is_(None)
                    )
                ).scalar_one()
            )

        try:
            return await self._db.transaction(work)
        finally:
            self._changed(workspace_id)

    async def team(self, workspace_id: str, team_id: str) -> StoredTeam | None:
        def work(connection: Connection) -> Any:
            return connection.execute(select(TEAMS).where(*_team(workspace_id, team_id))).first()

        row = await self._db.transaction(work)
        return None if row is None else _stored(row)

    async def teams(self, workspace_id: str) -> list[StoredTeam]:
        """The teams Delight is installed in now, by name."""

        def work(connection: Connection) -> list[Any]:
            return list(
                connection.execute(
                    select(TEAMS)
                    .where(TEAMS.c.workspace_id == workspace_id, TEAMS.c.removed_at.is_(None))
                    .order_by(TEAMS.c.name, TEAMS.c.msteams_team_id)
                ).all()
            )

        return [_stored(row) for row in await self._db.transaction(work)]

    async def places(self, workspace_id: str, team_id: str) -> list[str]:
        """Every id that delivers through the team: the team's own (its General channel, its
        roster) and each channel of it Delight remembers, deleted ones too, so that whatever
        posts there is found, however old."""

        def work(connection: Connection) -> list[str]:
            return list(
                connection.execute(
                    select(CONVERSATIONS.c.conversation_id).where(
                        CONVERSATIONS.c.workspace_id == workspace_id,
                        CONVERSATIONS.c.msteams_team_id == team_id,
                    )
                ).scalars()
            )

        return sorted({team_id, *await self._db.transaction(work)})

    async def is_installer(self, workspace_id: str, user_id: str) -> bool:
        """Whether they installed Delight in a team that still has it."""
        installers = self._installers.get(workspace_id)
        if installers is None:
            seen = self._installers.invalidations

            def work(connection: Connection) -> frozenset[str]:
                return frozenset(
                    connection.execute(
                        select(TEAMS.c.installed_by).where(
                            TEAMS.c.workspace_id == workspace_id,
                            TEAMS.c.installed_by.is_not(None),
                            TEAMS.c.removed_at.is_(None),
                        )
                    ).scalars()
                )

            installers = await self._db.transaction(work)
            if seen == self._installers.invalidations:
                self._installers[workspace_id] = installers
        return user_id in installers

    async def channels(self, workspace_id: str) -> list[StoredChannel]:
        """The channels Delight can post in: those it knows of in the teams that have it and
        aren't archived; by team, General first."""

        def work(connection: Connection) -> list[Any]:
            general = CONVERSATIONS.c.conversation_id == TEAMS.c.msteams_team_id
            return list(
                connection.execute(
                    select(
                        CONVERSATIONS.c.conversation_id,
                        TEAMS.c.msteams_team_id,
                        TEAMS.c.name.label("team_name"),
                        CONVERSATIONS.c.name,
                        general.label("general"),
                    )
                    .select_from(
                        CONVERSATIONS.join(
                            TEAMS,
                            and_(
                                TEAMS.c.workspace_id == CONVERSATIONS.c.workspace_id,
                                TEAMS.c.msteams_team_id == CONVERSATIONS.c.msteams_team_id,
                            ),
                        )
                    )
                    .where(
                        CONVERSATIONS.c.workspace_id == workspace_id,
                        CONVERSATIONS.c.kind == "channel",
                        CONVERSATIONS.c.removed_at.is_(None),
                        TEAMS.c.removed_at.is_(None),
                        TEAMS.c.archived_at.is_(None),
                    )
                    .order_by(
                        TEAMS.c.name,
                        TEAMS.c.msteams_team_id,
                        general.desc(),
                        CONVERSATIONS.c.name,
                        CONVERSATIONS.c.conversation_id,
                    )
                ).all()
            )

        return [
            StoredChannel(
                conversation_id=row.conversation_id,
                team_id=row.msteams_team_id,
                team_name=row.team_name,
                name=None if row.general else row.name,
            )
            for row in await self._db.transaction(work)
        ]


def _team(workspace_id: str, team_id: str) -> tuple[Any, ...]:
    return (TEAMS.c.workspace_id == workspace_id, TEAMS.c.msteams_team_id == team_id)


def _checked(value: str, limit: int, what: str) -> str:
    """Refused rather than stored: an id or URL from a request must not grow a table's rows."""
    if not value or len(value) > limit:
        raise ValueError(f"a {what} must be 1 to {limit} characters long, not {len(value)}")
    return value


def _stored(row: Any) -> StoredTeam:
    return StoredTeam(
        workspace_id=row.workspace_id,
        team_id=row.msteams_team_id,
        name=row.name,
        service_url=row.service_url,
        installed_by=row.installed_by,
        installed_at=row.installed_at,
        removed_at=row.removed_at,
        archived_at=row.archived_at,
    )
