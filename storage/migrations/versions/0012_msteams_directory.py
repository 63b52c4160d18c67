"""What Delight must remember to speak in Microsoft Teams: the conversations it may post in
(with the service URL each came from), the roster cache (a person's Entra id and their 29:
member id), and the tenants it is installed in.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The sizes as they were at this revision (storage/tables.py may move on).
WORKSPACE_ID = 64
PLATFORM_ID = 255
SERVICE_URL = 2048


def _updated_at() -> sa.Column[object]:
    return sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "msteams_conversations",
        sa.Column("workspace_id", sa.String(WORKSPACE_ID), nullable=False),
        sa.Column("conversation_id", sa.String(PLATFORM_ID), nullable=False),
        sa.Column("service_url", sa.String(SERVICE_URL), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("msteams_team_id", sa.String(PLATFORM_ID), nullable=True),
        sa.Column("user_id", sa.String(PLATFORM_ID), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        _updated_at(),
        sa.PrimaryKeyConstraint("workspace_id", "conversation_id"),
    )
    op.create_index(
        "ix_msteams_conversations_user", "msteams_conversations", ["workspace_id", "user_id"]
    )
    op.create_table(
        "msteams_members",
        sa.Column("workspace_id", sa.String(WORKSPACE_ID), nullable=False),
        sa.Column("user_id", sa.String(PLATFORM_ID), nullable=False),
        sa.Column("member_id", sa.String(PLATFORM_ID), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.String(PLATFORM_ID), nullable=False),
        sa.Column("first_name_key", sa.String(PLATFORM_ID), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("locale", sa.String(35), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("is_bot", sa.Boolean(), server_default=sa.false(), nullable=False),
        _updated_at(),
        sa.PrimaryKeyConstraint("workspace_id", "user_id"),
    )
    op.create_index("ix_msteams_members_member", "msteams_members", ["workspace_id", "member_id"])
    op.create_index("ix_msteams_members_name", "msteams_members", ["workspace_id", "name_key"])
    op.create_index(
        "ix_msteams_members_first_name", "msteams_members", ["workspace_id", "first_name_key"]
    )
    op.create_table(
        "msteams_tenants",
        sa.Column("workspace_id", sa.String(WORKSPACE_ID), nullable=False),
        sa.Column("service_url", sa.String(SERVICE_URL), nullable=False),
        sa.Column("installed_by", sa.String(PLATFORM_ID), nullable=True),
        _updated_at(),
        sa.PrimaryKeyConstraint("workspace_id"),
    )


def downgrade() -> None:
    op.drop_table("msteams_tenants")
    op.drop_index("ix_msteams_members_first_name", table_name="msteams_members")
    op.drop_index("ix_msteams_members_name", table_name="msteams_members")
    op.drop_index("ix_msteams_members_member", table_name="msteams_members")
    op.drop_table("msteams_members")
    op.drop_index("ix_msteams_conversations_user", table_name="msteams_conversations")
    op.drop_table("msteams_conversations")
