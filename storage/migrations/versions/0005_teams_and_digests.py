"""manager teams, their members' sources, the workspace digest schedule and the digest ledger

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_schedule",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("charts", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_table(
        "manager_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "name", name="uq_manager_team_name"),
    )
    op.create_table(
        "digest_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_team_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["manager_team_id"], ["manager_team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("manager_team_id", "manager_id", "week", name="uq_digest_delivery"),
    )
    with op.batch_alter_table("digest_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_digest_delivery_week", ["week"], unique=False)

    op.create_table(
        "manager_team_manager",
        sa.Column("manager_team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tz", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["manager_team_id"], ["manager_team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("manager_team_id", "user_id"),
    )
    with op.batch_alter_table("manager_team_manager", schema=None) as batch_op:
        batch_op.create_index("ix_manager_team_manager_user", ["team_id", "user_id"], unique=False)

    op.create_table(
        "manager_team_source",
        sa.Column("manager_team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("ref_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["manager_team_id"], ["manager_team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("manager_team_id", "kind", "ref_id"),
    )


def downgrade() -> None:
    op.drop_table("manager_team_source")
    with op.batch_alter_table("manager_team_manager", schema=None) as batch_op:
        batch_op.drop_index("ix_manager_team_manager_user")

    op.drop_table("manager_team_manager")
    with op.batch_alter_table("digest_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_delivery_week")

    op.drop_table("digest_delivery")
    op.drop_table("manager_team")
    op.drop_table("digest_schedule")
