"""Managers' teams: names, managers (with their last known timezone) and member sources."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from bot.core.teams import Team, TeamDraft, TeamProblem
from bot.core.words import N_, Said, restored
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database

TEAMS = SQLModel.metadata.tables["manager_team"]
MANAGERS = SQLModel.metadata.tables["manager_team_manager"]
SOURCES = SQLModel.metadata.tables["manager_team_source"]
USER, USERGROUP, CHANNEL = "user", "usergroup", "channel"


class SqlTeamRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self, team_id: str) -> list[Team]:
        return await self._db.transaction(_teams, team_id, None)

    async def get(self, team_id: str, team_pk: int) -> Team | None:
        found = await self._db.transaction(_teams, team_id, [team_pk])
        return found[0] if found else None

    async def managed_by(self, team_id: str, user_id: str) -> list[Team]:
        def work(connection: Connection) -> list[Team]:
            ids = list(
                connection.scalars(
                    select(MANAGERS.c.manager_team_id).where(
                        MANAGERS.c.team_id == team_id, MANAGERS.c.user_id == user_id
                    )
                )
            )
            return _teams(connection, team_id, ids) if ids else []

        return await self._db.transaction(work)

    async def save(
        self,
        team_id: str,
        draft: TeamDraft,
        *,
        team_pk: int | None,
        created_by: str,
        manager_tz: dict[str, str | None],
        now: datetime,
    ) -> Team:
        def work(connection: Connection) -> int:
            twin = connection.scalar(
                select(TEAMS.c.id).where(
                    TEAMS.c.team_id == team_id,
                    func.lower(TEAMS.c.name) == draft.name.lower(),
                    TEAMS.c.id != (team_pk or 0),
                )
            )
            if twin is not None:  # "support emea" is the same team to a person
                raise IntegrityError("same name", None, ValueError(draft.name))
            if team_pk is None:
                new_id = connection.scalar(
                    insert(TEAMS)
                    .values(team_id=team_id, name=draft.name, created_by=created_by, created_at=now)
                    .returning(TEAMS.c.id)
                )
                saved = int(new_id or 0)
            else:
                changed = connection.execute(
                    update(TEAMS)
                    .where(TEAMS.c.id == team_pk, TEAMS.c.team_id == team_id)
                    .values(name=draft.name)
                ).rowcount
                if not changed:
                    raise TeamProblem("name", N_("That team was deleted in the meantime."))
                saved = team_pk
                connection.execute(delete(MANAGERS).where(MANAGERS.c.manager_team_id == saved))
                connection.execute(delete(SOURCES).where(SOURCES.c.manager_team_id == saved))
            connection.execute(
                insert(MANAGERS),
                [
                    {
                        "manager_team_id": saved,
                        "user_id": uid,
                        "team_id": team_id,
                        "tz": manager_tz.get(uid),
                    }
                    for uid in draft.manager_ids
                ],
            )
            sources = [
                {"manager_team_id": saved, "kind": kind, "ref_id": ref}
                for kind, refs in (
                    (USER, draft.member_ids),
                    (USERGROUP, draft.usergroup_ids),
                    (CHANNEL, draft.channel_ids),
                )
                for ref in refs
            ]
            if sources:
                connection.execute(insert(SOURCES), sources)
            return saved

        try:
            saved = await self._db.transaction(work)
        except IntegrityError:
            raise TeamProblem(
                "name",
                Said(
                    N_("There is already a team called “{name}”: pick another name."),
                    name=draft.name,
                ),
            ) from None
        team = await self.get(team_id, saved)
        assert team is not None
        return team

    async def delete(self, team_id: str, team_pk: int) -> None:
        def work(connection: Connection) -> None:
            # Managers, sources and the team's ledger go with it (ON DELETE CASCADE).
            connection.execute(
                delete(TEAMS).where(TEAMS.c.id == team_pk, TEAMS.c.team_id == team_id)
            )

        await self._db.transaction(work)


def _teams(connection: Connection, team_id: str, ids: Sequence[int] | None) -> list[Team]:
    """Teams with their managers and sources, in three queries however many teams."""
    query = select(TEAMS).where(TEAMS.c.team_id == team_id).order_by(TEAMS.c.name)
    if ids is not None:
        query = query.where(TEAMS.c.id.in_(ids))
    rows = connection.execute(query).all()
    wanted = [row.id for row in rows]
    if not wanted:
        return []
    managers: dict[int, list[str]] = defaultdict(list)
    for m in connection.execute(
        select(MANAGERS.c.manager_team_id, MANAGERS.c.user_id)
        .where(MANAGERS.c.manager_team_id.in_(wanted))
        .order_by(MANAGERS.c.user_id)
    ):
        managers[m.manager_team_id].append(m.user_id)
    sources: dict[tuple[int, str], list[str]] = defaultdict(list)
    for s in connection.execute(
        select(SOURCES).where(SOURCES.c.manager_team_id.in_(wanted)).order_by(SOURCES.c.ref_id)
    ):
        sources[(s.manager_team_id, s.kind)].append(s.ref_id)
    return [
        Team(
            id=row.id,
            team_id=row.team_id,
            name=row.name,
            manager_ids=tuple(managers[row.id]),
            member_ids=tuple(sources[(row.id, USER)]),
            usergroup_ids=tuple(sources[(row.id, USERGROUP)]),
            channel_ids=tuple(sources[(row.id, CHANNEL)]),
            created_by=row.created_by,
            created_at=row.created_at,
            paused_reason=restored(row.paused_reason),
        )
        for row in rows
    ]
