"""OAuth `state` values: issued when someone starts installing, consumed once on the way back."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import Connection, delete, insert
from sqlmodel import SQLModel

from bot.core.ports import Clock
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database

STATES = SQLModel.metadata.tables["oauth_state"]


class SqlOAuthStates:
    def __init__(self, database: Database, *, clock: Clock, lifetime: timedelta) -> None:
        self._db = database
        self._clock = clock
        self._lifetime = lifetime

    async def issue(self) -> str:
        state = secrets.token_urlsafe(32)
        now = self._clock.now()

        def work(connection: Connection) -> None:
            # Installs abandoned half-way leave states behind; each new one sweeps them.
            connection.execute(delete(STATES).where(STATES.c.expires_at < now))
            connection.execute(insert(STATES).values(state=state, expires_at=now + self._lifetime))

        await self._db.transaction(work)
        return state

    async def consume(self, state: str) -> bool:
        """True once for a state that was issued and has not expired; False ever after."""
        now = self._clock.now()

        def work(connection: Connection) -> bool:
            result = connection.execute(
                delete(STATES).where(STATES.c.state == state, STATES.c.expires_at >= now)
            )
            return result.rowcount == 1

        return await self._db.transaction(work)
