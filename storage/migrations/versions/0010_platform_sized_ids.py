"""Ids sized for every chat platform, and columns named for none.

Microsoft Teams' ids are longer than Slack's: a tenant is a 36-character GUID (its workspace id
is `msteams:<tenant>`), people (`29:…`) and conversations (`19:…@thread.tacv2`, `a:…`) run past
100 characters. Workspace ids widen to 64 characters, people, channels, conversations and
messages to 255. A posted message's id was Slack's `ts`: the columns say `message_id` now, and
the endorsement emoji is the endorsement reaction.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WORKSPACE_ID = 64
PLATFORM_ID = 255

# table → columns that widen: (column, length before, length after)
_WIDER: dict[str, list[tuple[str, int, int]]] = {
    "kudos": [
        ("team_id", 32, WORKSPACE_ID),
        ("giver_id", 32, PLATFORM_ID),
        ("origin_channel_id", 32, PLATFORM_ID),
        ("announcement_channel_id", 32, PLATFORM_ID),
        ("removed_by", 32, PLATFORM_ID),
    ],
    "kudos_recipient": [
        ("recipient_id", 32, PLATFORM_ID),
        ("team_id", 32, WORKSPACE_ID),
        ("dm_channel_id", 32, PLATFORM_ID),
    ],
    "workspace_settings": [
        ("team_id", 32, WORKSPACE_ID),
        ("recognition_channel_id", 32, PLATFORM_ID),
    ],
    "processed_event": [("team_id", 32, WORKSPACE_ID), ("event_id", 64, PLATFORM_ID)],
    "tip_schedule": [
        ("team_id", 32, WORKSPACE_ID),
        ("channel_id", 32, PLATFORM_ID),
        ("owner_id", 32, PLATFORM_ID),
    ],
    "tip_direct_message": [("team_id", 32, WORKSPACE_ID), ("recipient_id", 32, PLATFORM_ID)],
    "tip_custom": [("team_id", 32, WORKSPACE_ID), ("author_id", 32, PLATFORM_ID)],
    "tip_disabled": [("team_id", 32, WORKSPACE_ID)],
    "kudos_endorsement": [("user_id", 32, PLATFORM_ID), ("team_id", 32, WORKSPACE_ID)],
    "user_preference": [("team_id", 32, WORKSPACE_ID), ("user_id", 32, PLATFORM_ID)],
    "audit_log": [("team_id", 32, WORKSPACE_ID), ("actor_id", 32, PLATFORM_ID)],
    "installation": [("team_id", 32, WORKSPACE_ID)],
    "manager_team": [("team_id", 32, WORKSPACE_ID), ("created_by", 32, PLATFORM_ID)],
    "manager_team_manager": [("user_id", 32, PLATFORM_ID), ("team_id", 32, WORKSPACE_ID)],
    "manager_team_source": [("ref_id", 32, PLATFORM_ID)],
    "digest_schedule": [("team_id", 32, WORKSPACE_ID)],
    "digest_delivery": [("manager_id", 32, PLATFORM_ID), ("channel_id", 32, PLATFORM_ID)],
    "outbox": [("target", 32, PLATFORM_ID), ("team_id", 32, WORKSPACE_ID)],
}

# table → (old name, new name, length before, length after)
_RENAMED: dict[str, list[tuple[str, str, int, int]]] = {
    "kudos": [("announcement_ts", "announcement_message_id", 32, PLATFORM_ID)],
    "kudos_recipient": [("dm_ts", "dm_message_id", 32, PLATFORM_ID)],
    "tip_delivery": [("message_ts", "message_id", 32, PLATFORM_ID)],
    "digest_delivery": [("message_ts", "message_id", 32, PLATFORM_ID)],
    "workspace_settings": [("endorsement_emoji", "endorsement_reaction", 64, 64)],
}

_ANNOUNCEMENT_INDEX = "ix_kudos_announcement"


def _announcement_index(message_column: str) -> None:
    announced = sa.text(f"{message_column} IS NOT NULL")
    op.create_index(
        _ANNOUNCEMENT_INDEX,
        "kudos",
        ["team_id", message_column, "announcement_channel_id"],
        sqlite_where=announced,
        postgresql_where=announced,
    )


def _no_cascades_on_sqlite() -> None:
    """On SQLite a batch copies its table, drops the old one and renames the copy. With foreign
    keys enforced (storage/engine.py turns them on), dropping kudos, tip_schedule, tip_delivery
    or manager_team deletes every row that refers to it (ON DELETE CASCADE): recipients, DMs,
    deliveries, the outbox. Alembic's batch mode needs enforcement off (its documentation says
    so), and SQLite changes it only outside a transaction: Alembic gives each SQLite migration
    a transaction of its own, in which nothing is written yet at this point. Enforcement stays
    off for the rest of the migration run's connection; the app's connections turn it on."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "SQLite kept enforcing foreign keys (a transaction was open): copying the tables "
            "would delete the rows that refer to them"
        )


def _check_references_on_sqlite() -> None:
    """The copies kept every row, so every reference still finds its row (checked, since
    nothing else checks while enforcement is off)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if broken := bind.exec_driver_sql("PRAGMA foreign_key_check").all():
        raise RuntimeError(f"rows refer to rows that are gone: {broken}")


def _alter(*, forward: bool) -> None:
    _no_cascades_on_sqlite()
    # The announcement index names a renamed column in its condition: built again after.
    op.drop_index(_ANNOUNCEMENT_INDEX, table_name="kudos")
    for table in sorted(set(_WIDER) | set(_RENAMED)):
        # On SQLite a batch copies the table once for all of its changes; on PostgreSQL each
        # is an ALTER (widening a varchar rewrites nothing).
        with op.batch_alter_table(table) as batch:
            for column, before, after in _WIDER.get(table, []):
                batch.alter_column(
                    column,
                    existing_type=sa.String(before if forward else after),
                    type_=sa.String(after if forward else before),
                )
            for old, new, before, after in _RENAMED.get(table, []):
                batch.alter_column(
                    old if forward else new,
                    new_column_name=new if forward else old,
                    existing_type=sa.String(before if forward else after),
                    type_=sa.String(after if forward else before),
                )
    _announcement_index("announcement_message_id" if forward else "announcement_ts")
    _check_references_on_sqlite()


def upgrade() -> None:
    _alter(forward=True)


def downgrade() -> None:
    _alter(forward=False)
