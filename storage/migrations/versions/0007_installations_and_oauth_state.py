"""installations (multi-workspace mode), OAuth state, stopped digests

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("enterprise_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("team_name", sa.Text(), nullable=True),
        sa.Column("enterprise_name", sa.Text(), nullable=True),
        sa.Column("enterprise_url", sa.Text(), nullable=True),
        sa.Column("app_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("bot_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("bot_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("bot_scopes", sa.Text(), nullable=False),
        sa.Column("bot_token", sa.Text(), nullable=False),
        sa.Column("bot_refresh_token", sa.Text(), nullable=True),
        sa.Column("bot_token_expires_at", storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("installer_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("installed_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("refresh_lease_until", storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_table(
        "oauth_state",
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )
    with op.batch_alter_table("oauth_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_state_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("digest_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_schedule", schema=None) as batch_op:
        batch_op.drop_column("paused_reason")
    with op.batch_alter_table("oauth_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_state_expires_at"))
    op.drop_table("oauth_state")
    op.drop_table("installation")
