"""What Teams' digests read of the remembered tenant: everyone Delight knows there (for their
timezones, and to leave bots out), and the Teams teams it was installed in (whose rosters an
admin may take a team's members from). Reads of storage/msteams.py's tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database
from storage.msteams import StoredMember, _member

CONVERSATIONS = SQLModel.metadata.tables["msteams_conversations"]
MEMBERS = SQLModel.metadata.tables["msteams_members"]


@dataclass(frozen=True, slots=True)
class KnownTeam:
    team_id: str  # the Teams team's 19: id
    name: str | None


class SqlMsTeamsRosters:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def everyone(self, workspace_id: str) -> list[StoredMember]:
        def work(connection: Connection) -> list[StoredMember]:
            rows = connection.execute(
                select(MEMBERS)
                .where(MEMBERS.c.workspace_id == workspace_id)
                .order_by(MEMBERS.c.user_id)
            )
            return [_member(row) for row in rows]

        return await self._db.transaction(work)

    async def teams(self, workspace_id: str) -> list[KnownTeam]:
        """Each Teams team with a channel Delight may speak in, named after its General
        channel's conversation (whose id is the team's) when that has a name."""

        def work(connection: Connection) -> list[KnownTeam]:
            general = CONVERSATIONS.alias("general")
            rows = connection.execute(
                select(CONVERSATIONS.c.msteams_team_id, general.c.name)
                .distinct()
                .outerjoin(
                    general,
                    and_(
                        general.c.workspace_id == CONVERSATIONS.c.workspace_id,
                        general.c.conversation_id == CONVERSATIONS.c.msteams_team_id,
                    ),
                )
                .where(
                    CONVERSATIONS.c.workspace_id == workspace_id,
                    CONVERSATIONS.c.msteams_team_id.is_not(None),
                )
                .order_by(CONVERSATIONS.c.msteams_team_id)
            )
            return [KnownTeam(team_id, name) for team_id, name in rows]

        return await self._db.transaction(work)
