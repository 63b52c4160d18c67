"""The daily-allowance index covers recipient_count, so the sum reads the index alone.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kudos") as batch:
        batch.drop_index("ix_kudos_giver_day")
        batch.create_index(
            "ix_kudos_giver_day", ["team_id", "giver_id", "created_at", "recipient_count"]
        )


def downgrade() -> None:
    with op.batch_alter_table("kudos") as batch:
        batch.drop_index("ix_kudos_giver_day")
        batch.create_index("ix_kudos_giver_day", ["team_id", "giver_id", "created_at"])
