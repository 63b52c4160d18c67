"""endorsements, private kudos, undo and removal, user preferences, audit log, admin settings

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_team_time", ["team_id", "created_at"], unique=False)

    op.create_table(
        "user_preference",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("public_announcements", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "kudos_endorsement",
        sa.Column("kudos_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kudos_id"], ["kudos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kudos_id", "user_id"),
    )
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("removed_at", storage.tables.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("removed_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.create_index(
            "ix_kudos_announcement",
            ["team_id", "announcement_ts", "announcement_channel_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_kudos_given", ["team_id", "giver_id", "removed_at", "id"], unique=False
        )

    with op.batch_alter_table("kudos_recipient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            "ix_kudos_recipient_paged",
            ["team_id", "recipient_id", "removed", "kudos_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_kudos_recipient_team_time", ["team_id", "created_at"], unique=False
        )
        batch_op.add_column(
            sa.Column("dm_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("dm_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )

    with op.batch_alter_table("workspace_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("require_element", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("leaderboard_enabled", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "endorsement_emoji", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(sa.Column("admin_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings", schema=None) as batch_op:
        batch_op.drop_column("admin_ids")
        batch_op.drop_column("endorsement_emoji")
        batch_op.drop_column("leaderboard_enabled")
        batch_op.drop_column("require_element")

    with op.batch_alter_table("kudos_recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_kudos_recipient_team_time")
        batch_op.drop_index("ix_kudos_recipient_paged")
        batch_op.drop_column("removed")
        batch_op.drop_column("dm_ts")
        batch_op.drop_column("dm_channel_id")

    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.drop_index("ix_kudos_given")
        batch_op.drop_index("ix_kudos_announcement")
        batch_op.drop_column("removed_by")
        batch_op.drop_column("removed_at")
        batch_op.drop_column("private")

    op.drop_table("kudos_endorsement")
    op.drop_table("user_preference")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_team_time")

    op.drop_table("audit_log")
