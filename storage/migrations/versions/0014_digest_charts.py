"""Digest charts served by Delight itself (Teams shows a card's image from an https URL): each
PNG under a random token until it expires, in the database so that whichever web process is
asked can serve what the clock process drew.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WORKSPACE_ID = 64  # as at this revision


def _utc(name: str) -> sa.Column[object]:
    return sa.Column(name, storage.tables.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "digest_chart",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("workspace_id", sa.String(WORKSPACE_ID), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        _utc("created_at"),
        _utc("expires_at"),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("ix_digest_chart_expires", "digest_chart", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_digest_chart_expires", table_name="digest_chart")
    op.drop_table("digest_chart")
