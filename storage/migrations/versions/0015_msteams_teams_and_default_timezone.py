"""Microsoft Teams' teams Delight is installed in, each with its installer (Delight's admins
there), and a workspace's default timezone (for people whose own is not known yet).

The teams Delight already spoke in (their channels are in msteams_conversations) are taken
as installed, by the tenant's one installer stored until now: nobody loses admin rights, and
removing Delight from one of several teams doesn't look like removing it from the last.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.tables

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The sizes as they were at this revision (storage/tables.py may move on).
WORKSPACE_ID = 64
PLATFORM_ID = 255
SERVICE_URL = 2048


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, storage.tables.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "msteams_teams",
        sa.Column("workspace_id", sa.String(WORKSPACE_ID), nullable=False),
        sa.Column("msteams_team_id", sa.String(PLATFORM_ID), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("service_url", sa.String(SERVICE_URL), nullable=False),
        sa.Column("installed_by", sa.String(PLATFORM_ID), nullable=True),
        _moment("installed_at"),
        _moment("removed_at", nullable=True),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("workspace_id", "msteams_team_id"),
    )
    op.execute(
        """
        INSERT INTO msteams_teams (workspace_id, msteams_team_id, service_url, installed_by,
                                   installed_at, updated_at)
        SELECT c.workspace_id, c.msteams_team_id, MAX(c.service_url), MAX(t.installed_by),
               MIN(c.updated_at), MAX(c.updated_at)
        FROM msteams_conversations c
        LEFT JOIN msteams_tenants t ON t.workspace_id = c.workspace_id
        WHERE c.msteams_team_id IS NOT NULL
        GROUP BY c.workspace_id, c.msteams_team_id
        """
    )
    op.add_column("workspace_settings", sa.Column("default_timezone", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch:
        batch.drop_column("default_timezone")
    op.drop_table("msteams_teams")
