"""What a removal from one place stops: a team of people's digests pause on their own (their
roster came from a Teams team Delight was removed from), and a Teams conversation can be gone
(a deleted channel; a person who removed Delight from their 1:1 scope).

Nothing is derived here: which schedules depend on a Teams team is read from the channels
Delight remembers when the team is removed (handlers/msteams/lifecycle.py), so schedules made
before this revision are covered without a column of their own.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("manager_team", sa.Column("paused_reason", sa.Text(), nullable=True))
    op.add_column(
        "msteams_conversations",
        sa.Column("removed_at", storage.tables.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # Not batch mode: SQLite would copy manager_team into a new table and drop the old one,
    # and the drop cascades to its managers, sources and ledger. Both databases drop a plain
    # column in place (SQLite since 3.35).
    op.execute("ALTER TABLE msteams_conversations DROP COLUMN removed_at")
    op.execute("ALTER TABLE manager_team DROP COLUMN paused_reason")
