"""Fewer index entries per new kudos: one index for a giver's kudos (the daily allowance and
App Home's "given"), one for a person's received kudos (App Home's "received" and the digest),
and the announcement index only for kudos that have an announcement.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ANNOUNCED = sa.text("announcement_ts IS NOT NULL")
_ANNOUNCEMENT_COLUMNS = ["team_id", "announcement_ts", "announcement_channel_id"]


def upgrade() -> None:
    with op.batch_alter_table("kudos") as batch:
        batch.drop_index("ix_kudos_giver_day")
        batch.drop_index("ix_kudos_given")
        batch.drop_index("ix_kudos_announcement")
        batch.create_index(
            "ix_kudos_giver",
            ["team_id", "giver_id", "created_at", "id", "recipient_count", "removed_at"],
        )
        batch.create_index(
            "ix_kudos_announcement",
            _ANNOUNCEMENT_COLUMNS,
            sqlite_where=_ANNOUNCED,
            postgresql_where=_ANNOUNCED,
        )
    with op.batch_alter_table("kudos_recipient") as batch:
        batch.drop_index("ix_kudos_recipient_received")
        batch.drop_index("ix_kudos_recipient_paged")
        batch.create_index(
            "ix_kudos_recipient_received",
            ["team_id", "recipient_id", "removed", "created_at", "kudos_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("kudos_recipient") as batch:
        batch.drop_index("ix_kudos_recipient_received")
        batch.create_index(
            "ix_kudos_recipient_paged", ["team_id", "recipient_id", "removed", "kudos_id"]
        )
        batch.create_index("ix_kudos_recipient_received", ["team_id", "recipient_id", "created_at"])
    with op.batch_alter_table("kudos") as batch:
        batch.drop_index("ix_kudos_announcement")
        batch.drop_index("ix_kudos_giver")
        batch.create_index("ix_kudos_announcement", _ANNOUNCEMENT_COLUMNS)
        batch.create_index("ix_kudos_given", ["team_id", "giver_id", "removed_at", "id"])
        batch.create_index(
            "ix_kudos_giver_day",
            ["team_id", "giver_id", "created_at", "recipient_count", "removed_at"],
        )
