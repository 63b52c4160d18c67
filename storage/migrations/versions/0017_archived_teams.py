"""A Teams team can be archived (read only): its channels are no longer offered for tips or
announcements while it is, and a schedule can't be pointed at one.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "msteams_teams",
        sa.Column("archived_at", storage.tables.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # In place on both databases (SQLite since 3.35), as 0016's downgrade explains.
    op.execute("ALTER TABLE msteams_teams DROP COLUMN archived_at")
