"""tip schedules managed by admins: delivery mode, counting from, manual sends, custom and
disabled tips, the per-recipient ledger of member DMs

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tip_schedule", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "mode",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="channel",
            )
        )
        batch_op.add_column(
            sa.Column("counts_from", storage.tables.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("tip_delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("request_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_unique_constraint("uq_tip_delivery_request", ["schedule_id", "request_key"])

    op.create_table(
        "tip_direct_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("recipient_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["tip_delivery.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", "recipient_id", name="uq_tip_direct_message"),
    )
    op.create_table(
        "tip_custom",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("element", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("author_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tip_custom", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_custom_team_id"), ["team_id"], unique=False)
    op.create_table(
        "tip_disabled",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tip_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("disabled_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "tip_id"),
    )


def downgrade() -> None:
    op.drop_table("tip_disabled")
    with op.batch_alter_table("tip_custom", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_custom_team_id"))
    op.drop_table("tip_custom")
    op.drop_table("tip_direct_message")
    with op.batch_alter_table("tip_delivery", schema=None) as batch_op:
        batch_op.drop_constraint("uq_tip_delivery_request", type_="unique")
        batch_op.drop_column("request_key")
    with op.batch_alter_table("tip_schedule", schema=None) as batch_op:
        batch_op.drop_column("counts_from")
        batch_op.drop_column("mode")
