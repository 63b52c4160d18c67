"""What the Microsoft Teams adapter remembers to speak there: conversations (with the service URL
each came from), the roster cache (Entra id ↔ 29: member id, names) and the tenants.

Each `remember_*` is one INSERT … ON CONFLICT DO UPDATE, atomic on both databases, that keeps
the newest sighting: a row is replaced only by one seen at the same time or later (`at`), so
writes that arrive out of order never bring an old value back. An optional value that a sighting
does not carry (None) keeps the one stored: an activity's sender has no email, the roster has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, cast, get_args

from sqlalchemy import Connection, Table, func, select, update
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the tables below)
from storage.engine import Database, insert_or_merge
from storage.tables import PLATFORM_ID, SERVICE_URL, WORKSPACE_ID

CONVERSATIONS = SQLModel.metadata.tables["msteams_conversations"]
MEMBERS = SQLModel.metadata.tables["msteams_members"]
TENANTS = SQLModel.metadata.tables["msteams_tenants"]

ConversationKind = Literal["personal", "channel", "groupChat"]
KINDS: tuple[str, ...] = get_args(ConversationKind)
CHANNELS_AT_MOST = 500  # channels listed for a form; a tenant with more is read in part
NAMED_AT_MOST = 10  # people a typed name may find; more means the caller must ask who
# A roster's people merged by one statement: 11 values each stays within SQLite's 32,766.
ROSTER_ROWS_A_STATEMENT = 500
MEMBER_MERGE: dict[str, Any] = {
    "keys": ("workspace_id", "user_id"),
    "kept_unless_given": ("email", "locale", "timezone"),
}


class RosterMember(Protocol):
    """A person as a roster lists them (the Teams adapter's connector.Member)."""

    @property
    def aad_id(self) -> str | None: ...  # the Entra object id, lowercase
    @property
    def member_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def given_name(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class StoredConversation:
    workspace_id: str
    conversation_id: str
    service_url: str
    kind: ConversationKind
    team_id: str | None  # the Teams team's 19: id, for a channel of one
    user_id: str | None  # personal: whose 1:1 (Entra id)
    name: str | None
    updated_at: datetime
    removed_at: datetime | None = None  # the channel deleted, or Delight removed from the 1:1


@dataclass(frozen=True, slots=True)
class StoredMember:
    workspace_id: str
    user_id: str  # Entra object id
    member_id: str  # 29:…
    name: str
    email: str | None
    locale: str | None
    timezone: str | None
    is_bot: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredTenant:
    workspace_id: str
    service_url: str
    installed_by: str | None
    updated_at: datetime


def name_key(name: str) -> str:
    """A name as typed names are compared with it: casefolded, spaces collapsed, no leading @."""
    return " ".join(name.removeprefix("@").casefold().split())[:PLATFORM_ID]


def first_name_key(name: str, given_name: str | None) -> str:
    """The roster's given name when it has one ("Doe, Jane" is Jane), else the first word."""
    if given_name and (given := name_key(given_name)):
        return given
    words = name_key(name).split()
    return words[0] if words else ""


class SqlMsTeamsDirectory:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- conversations -------------------------------------------------------------------------

    async def remember_conversation(
        self,
        workspace_id: str,
        conversation_id: str,
        *,
        service_url: str,
        kind: ConversationKind,
        at: datetime,
        team_id: str | None = None,
        user_id: str | None = None,
        name: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"not a Teams conversation kind: {kind!r}")
        values = {
            "workspace_id": _id(workspace_id, WORKSPACE_ID, "workspace id"),
            "conversation_id": _id(conversation_id, PLATFORM_ID, "conversation id"),
            "service_url": _id(service_url, SERVICE_URL, "service URL"),
            "kind": kind,
            "msteams_team_id": _optional_id(team_id, "team id"),
            "user_id": _optional_id(user_id, "user id"),
            "name": name,
            "updated_at": at,
        }
        await self._db.transaction(
            _upsert,
            CONVERSATIONS,
            values,
            keys=("workspace_id", "conversation_id"),
            kept_unless_given=("msteams_team_id", "user_id", "name"),
        )

    async def conversation(
        self, workspace_id: str, conversation_id: str
    ) -> StoredConversation | None:
        return await self._one_conversation(
            CONVERSATIONS.c.workspace_id == workspace_id,
            CONVERSATIONS.c.conversation_id == conversation_id,
        )

    async def personal_conversation(
        self, workspace_id: str, user_id: str
    ) -> StoredConversation | None:
        """Their 1:1 chat with Delight (the latest seen, should Teams have given two)."""
        return await self._one_conversation(
            CONVERSATIONS.c.workspace_id == workspace_id,
            CONVERSATIONS.c.user_id == user_id,
            CONVERSATIONS.c.kind == "personal",
        )

    async def channels(
        self, workspace_id: str, *, limit: int = CHANNELS_AT_MOST
    ) -> list[StoredConversation]:
        """The team channels Delight knows in the tenant (it has been installed in or spoken to
        in each), by team then name; deleted ones too (removed_at), which still have a name."""

        def work(connection: Connection) -> list[Any]:
            return list(
                connection.execute(
                    select(CONVERSATIONS)
                    .where(
                        CONVERSATIONS.c.workspace_id == workspace_id,
                        CONVERSATIONS.c.kind == "channel",
                    )
                    .order_by(
                        CONVERSATIONS.c.msteams_team_id,
                        CONVERSATIONS.c.name,
                        CONVERSATIONS.c.conversation_id,
                    )
                    .limit(limit)
                ).all()
            )

        return [_conversation(row) for row in await self._db.transaction(work)]

    async def mark_removed(
        self,
        workspace_id: str,
        *,
        at: datetime,
        removed: bool,
        conversation_id: str | None = None,
        user_id: str | None = None,
    ) -> list[str]:
        """A channel deleted (or restored), or a person who removed Delight from their 1:1
        scope (or installed it again: every 1:1 of theirs); the conversations it changed. A
        late event older than what the row last saw changes nothing, a repeat nothing more."""

        def work(connection: Connection) -> list[str]:
            where = [CONVERSATIONS.c.workspace_id == workspace_id, CONVERSATIONS.c.updated_at <= at]
            if conversation_id is not None:
                where.append(CONVERSATIONS.c.conversation_id == conversation_id)
            if user_id is not None:
                where += [CONVERSATIONS.c.user_id == user_id, CONVERSATIONS.c.kind == "personal"]
            where.append(
                CONVERSATIONS.c.removed_at.is_(None)
                if removed
                else CONVERSATIONS.c.removed_at.is_not(None)
            )
            changed = connection.execute(
                update(CONVERSATIONS)
                .where(*where)
                .values(removed_at=at if removed else None, updated_at=at)
                .returning(CONVERSATIONS.c.conversation_id)
            )
            return list(changed.scalars())

        return await self._db.transaction(work)

    async def _one_conversation(self, *conditions: Any) -> StoredConversation | None:
        row = await self._db.transaction(_newest, CONVERSATIONS, conditions)
        return None if row is None else _conversation(row)

    # --- the roster ----------------------------------------------------------------------------

    async def remember_member(
        self,
        workspace_id: str,
        user_id: str,
        *,
        member_id: str,
        name: str,
        at: datetime,
        given_name: str | None = None,
        email: str | None = None,
        locale: str | None = None,
        timezone: str | None = None,
        is_bot: bool = False,
    ) -> None:
        """`given_name` is used only to find them by their first name (members_named)."""
        values = _member_values(
            workspace_id,
            user_id,
            member_id=member_id,
            name=name,
            at=at,
            given_name=given_name,
            email=email,
            locale=locale,
            timezone=timezone,
            is_bot=is_bot,
        )
        await self._db.transaction(_upsert, MEMBERS, values, **MEMBER_MERGE)

    async def remember_roster(
        self, workspace_id: str, members: Sequence[RosterMember], *, at: datetime
    ) -> None:
        """A roster's people, as `remember_member` would each (those without an Entra id left
        out), in one transaction: a fan-out reads a whole team's before its first message."""
        rows = {
            member.aad_id: _member_values(
                workspace_id,
                member.aad_id,
                member_id=member.member_id,
                name=member.name,
                at=at,
                given_name=member.given_name,
                email=member.email,
            )
            for member in members
            if member.aad_id
        }  # by Entra id: one statement may not change a row twice
        people = list(rows.values())

        def work(connection: Connection) -> None:
            for start in range(0, len(people), ROSTER_ROWS_A_STATEMENT):
                chunk = people[start : start + ROSTER_ROWS_A_STATEMENT]
                _upsert_rows(connection, MEMBERS, chunk, **MEMBER_MERGE)

        await self._db.transaction(work)

    async def member(self, workspace_id: str, user_id: str) -> StoredMember | None:
        row = await self._db.transaction(
            _newest,
            MEMBERS,
            (MEMBERS.c.workspace_id == workspace_id, MEMBERS.c.user_id == user_id),
        )
        return None if row is None else _member(row)

    async def member_by_member_id(self, workspace_id: str, member_id: str) -> StoredMember | None:
        """Who a mention's 29: id is (the latest seen, should two Entra ids have carried it)."""
        row = await self._db.transaction(
            _newest,
            MEMBERS,
            (MEMBERS.c.workspace_id == workspace_id, MEMBERS.c.member_id == member_id),
        )
        return None if row is None else _member(row)

    async def members_named(
        self, workspace_id: str, name: str, *, limit: int = NAMED_AT_MOST
    ) -> list[StoredMember]:
        """The people (never bots) a typed name means, compared casefolded: those whose full name
        it is, or when nobody's is, those whose first name it is. Several, or none, are the
        caller's to resolve (ask which one); at most `limit`, by name."""
        key = name_key(name)
        if not key:
            return []

        def work(connection: Connection) -> list[Any]:
            for column in (MEMBERS.c.name_key, MEMBERS.c.first_name_key):
                rows = connection.execute(
                    select(MEMBERS)
                    .where(MEMBERS.c.workspace_id == workspace_id, column == key, ~MEMBERS.c.is_bot)
                    .order_by(MEMBERS.c.name_key, MEMBERS.c.user_id)
                    .limit(limit)
                ).all()
                if rows:
                    return list(rows)
            return []

        return [_member(row) for row in await self._db.transaction(work)]

    # --- tenants -------------------------------------------------------------------------------

    async def remember_tenant(
        self,
        workspace_id: str,
        *,
        service_url: str,
        at: datetime,
        installed_by: str | None = None,
    ) -> None:
        values = {
            "workspace_id": _id(workspace_id, WORKSPACE_ID, "workspace id"),
            "service_url": _id(service_url, SERVICE_URL, "service URL"),
            "installed_by": _optional_id(installed_by, "installer id"),
            "updated_at": at,
        }
        await self._db.transaction(
            _upsert, TENANTS, values, keys=("workspace_id",), kept_unless_given=("installed_by",)
        )

    async def tenant(self, workspace_id: str) -> StoredTenant | None:
        row = await self._db.transaction(
            _newest, TENANTS, (TENANTS.c.workspace_id == workspace_id,)
        )
        return None if row is None else StoredTenant(**row._mapping)

    async def service_url(self, workspace_id: str) -> str | None:
        """Where the tenant's Bot Connector answers (for a conversation not yet stored)."""
        stored = await self.tenant(workspace_id)
        return None if stored is None else stored.service_url


def _id(value: str, limit: int, what: str) -> str:
    """Refused rather than stored: an id or URL from a request must not grow a table's rows."""
    if not value or len(value) > limit:
        raise ValueError(f"a {what} must be 1 to {limit} characters long, not {len(value)}")
    return value


def _optional_id(value: str | None, what: str, *, limit: int = PLATFORM_ID) -> str | None:
    return None if value is None else _id(value, limit, what)


def _member_values(
    workspace_id: str,
    user_id: str,
    *,
    member_id: str,
    name: str,
    at: datetime,
    given_name: str | None = None,
    email: str | None = None,
    locale: str | None = None,
    timezone: str | None = None,
    is_bot: bool = False,
) -> dict[str, object]:
    return {
        "workspace_id": _id(workspace_id, WORKSPACE_ID, "workspace id"),
        "user_id": _id(user_id, PLATFORM_ID, "user id"),
        "member_id": _id(member_id, PLATFORM_ID, "member id"),
        "name": name,
        "name_key": name_key(name),
        "first_name_key": first_name_key(name, given_name),
        "email": email,
        "locale": _optional_id(locale, "locale", limit=35),
        "timezone": _optional_id(timezone, "timezone", limit=64),
        "is_bot": is_bot,
        "updated_at": at,
    }


def _upsert(
    connection: Connection,
    table: Table,
    values: dict[str, object],
    *,
    keys: tuple[str, ...],
    kept_unless_given: tuple[str, ...],
) -> None:
    _upsert_rows(connection, table, [values], keys=keys, kept_unless_given=kept_unless_given)


def _upsert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, object]],
    *,
    keys: tuple[str, ...],
    kept_unless_given: tuple[str, ...],
) -> None:
    """Each row inserted, or merged into the one with its `keys`; every row has the same
    columns."""
    if not rows:
        return
    statement = insert_or_merge(connection, table).values(list(rows))
    new = statement.excluded
    changes: dict[str, Any] = {
        column: func.coalesce(new[column], table.c[column])
        if column in kept_unless_given
        else new[column]
        for column in rows[0]
        if column not in keys
    }
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_=changes,
            # An older sighting that arrives late changes nothing.
            where=table.c.updated_at <= new.updated_at,
        )
    )


def _newest(connection: Connection, table: Table, conditions: tuple[Any, ...]) -> Any:
    return connection.execute(
        select(table).where(*conditions).order_by(table.c.updated_at.desc()).limit(1)
    ).first()


def _conversation(row: Any) -> StoredConversation:
    return StoredConversation(
        workspace_id=row.workspace_id,
        conversation_id=row.conversation_id,
        service_url=row.service_url,
        kind=cast(ConversationKind, row.kind),
        team_id=row.msteams_team_id,
        user_id=row.user_id,
        name=row.name,
        updated_at=row.updated_at,
        removed_at=row.removed_at,
    )


def _member(row: Any) -> StoredMember:
    return StoredMember(
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        member_id=row.member_id,
        name=row.name,
        email=row.email,
        locale=row.locale,
        timezone=row.timezone,
        is_bot=bool(row.is_bot),
        updated_at=row.updated_at,
    )
