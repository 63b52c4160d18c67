"""Workspaces' installations (multi-workspace mode), their tokens sealed by a TokenCipher."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update
from sqlmodel import SQLModel

from bot.core.installations import Installation
from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database, insert_or_merge
from storage.token_cipher import Form, RefusedToken, TokenCipher, UnreadableToken, form_of

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
        re-encrypting those of an older key, binding those sealed before tokens were bound
        to their workspace). Raises UnreadableInstallation when a key is wrong or missing; a
        token the app did not seal is refused (logged, left as it is, counted)."""
        return await self._db.transaction(self._reseal)

    def _reseal(self, connection: Connection) -> ResealReport:
        rows = connection.execute(select(INSTALLATIONS)).all()
        upgrading = _upgradable_forms(rows)
        changed = refused = 0
        for row in rows:
            team_id = row.team_id
            stored = {column: getattr(row, column) for column in TOKEN_COLUMNS}
            try:
                opened = self._tokens(row, upgrading)
            except RefusedToken as error:
                logger.error(_refusal(team_id, str(error)))
                refused += 1
                continue
            except UnreadableToken as error:
                raise UnreadableInstallation(team_id, str(error)) from None
            current = self._cipher.is_current
            if all(v is None or current(v, team_id=team_id) for v in stored.values()):
                continue
            sealed = {
                k: None if v is None else self._cipher.seal(v, team_id=team_id)
                for k, v in opened.items()
            }
            # Only if unchanged since read: a token refreshed meanwhile is never overwritten.
            result = connection.execute(
                update(INSTALLATIONS)
                .where(
                    INSTALLATIONS.c.team_id == team_id,
                    *(_is(INSTALLATIONS.c[k], v) for k, v in stored.items()),
                )
                .values(sealed)
            )
            changed += result.rowcount
        return ResealReport(installations=len(rows), resealed=changed, refused=refused)

    def _tokens(self, row: Any, upgrading: frozenset[Form] = frozenset()) -> dict[str, str | None]:
        """Each token column of a row, opened: RefusedToken or UnreadableToken otherwise."""
        return {
            column: None
            if (stored := getattr(row, column)) is None
            else self._cipher.open(stored, team_id=row.team_id, upgrading=upgrading)
            for column in TOKEN_COLUMNS
        }

    def _row_values(self, installation: Installation) -> dict[str, Any]:
        team_id, refresh = installation.team_id, installation.bot_refresh_token
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
            "bot_token": self._cipher.seal(installation.bot_token, team_id=team_id),
            "bot_refresh_token": (
                None if refresh is None else self._cipher.seal(refresh, team_id=team_id)
            ),
            "bot_token_expires_at": installation.bot_token_expires_at,
            "installer_id": installation.installer_id,
            "installed_at": installation.installed_at,
            "refresh_lease_until": None,  # saving new tokens ends any refresh in progress
        }

    def _installation(self, row: Any) -> Installation:
        try:
            tokens = self._tokens(row)
        except RefusedToken as error:
            logger.error(_refusal(row.team_id, str(error)))
            raise UnreadableInstallation(row.team_id, f"refused {error}") from None
        except UnreadableToken as error:
            raise UnreadableInstallation(row.team_id, str(error)) from None
        token = tokens["bot_token"]
        assert token is not None  # the column is NOT NULL
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
            bot_refresh_token=tokens["bot_refresh_token"],
            bot_token_expires_at=row.bot_token_expires_at,
            installer_id=row.installer_id,
            installed_at=row.installed_at,
        )


@dataclass(frozen=True, slots=True)
class ResealReport:
    installations: int
    resealed: int
    refused: int = 0  # tokens the app did not seal for their workspace


def _upgradable_forms(rows: Sequence[Any]) -> frozenset[Form]:
    """The older forms the start-up pass may take as the app's own: each only while no token
    is stored in a newer one. Plaintext when none is encrypted yet (a key set for the first
    time); unbound ciphertext when none is bound yet (the first start of a version that binds
    them). Once the database has moved on, a token in an older form was put there by someone
    else (with write access to the database) and is refused."""
    stored = (getattr(row, column) for row in rows for column in TOKEN_COLUMNS)
    forms = {form_of(value) for value in stored if value is not None}
    upgrading = set()
    if forms <= {Form.PLAINTEXT}:
        upgrading.add(Form.PLAINTEXT)
    if Form.BOUND not in forms:
        upgrading.add(Form.UNBOUND)
    return frozenset(upgrading)


def _refusal(team_id: str, why: str) -> str:
    return (
        f"refused the stored Slack token of workspace {team_id}: {why}, not one Delight "
        "sealed there. Delight won't use it; reinstall Delight in that workspace to store a "
        "new one."
    )


def _is(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value
