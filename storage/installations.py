"""Workspaces' installations (multi-workspace mode), their tokens sealed by a TokenCipher."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update
from sqlmodel import SQLModel

from bot.core.installations import Installation
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database, insert_or_merge
from storage.token_cipher import TokenCipher, UnreadableToken

logger = logging.getLogger(__name__)

INSTALLATIONS = SQLModel.metadata.tables["installation"]
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token")


class UnreadableInstallation(Exception):
    """A workspace's stored tokens can't be decrypted with the configured key(s)."""

    def __init__(self, team_id: str, reason: str) -> None:
        super().__init__(f"{reason} (workspace {team_id})")
        self.team_id = team_id


class SqlInstallations:
    def __init__(self, database: Database, cipher: TokenCipher) -> None:
        self._db = database
        self._cipher = cipher

    async def save(self, installation: Installation) -> None:
        values = self._row_values(installation)

        def work(connection: Connection) -> None:
            statement = insert_or_merge(connection, INSTALLATIONS).values(values)
            changes = {k: v for k, v in values.items() if k != "team_id"}
            connection.execute(
                statement.on_conflict_do_update(index_elements=["team_id"], set_=changes)
            )

        await self._db.transaction(work)

    async def find(self, team_id: str) -> Installation | None:
        def work(connection: Connection) -> Any:
            return connection.execute(
                select(INSTALLATIONS).where(INSTALLATIONS.c.team_id == team_id)
            ).first()

        row = await self._db.transaction(work)
        return None if row is None else self._installation(row)

    async def delete(self, team_id: str) -> bool:
        def work(connection: Connection) -> bool:
            result = connection.execute(
                delete(INSTALLATIONS).where(INSTALLATIONS.c.team_id == team_id)
            )
            return result.rowcount > 0

        return await self._db.transaction(work)

    async def claim_refresh(self, team_id: str, *, now: datetime, until: datetime) -> bool:
        lease = INSTALLATIONS.c.refresh_lease_until

        def work(connection: Connection) -> bool:
            result = connection.execute(
                update(INSTALLATIONS)
                .where(INSTALLATIONS.c.team_id == team_id, or_(lease.is_(None), lease < now))
                .values(refresh_lease_until=until)
            )
            return result.rowcount == 1

        return await self._db.transaction(work)

    async def release_refresh(self, team_id: str) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                update(INSTALLATIONS)
                .where(INSTALLATIONS.c.team_id == team_id)
                .values(refresh_lease_until=None)
            )

        await self._db.transaction(work)

    async def reseal(self) -> ResealReport:
        """Check that every stored token opens with the configured key(s), and store each
        as the first key would seal it now (encrypting tokens stored before a key was set,
        re-encrypting those of an older key). Raises UnreadableInstallation otherwise."""
        return await self._db.transaction(self._reseal)

    def _reseal(self, connection: Connection) -> ResealReport:
        rows = connection.execute(select(INSTALLATIONS)).all()
        changed = 0
        for row in rows:
            stored = {column: getattr(row, column) for column in TOKEN_COLUMNS}
            try:
                opened = {k: None if v is None else self._cipher.open(v) for k, v in stored.items()}
            except UnreadableToken as error:
                raise UnreadableInstallation(row.team_id, str(error)) from None
            if all(v is None or self._cipher.is_current(v) for v in stored.values()):
                continue
            sealed = {k: None if v is None else self._cipher.seal(v) for k, v in opened.items()}
            # Only if unchanged since read: a token refreshed meanwhile is never overwritten.
            result = connection.execute(
                update(INSTALLATIONS)
                .where(
                    INSTALLATIONS.c.team_id == row.team_id,
                    *(_is(INSTALLATIONS.c[k], v) for k, v in stored.items()),
                )
                .values(sealed)
            )
            changed += result.rowcount
        return ResealReport(installations=len(rows), resealed=changed)

    def _row_values(self, installation: Installation) -> dict[str, Any]:
        refresh = installation.bot_refresh_token
        return {
            "team_id": installation.team_id,
            "enterprise_id": installation.enterprise_id,
            "is_enterprise_install": installation.is_enterprise_install,
            "team_name": installation.team_name,
            "enterprise_name": installation.enterprise_name,
            "enterprise_url": installation.enterprise_url,
            "app_id": installation.app_id,
            "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id,
            "bot_scopes": installation.bot_scopes,
            "bot_token": self._cipher.seal(installation.bot_token),
            "bot_refresh_token": None if refresh is None else self._cipher.seal(refresh),
            "bot_token_expires_at": installation.bot_token_expires_at,
            "installer_id": installation.installer_id,
            "installed_at": installation.installed_at,
            "refresh_lease_until": None,  # saving new tokens ends any refresh in progress
        }

    def _installation(self, row: Any) -> Installation:
        try:
            token = self._cipher.open(row.bot_token)
            refresh = (
                None if row.bot_refresh_token is None else self._cipher.open(row.bot_refresh_token)
            )
        except UnreadableToken as error:
            raise UnreadableInstallation(row.team_id, str(error)) from None
        return Installation(
            team_id=row.team_id,
            enterprise_id=row.enterprise_id,
            is_enterprise_install=row.is_enterprise_install,
            team_name=row.team_name,
            enterprise_name=row.enterprise_name,
            enterprise_url=row.enterprise_url,
            app_id=row.app_id,
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=row.bot_scopes,
            bot_token=token,
            bot_refresh_token=refresh,
            bot_token_expires_at=row.bot_token_expires_at,
            installer_id=row.installer_id,
            installed_at=row.installed_at,
        )


@dataclass(frozen=True, slots=True)
class ResealReport:
    installations: int
    resealed: int


def _is(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value
