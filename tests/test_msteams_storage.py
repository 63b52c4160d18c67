"""What the Teams adapter remembers (storage/msteams.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.workspaces import Platform, workspace_id
from handlers.msteams.cached_book import CachedBook
from handlers.msteams.connector import Member
from storage.engine import Database
from storage.forget import FORGOTTEN_USER, forget_user
from storage.msteams import (
    ROSTER_ROWS_A_STATEMENT,
    SqlMsTeamsDirectory,
    StoredConversation,
    StoredMember,
    StoredTenant,
)
from tests.helpers import query

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LATER = NOON + timedelta(hours=1)

TENANT = workspace_id(Platform.MSTEAMS, "28efbb18-2065-5f35-a9f0-6521047a0497")
OTHER_TENANT = workspace_id(Platform.MSTEAMS, "72f988bf-86f1-41af-91ab-2d7cd011db47")
SLACK_WORKSPACE = "T0001"
SERVICE_URL = "https://smba.trafficmanager.net/amer/"
EMEA = "https://smba.trafficmanager.net/emea/"

ALEX = "619b48b9-7842-5523-9653-01b62d817ddb"  # Entra object ids
SAM = "dd193c2a-ba08-52da-908f-11f468a7dd61"
ALEX_MEMBER = "29:12r0duNNasTEGJ09h8b-XeBLM5PR3sVAUzzj7eWxQpMTavR2401qxMQ"
SAM_MEMBER = "29:1gU_SbFj1h4fQ36qlVWTBgILCf_gFe2U8GHC2EyWj2MSBT9JsWPWHh9"
CHANNEL = "19:team-general@thread.tacv2"
TEAM = "19:team-general@thread.tacv2"  # a team's id is its General channel's
PERSONAL = "a:1hMISPiHFLF9xJCPN6dSsv14z6v-bhx3XcNMPc-_pUHiEwhI-IcUsX3EkI83p1Ky_XjPq_5uHHddw0w9z"


def run(database_url: str, work: Callable[[SqlMsTeamsDirectory], Awaitable[Any]]) -> Any:
    """Run `work(directory)` on a fresh Database and loop, and close both."""

    async def main() -> Any:
        database = Database(database_url)
        try:
            return await work(SqlMsTeamsDirectory(database))
        finally:
            await database.close()

    return asyncio.run(main())


async def remember_alex(directory: SqlMsTeamsDirectory, **changes: Any) -> None:
    fields: dict[str, Any] = {
        "member_id": ALEX_MEMBER,
        "name": "Alex Wilber",
        "at": NOON,
        "email": "alexw@contoso.example",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
    }
    workspace = changes.pop("workspace", TENANT)
    fields.update(changes)
    await directory.remember_member(workspace, ALEX, **fields)


# --- conversations -----------------------------------------------------------------------------


def test_a_conversation_is_remembered_and_read_back(database_url: str) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> tuple[Any, ...]:
        await directory.remember_conversation(
            TENANT,
            CHANNEL,
            service_url=SERVICE_URL,
            kind="channel",
            at=NOON,
            team_id=TEAM,
            name="General",
        )
        return (
            await directory.conversation(TENANT, CHANNEL),
            await directory.conversation(TENANT, "19:unknown@thread.tacv2"),
        )

    found, unknown = run(database_url, work)

    assert found == StoredConversation(
        workspace_id=TENANT,
        conversation_id=CHANNEL,
        service_url=SERVICE_URL,
        kind="channel",
        team_id=TEAM,
        user_id=None,
        name="General",
        updated_at=NOON,
    )
    assert unknown is None


def test_a_person_s_1_1_chat_is_found_by_their_entra_id(database_url: str) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> tuple[Any, ...]:
        await directory.remember_conversation(
            TENANT, PERSONAL, service_url=SERVICE_URL, kind="personal", at=NOON, user_id=ALEX
        )
        # A group chat Alex is in is not their 1:1.
        await directory.remember_conversation(
            TENANT,
            "19:group@thread.v2",
            service_url=SERVICE_URL,
            kind="groupChat",
            at=LATER,
            user_id=ALEX,
        )
        return (
            await directory.personal_conversation(TENANT, ALEX),
            await directory.personal_conversation(TENANT, SAM),
            await directory.personal_conversation(OTHER_TENANT, ALEX),
        )

    alex, sam, elsewhere = run(database_url, work)

    assert (alex.conversation_id, alex.kind, alex.user_id) == (PERSONAL, "personal", ALEX)
    assert sam is None
    assert elsewhere is None


def test_a_1_1_delight_was_removed_from_stays_so_until_installed_again_whatever_the_order(
    database_url: str,
) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> list[Any]:
        await directory.remember_conversation(
            TENANT, PERSONAL, service_url=SERVICE_URL, kind="personal", at=NOON, user_id=ALEX
        )
        await directory.remember_conversation(
            TENANT, CHANNEL, service_url=SERVICE_URL, kind="channel", at=NOON, team_id=TEAM
        )
        seen = [
            await directory.mark_removed(TENANT, at=LATER, removed=True, user_id=ALEX),
            await directory.mark_removed(TENANT, at=LATER, removed=True, user_id=ALEX),  # again
            await directory.mark_removed(TENANT, at=NOON, removed=False, user_id=ALEX),  # late
        ]
        # A later sighting of the chat (a message, say) doesn't bring it back by itself.
        await directory.remember_conversation(
            TENANT,
            PERSONAL,
            service_url=SERVICE_URL,
            kind="personal",
            at=LATER + timedelta(minutes=1),
            user_id=ALEX,
        )
        seen.append(await directory.personal_conversation(TENANT, ALEX))
        seen.append(await directory.channels(TENANT))
        seen.append(
            await directory.mark_removed(
                TENANT, at=LATER + timedelta(minutes=2), removed=False, user_id=ALEX
            )
        )
        seen.append(await directory.personal_conversation(TENANT, ALEX))
        return seen

    removed, again, late, while_removed, channels, installed, after = run(database_url, work)

    assert (removed, again, late) == ([PERSONAL], [], [])
    assert while_removed.removed_at == LATER
    assert [(c.conversation_id, c.removed_at) for c in channels] == [(CHANNEL, None)]
    assert installed == [PERSONAL]
    assert after.removed_at is None


def test_a_conversation_upsert_keeps_the_newest_values_and_what_a_sighting_lacks(
    database_url: str,
) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> list[StoredConversation | None]:
        seen = []
        await directory.remember_conversation(
            TENANT,
            CHANNEL,
            service_url=SERVICE_URL,
            kind="channel",
            at=NOON,
            team_id=TEAM,
            name="General",
        )
        # Moved to another region; this activity carries no team or name.
        await directory.remember_conversation(
            TENANT, CHANNEL, service_url=EMEA, kind="channel", at=LATER
        )
        seen.append(await directory.conversation(TENANT, CHANNEL))
        # An older sighting that arrives late changes nothing.
        await directory.remember_conversation(
            TENANT, CHANNEL, service_url=SERVICE_URL, kind="channel", at=NOON, name="Old"
        )
        seen.append(await directory.conversation(TENANT, CHANNEL))
        return seen

    newest, after_a_late_one = run(database_url, work)

    assert newest == StoredConversation(
        workspace_id=TENANT,
        conversation_id=CHANNEL,
        service_url=EMEA,
        kind="channel",
        team_id=TEAM,
        user_id=None,
        name="General",
        updated_at=LATER,
    )
    assert after_a_late_one == newest


def test_an_unknown_conversation_kind_is_refused(database_url: str) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> None:
        await directory.remember_conversation(
            TENANT,
            CHANNEL,
            service_url=SERVICE_URL,
            kind="meeting",  # type: ignore[arg-type]
            at=NOON,
        )

    with pytest.raises(ValueError, match="kind"):
        run(database_url, work)


# --- the roster --------------------------------------------------------------------------------


def test_a_member_is_found_by_entra_id_and_by_member_id(database_url: str) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> tuple[Any, ...]:
        await remember_alex(directory)
        return (
            await directory.member(TENANT, ALEX),
            await directory.member_by_member_id(TENANT, ALEX_MEMBER),
            await directory.member(TENANT, SAM),
            await directory.member_by_member_id(TENANT, SAM_MEMBER),
        )

    by_entra_id, by_member_id, unknown, unknown_member = run(database_url, work)

    assert by_entra_id == StoredMember(
        workspace_id=TENANT,
        user_id=ALEX,
        member_id=ALEX_MEMBER,
        name="Alex Wilber",
        email="alexw@contoso.example",
        locale="en-US",
        timezone="America/Los_Angeles",
        is_bot=False,
        updated_at=NOON,
    )
    assert by_member_id == by_entra_id
    assert unknown is None
    assert unknown_member is None


def test_a_member_upsert_keeps_the_newest_values_and_what_a_sighting_lacks(
    database_url: str,
) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> tuple[Any, ...]:
        await remember_alex(directory)
        # A message's sender: a new display name, no email, locale or zone.
        await directory.remember_member(
            TENANT, ALEX, member_id=ALEX_MEMBER, name="Alex W.", at=LATER
        )
        newest = await directory.member(TENANT, ALEX)
        await remember_alex(directory, name="Alex Old", email="old@contoso.example")  # at NOON
        return (
            newest,
            await directory.member(TENANT, ALEX),
            await directory.members_named(TENANT, "Alex Old"),
        )

    newest, after_a_late_one, by_old_name = run(database_url, work)

    assert (newest.name, newest.email, newest.locale, newest.updated_at) == (
        "Alex W.",
        "alexw@contoso.example",
        "en-US",
        LATER,
    )
    assert after_a_late_one == newest
    assert by_old_name == []


def test_a_whole_roster_is_remembered_at_once_as_each_member_would_be(database_url: str) -> None:
    """A fan-out's roster (more people than one statement merges), with a person listed twice
    and a guest without an Entra id; what a roster lacks (locale, zone) is kept."""
    staff = [
        Member(f"29:1staff-{n}", f"5a000000-0000-4000-8000-{n:012d}", f"Staff {n}")
        for n in range(ROSTER_ROWS_A_STATEMENT + 20)
    ]
    alex = Member(ALEX_MEMBER, ALEX, "Alex Wilber-Smith", given_name="Alex", email=None)
    guest = Member("29:1guest", None, "A Guest")

    async def work(directory: SqlMsTeamsDirectory) -> tuple[Any, ...]:
        await remember_alex(directory)
        await directory.remember_roster(TENANT, [alex, *staff, guest, staff[0]], at=LATER)
        older = Member(ALEX_MEMBER, ALEX, "Alex From Yesterday")
        await directory.remember_roster(TENANT, [older], at=NOON - timedelta(days=1))
        return (
            await directory.member(TENANT, ALEX),
            await directory.member(TENANT, staff[-1].aad_id or ""),
            await directory.member_by_member_id(TENANT, "29:1guest"),
            await directory.members_named(TENANT, "staff 7"),
        )

    alex_now, last, guest_row, named = run(database_url, work)

    assert (alex_now.name, alex_now.email, alex_now.locale, alex_now.timezone) == (
        "Alex Wilber-Smith",
        "alexw@contoso.example",
        "en-US",
        "America/Los_Angeles",
    )
    assert alex_now.updated_at == LATER
    assert (last.member_id, last.name) == (staff[-1].member_id, staff[-1].name)
    assert guest_row is None
    assert [m.user_id for m in named] == [staff[7].aad_id]
    rows = query(database_url, "SELECT COUNT(*) AS n FROM msteams_members")
    assert rows == [{"n": len(staff) + 1}]


def test_concurrent_upserts_of_one_member_leave_one_row_with_the_newest(
    database_url: str,
) -> None:
    """Several processes (a roster refresh, messages) write the same person at once."""
    sightings = [NOON + timedelta(minutes=m) for m in (3, 7, 1, 9, 5, 2, 8, 4, 6, 0)]

    async def main() -> Any:
        databases = [Database(database_url) for _ in range(3)]
        try:
            directories = [SqlMsTeamsDirectory(db) for db in databases]
            await asyncio.gather(
                *(
                    directories[i % 3].remember_member(
                        TENANT, ALEX, member_id=ALEX_MEMBER, name=f"Alex {at.minute}", at=at
                    )
                    for i, at in enumerate(sightings)
                )
            )
            return await directories[0].members_named(TENANT, "alex 9"), await directories[
                0
            ].members_named(TENANT, "alex")
        finally:
            for db in databases:
                await db.close()

    newest, all_alexes = asyncio.run(main())

    assert [(m.name, m.updated_at) for m in newest] == [("Alex 9", max(sightings))]
    assert [m.user_id for m in all_alexes] == [ALEX]


def test_a_typed_name_finds_a_full_name_or_else_a_first_name_ignoring_case(
    database_url: str,
) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> dict[str, list[str]]:
        people = [
            ("e1", "Émile Zola", None),
            ("e2", "Émile Durand", None),
            ("d1", "Doe, Jane", "Jane"),  # the roster's given name says which word is hers
            ("j1", "Jane", None),  # someone whose full name is just that
            ("b1", "Delight", None),
        ]
        for user, name, given in people:
            await directory.remember_member(
                TENANT,
                user,
                member_id=f"29:{user}",
                name=name,
                given_name=given,
                at=NOON,
                is_bot=user == "b1",
            )
        typed = [
            "émile zola",
            "  ÉMILE   zola ",
            "@Émile Zola",
            "émile",
            "jane",
            "doe, jane",
            "Doe",
            "delight",
            "",
            "zola",
        ]
        return {
            name: [m.user_id for m in await directory.members_named(TENANT, name)] for name in typed
        }

    found = run(database_url, work)

    assert found == {
        "émile zola": ["e1"],  # casefolded beyond ASCII, on SQLite too
        "  ÉMILE   zola ": ["e1"],
        "@Émile Zola": ["e1"],
        "émile": ["e2", "e1"],  # several: the caller asks which one (by name)
        "jane": ["j1"],  # a full name wins over first names
        "doe, jane": ["d1"],
        "Doe": [],  # not her first name
        "delight": [],  # bots are never named
        "": [],
        "zola": [],  # last names alone find nobody
    }


def test_members_named_returns_at_most_the_limit(database_url: str) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> tuple[int, int]:
        for n in range(12):
            await directory.remember_member(
                TENANT, f"u{n:02}", member_id=f"29:u{n}", name=f"Sam {n:02}", at=NOON
            )
        return (
            len(await directory.members_named(TENANT, "sam")),
            len(await directory.members_named(TENANT, "sam", limit=3)),
        )

    assert run(database_url, work) == (10, 3)


# --- tenants -----------------------------------------------------------------------------------


def test_a_tenant_s_service_url_is_remembered_and_the_newest_kept(database_url: str) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> tuple[Any, ...]:
        before = await directory.service_url(TENANT)
        await directory.remember_tenant(TENANT, service_url=SERVICE_URL, at=NOON, installed_by=ALEX)
        first = await directory.tenant(TENANT)
        await directory.remember_tenant(TENANT, service_url=EMEA, at=LATER)
        await directory.remember_tenant(TENANT, service_url=SERVICE_URL, at=NOON)  # late
        return before, first, await directory.tenant(TENANT), await directory.service_url(TENANT)

    before, first, newest, url = run(database_url, work)

    assert before is None
    assert first == StoredTenant(
        workspace_id=TENANT, service_url=SERVICE_URL, installed_by=ALEX, updated_at=NOON
    )
    assert newest == StoredTenant(
        workspace_id=TENANT, service_url=EMEA, installed_by=ALEX, updated_at=LATER
    )
    assert url == EMEA


# --- workspaces and limits ---------------------------------------------------------------------


def test_workspaces_never_see_each_other_s_rows_slack_s_and_teams_alike(
    database_url: str,
) -> None:
    """The same ids under two tenants and a Slack workspace: three rows each, none shared."""

    async def work(directory: SqlMsTeamsDirectory) -> dict[str, tuple[Any, ...]]:
        for n, workspace in enumerate((TENANT, OTHER_TENANT, SLACK_WORKSPACE)):
            at = NOON + timedelta(minutes=n)
            url = f"https://smba.trafficmanager.net/{n}/"
            await directory.remember_tenant(workspace, service_url=url, at=at)
            await directory.remember_conversation(
                workspace, PERSONAL, service_url=url, kind="personal", at=at, user_id=ALEX
            )
            await directory.remember_member(
                workspace, ALEX, member_id=ALEX_MEMBER, name=f"Alex {n}", at=at
            )
        return {
            workspace: (
                await directory.service_url(workspace),
                _url(await directory.conversation(workspace, PERSONAL)),
                _url(await directory.personal_conversation(workspace, ALEX)),
                _name(await directory.member(workspace, ALEX)),
                _name(await directory.member_by_member_id(workspace, ALEX_MEMBER)),
                [m.name for m in await directory.members_named(workspace, "alex")],
            )
            for workspace in (TENANT, OTHER_TENANT, SLACK_WORKSPACE, "msteams:nobody")
        }

    seen = run(database_url, work)

    for n, workspace in enumerate((TENANT, OTHER_TENANT, SLACK_WORKSPACE)):
        url = f"https://smba.trafficmanager.net/{n}/"
        assert seen[workspace] == (url, url, url, f"Alex {n}", f"Alex {n}", [f"Alex {n}"])
    assert seen["msteams:nobody"] == (None, None, None, None, None, [])


def _url(conversation: StoredConversation | None) -> str | None:
    return None if conversation is None else conversation.service_url


def _name(member: StoredMember | None) -> str | None:
    return None if member is None else member.name


def test_an_over_long_service_url_is_refused_and_nothing_is_stored(database_url: str) -> None:
    hostile = "https://smba.trafficmanager.net/" + "a" * 2048
    longest = "https://smba.trafficmanager.net/" + "a" * (2048 - 32)
    assert len(longest) == 2048

    async def work(directory: SqlMsTeamsDirectory) -> tuple[Any, ...]:
        refused = []
        for attempt in (
            directory.remember_tenant(TENANT, service_url=hostile, at=NOON),
            directory.remember_conversation(
                TENANT, CHANNEL, service_url=hostile, kind="channel", at=NOON
            ),
        ):
            with pytest.raises(ValueError, match="service URL"):
                await attempt
            refused.append(True)
        await directory.remember_tenant(OTHER_TENANT, service_url=longest, at=NOON)
        return (
            refused,
            await directory.tenant(TENANT),
            await directory.conversation(TENANT, CHANNEL),
            await directory.service_url(OTHER_TENANT),
        )

    refused, tenant, conversation, at_the_limit = run(database_url, work)

    assert refused == [True, True]
    assert tenant is None
    assert conversation is None
    assert at_the_limit == longest


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("workspace", "msteams:" + "x" * 60),
        ("member_id", "29:" + "x" * 255),
        ("member_id", ""),
        ("locale", "x" * 36),
        ("timezone", "x" * 65),
    ],
)
def test_over_long_ids_are_refused(database_url: str, field: str, value: str) -> None:
    async def work(directory: SqlMsTeamsDirectory) -> None:
        await remember_alex(directory, **{field: value})

    with pytest.raises(ValueError, match="characters"):
        run(database_url, work)


def test_forgetting_a_person_removes_their_teams_rows_in_that_tenant_only(
    database_url: str,
) -> None:
    async def work(directory: SqlMsTeamsDirectory, database: Database) -> tuple[Any, ...]:
        for workspace in (TENANT, OTHER_TENANT):
            await directory.remember_tenant(
                workspace, service_url=SERVICE_URL, at=NOON, installed_by=ALEX
            )
            await directory.remember_conversation(
                workspace, PERSONAL, service_url=SERVICE_URL, kind="personal", at=NOON, user_id=ALEX
            )
            await remember_alex(directory, workspace=workspace)
        await database.transaction(forget_user, team_id=TENANT, user_id=ALEX)
        seen = []
        for workspace in (TENANT, OTHER_TENANT):
            tenant = await directory.tenant(workspace)
            seen.append(
                (
                    await directory.member(workspace, ALEX) is not None,
                    await directory.personal_conversation(workspace, ALEX) is not None,
                    None if tenant is None else tenant.installed_by,
                )
            )
        return tuple(seen)

    async def main() -> tuple[Any, ...]:
        database = Database(database_url)
        try:
            return await work(SqlMsTeamsDirectory(database), database)
        finally:
            await database.close()

    forgotten, elsewhere = asyncio.run(main())

    assert forgotten == (False, False, FORGOTTEN_USER)
    assert elsewhere == (True, True, ALEX)


# --- read through the adapter's cache (handlers/msteams/cached_book.py) -------------------------


class _HeldReads(SqlMsTeamsDirectory):
    """A member read that has its row but isn't back before the test lets it go: a read that
    straddles another turn's write, as two activities acted on at once do."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.read = asyncio.Event()
        self.go_on = asyncio.Event()

    async def member(self, workspace_id: str, user_id: str) -> StoredMember | None:
        found = await super().member(workspace_id, user_id)
        self.read.set()
        await self.go_on.wait()
        return found


def test_a_cached_read_begun_before_a_write_is_not_kept_past_it(database_url: str) -> None:
    async def main() -> tuple[str | None, str | None]:
        database = Database(database_url)
        try:
            held = _HeldReads(database)
            cached = CachedBook(held)
            await remember_alex(held, timezone=None)
            reading = asyncio.ensure_future(cached.member(TENANT, ALEX))
            await held.read.wait()
            await remember_alex(cached, timezone="Europe/Amsterdam", at=LATER)
            held.go_on.set()
            stale = await reading
            fresh = await cached.member(TENANT, ALEX)
            assert stale is not None
            assert fresh is not None
            return stale.timezone, fresh.timezone
        finally:
            await database.close()

    assert asyncio.run(main()) == (None, "Europe/Amsterdam")
