"""Forgetting a person (`python -m bot forget-user`): every table that holds a user id.

The policy (README, "Forgetting a person"):
- kudos they gave stay, with their story, but the giver becomes FORGOTTEN_USER;
- they are removed from the recipients of kudos others gave them, and a kudos left with
  nobody to recognise is deleted with its elements;
- tip schedules they own keep running with no owner (nobody is DMed if one pauses);
- the record of the tips DMed to them goes; tips they wrote stay, by FORGOTTEN_USER;
- they leave every manager team (as manager or named member) and their digest ledger rows go;
  teams they created stay, with no creator.

- what Teams told of them (the roster cache) and where their 1:1 chat is go; a Teams
  installation of theirs is kept, by FORGOTTEN_USER;
- they are no longer a Delight admin named in the workspace's settings;
- their id, wherever else it appears in text (audit log details, a story's leftover mention,
  an error), becomes FORGOTTEN_USER.

Each table's part is one Step in FORGET_STEPS; a new column that may hold a user id adds its
line there (tests/test_admin_cli.py writes the id into every string column of every table,
forgets it, and searches them all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Table, delete, exists, func, select, update
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the tables below)
from storage.outbox_rows import PLAN, unfold_plans

FORGOTTEN_USER = "U_FORGOTTEN"
StepWork = Callable[[Connection, str, str], int]


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


@dataclass(frozen=True, slots=True)
class Step:
    table: str
    column: str  # the column that holds the person's id
    what: str  # what happens, for the confirmation and the report
    work: StepWork


def _workspace(rows: Table) -> ColumnElement[str]:
    """The column naming a row's workspace: `team_id`, except in Microsoft Teams' tables, where
    `workspace_id` does (a team is something else there)."""
    return rows.c.workspace_id if "workspace_id" in rows.c else rows.c.team_id


def replace_user(table: str, column: str, *, by: str, what: str) -> Step:
    def work(connection: Connection, team_id: str, user_id: str) -> int:
        rows = _table(table)
        return connection.execute(
            update(rows)
            .where(_workspace(rows) == team_id, rows.c[column] == user_id)
            .values({column: by})
        ).rowcount

    return Step(table, column, what, work)


def delete_rows(table: str, column: str, *, what: str) -> Step:
    def work(connection: Connection, team_id: str, user_id: str) -> int:
        rows = _table(table)
        return connection.execute(
            delete(rows).where(_workspace(rows) == team_id, rows.c[column] == user_id)
        ).rowcount

    return Step(table, column, what, work)


def delete_team_rows(table: str, column: str, *, what: str, kind: str | None = None) -> Step:
    """For the manager-team tables, which reach their workspace through manager_team."""

    def work(connection: Connection, team_id: str, user_id: str) -> int:
        rows, teams = _table(table), _table("manager_team")
        in_workspace = select(teams.c.id).where(teams.c.team_id == team_id)
        condition = rows.c.manager_team_id.in_(in_workspace) & (rows.c[column] == user_id)
        if kind is not None:
            condition &= rows.c.kind == kind
        return connection.execute(delete(rows).where(condition)).rowcount

    return Step(table, column, what, work)


def _remove_recipient(connection: Connection, team_id: str, user_id: str) -> int:
    kudos, recipients = _table("kudos"), _table("kudos_recipient")
    theirs = select(recipients.c.kudos_id).where(
        recipients.c.team_id == team_id, recipients.c.recipient_id == user_id
    )
    # The count is what the giver's daily allowance sums: keep it equal to who is named.
    connection.execute(
        update(kudos)
        .where(kudos.c.id.in_(theirs))
        .values(recipient_count=kudos.c.recipient_count - 1)
    )
    return connection.execute(
        delete(recipients).where(
            recipients.c.team_id == team_id, recipients.c.recipient_id == user_id
        )
    ).rowcount


def _delete_kudos_left_without_recipients(
    connection: Connection, team_id: str, _user_id: str
) -> int:
    kudos, recipients = _table("kudos"), _table("kudos_recipient")
    elements = _table("kudos_element")
    orphans = select(kudos.c.id).where(
        kudos.c.team_id == team_id,
        ~exists().where(recipients.c.kudos_id == kudos.c.id),
    )
    orphan_ids = list(connection.scalars(orphans))
    if not orphan_ids:
        return 0
    connection.execute(delete(elements).where(elements.c.kudos_id.in_(orphan_ids)))
    endorsements = _table("kudos_endorsement")
    connection.execute(delete(endorsements).where(endorsements.c.kudos_id.in_(orphan_ids)))
    return connection.execute(delete(kudos).where(kudos.c.id.in_(orphan_ids))).rowcount


def _unfold_their_deliveries(connection: Connection, team_id: str, user_id: str) -> int:
    """A kudos not yet delivered may owe them messages inside one plan row (see
    storage/outbox_rows.py): a row each from now on, so the outbox step below finds theirs."""
    kudos, recipients, outbox = _table("kudos"), _table("kudos_recipient"), _table("outbox")
    theirs = select(outbox.c.kudos_id).where(
        outbox.c.team_id == team_id,
        outbox.c.kind == PLAN,
        outbox.c.kudos_id.in_(
            select(kudos.c.id).where(kudos.c.team_id == team_id, kudos.c.giver_id == user_id)
        )
        | outbox.c.kudos_id.in_(
            select(recipients.c.kudos_id).where(
                recipients.c.team_id == team_id, recipients.c.recipient_id == user_id
            )
        ),
    )
    return unfold_plans(connection, list(connection.scalars(theirs)))


def _in_workspace(rows: Table, team_id: str) -> ColumnElement[bool]:
    """The rows of one workspace, also of the tables that reach it through a parent."""
    if "team_id" in rows.c or "workspace_id" in rows.c:
        return _workspace(rows) == team_id
    parent, key = (
        ("manager_team", "manager_team_id")
        if "manager_team_id" in rows.c
        else ("tip_schedule", "schedule_id")
    )
    parents = _table(parent)
    return rows.c[key].in_(select(parents.c.id).where(parents.c.team_id == team_id))


def scrub_text(table: str, column: str, *, what: str) -> Step:
    """The person's id, wherever it appears in a column of free text (a story's leftover
    <@U…> mention, an audit entry's details, a team's name, an error), becomes
    FORGOTTEN_USER. A Slack user id is distinctive enough not to occur by chance."""

    def work(connection: Connection, team_id: str, user_id: str) -> int:
        rows = _table(table)
        text = rows.c[column]
        return connection.execute(
            update(rows)
            .where(_in_workspace(rows, team_id), text.contains(user_id, autoescape=True))
            .values({column: func.replace(text, user_id, FORGOTTEN_USER)})
        ).rowcount

    return Step(table, column, what, work)


def _drop_from_admins(connection: Connection, team_id: str, user_id: str) -> int:
    settings = _table("workspace_settings")
    listed = connection.scalar(select(settings.c.admin_ids).where(settings.c.team_id == team_id))
    admins = (listed or "").split(",")
    if user_id not in admins:
        return 0
    kept = ",".join(admin for admin in admins if admin and admin != user_id) or None
    return connection.execute(
        update(settings).where(settings.c.team_id == team_id).values(admin_ids=kept)
    ).rowcount


FORGET_STEPS: tuple[Step, ...] = (
    # First, while the kudos still name them as giver and recipient.
    Step(
        "outbox",
        "target",
        "deliveries under way that involve them: split into single messages",
        _unfold_their_deliveries,
    ),
    replace_user(
        "kudos",
        "giver_id",
        by=FORGOTTEN_USER,
        what=f"kudos they gave: kept, the giver shown as {FORGOTTEN_USER}",
    ),
    Step(
        "kudos_recipient",
        "recipient_id",
        "kudos they received: they are no longer named in them",
        _remove_recipient,
    ),
    Step(
        "kudos",
        "id",
        "kudos that named only them: deleted",
        _delete_kudos_left_without_recipients,
    ),
    replace_user(
        "kudos",
        "removed_by",
        by=FORGOTTEN_USER,
        what=f"kudos they withdrew or removed: still removed, by {FORGOTTEN_USER}",
    ),
    delete_rows("kudos_endorsement", "user_id", what="their endorsements: deleted"),
    # A DM or receipt not yet delivered to them (channels never share an id with a person).
    delete_rows("outbox", "target", what="messages still owed to them: not sent"),
    delete_rows("user_preference", "user_id", what="their preferences: deleted"),
    replace_user(
        "audit_log",
        "actor_id",
        by=FORGOTTEN_USER,
        what=f"audit log entries of theirs: kept, the actor shown as {FORGOTTEN_USER}",
    ),
    replace_user(
        "tip_schedule",
        "owner_id",
        by="",
        what="tip schedules they own: kept, with no owner",
    ),
    delete_rows(
        "tip_direct_message",
        "recipient_id",
        what="the record of the tips DMed to them: deleted",
    ),
    replace_user(
        "tip_custom",
        "author_id",
        by=FORGOTTEN_USER,
        what=f"tips they wrote: kept, the author shown as {FORGOTTEN_USER}",
    ),
    delete_team_rows(
        "manager_team_manager", "user_id", what="teams they manage: they no longer do"
    ),
    delete_team_rows(
        "manager_team_source",
        "ref_id",
        kind="user",
        what="teams they were named in: they are no longer members",
    ),
    delete_team_rows(
        "digest_delivery", "manager_id", what="digests sent to them: the record is deleted"
    ),
    replace_user(
        "manager_team", "created_by", by="", what="teams they created: kept, with no creator"
    ),
    replace_user(
        "installation",
        "installer_id",
        by=FORGOTTEN_USER,
        what=f"Delight's installation, if they installed it: kept, installed by {FORGOTTEN_USER}",
    ),
    delete_rows(
        "msteams_members",
        "user_id",
        what="what Teams told of them (name, email, the id mentions carry): deleted",
    ),
    delete_rows(
        "msteams_conversations",
        "user_id",
        what="where their Teams chat with Delight is: deleted (Teams opens it again if needed)",
    ),
    replace_user(
        "msteams_tenants",
        "installed_by",
        by=FORGOTTEN_USER,
        what=f"Delight's Teams installation, if theirs: kept, installed by {FORGOTTEN_USER}",
    ),
    replace_user(
        "msteams_teams",
        "installed_by",
        by=FORGOTTEN_USER,
        what=f"Teams teams they installed Delight in: kept, installed by {FORGOTTEN_USER}",
    ),
    Step(
        "workspace_settings",
        "admin_ids",
        "Delight admin, if named one in the settings: no longer",
        _drop_from_admins,
    ),
    # Last: their id anywhere in free text, after the steps above changed or deleted the
    # rows that named them.
    *(
        scrub_text(table, column, what=f"{what}: their id replaced by {FORGOTTEN_USER}")
        for table, column, what in (
            ("audit_log", "detail", "audit log details that name them"),
            ("kudos", "story", "stories that mention them by id"),
            ("tip_custom", "title", "tip titles that mention them by id"),
            ("tip_custom", "body", "tips that mention them by id"),
            ("manager_team", "name", "team names with their id"),
            ("outbox", "last_error", "delivery errors that name them"),
            ("tip_schedule", "paused_reason", "tip schedule pauses that name them"),
            ("digest_schedule", "paused_reason", "digest pauses that name them"),
            ("manager_team", "paused_reason", "a team's digest pauses that name them"),
            ("tip_delivery", "reason", "tip delivery errors that name them"),
            ("tip_direct_message", "reason", "tip DM errors that name them"),
            ("digest_delivery", "reason", "digest errors that name them"),
            ("msteams_conversations", "name", "Teams chat names with their id"),
            ("msteams_teams", "name", "Teams team names with their id"),
        )
    ),
)


def forget_user(
    connection: Connection,
    *,
    team_id: str,
    user_id: str,
    steps: tuple[Step, ...] = FORGET_STEPS,
) -> list[tuple[Step, int]]:
    """Run every step in the caller's transaction; how many rows each one changed."""
    return [(step, step.work(connection, team_id, user_id)) for step in steps]
