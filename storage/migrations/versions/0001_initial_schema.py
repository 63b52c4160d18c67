"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 21:05:39.043498
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("giver_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("request_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("origin_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column(
            "announcement_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("announcement_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "request_key", name="uq_kudos_request"),
    )
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kudos_giver_day", ["team_id", "giver_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_kudos_team_created", ["team_id", "created_at"], unique=False)

    op.create_table(
        "processed_event",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("received_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id"),
    )
    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processed_event_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "workspace_settings",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "recognition_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("daily_limit", sa.Integer(), nullable=True),
        sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_table(
        "kudos_element",
        sa.Column("kudos_id", sa.Integer(), nullable=False),
        sa.Column("element", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["kudos_id"], ["kudos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kudos_id", "element"),
    )
    op.create_table(
        "kudos_recipient",
        sa.Column("kudos_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kudos_id"], ["kudos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kudos_id", "recipient_id"),
    )
    with op.batch_alter_table("kudos_recipient", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kudos_recipient_received", ["team_id", "recipient_id", "created_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("kudos_recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_kudos_recipient_received")

    op.drop_table("kudos_recipient")
    op.drop_table("kudos_element")
    op.drop_table("workspace_settings")
    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_event_received_at"))

    op.drop_table("processed_event")
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.drop_index("ix_kudos_team_created")
        batch_op.drop_index("ix_kudos_giver_day")

    op.drop_table("kudos")
