"""tip schedules and delivery ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 22:20:01.289028
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "tip_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("weekdays", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tip_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_schedule_team_id"), ["team_id"], unique=False)

    op.create_table(
        "tip_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("element", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("tip_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["schedule_id"], ["tip_schedule.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schedule_id", "occurrence", name="uq_tip_delivery_occurrence"),
    )
    with op.batch_alter_table("tip_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tip_delivery_rotation", ["schedule_id", "element", "id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("tip_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_tip_delivery_rotation")

    op.drop_table("tip_delivery")
    with op.batch_alter_table("tip_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_schedule_team_id"))

    op.drop_table("tip_schedule")
