"""The outbox (messages a kudos still owes), and removed_at in the daily-allowance index

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("kudos_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kudos_id"], ["kudos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kudos_id", "kind", "target"),
    )
    op.create_index("ix_outbox_due", "outbox", ["next_attempt_at"])
    # The allowance skips withdrawn kudos: with removed_at in the index, the sum still reads
    # the index alone.
    with op.batch_alter_table("kudos") as batch:
        batch.drop_index("ix_kudos_giver_day")
        batch.create_index(
            "ix_kudos_giver_day",
            ["team_id", "giver_id", "created_at", "recipient_count", "removed_at"],
        )


def downgrade() -> None:
    with op.batch_alter_table("kudos") as batch:
        batch.drop_index("ix_kudos_giver_day")
        batch.create_index(
            "ix_kudos_giver_day", ["team_id", "giver_id", "created_at", "recipient_count"]
        )
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
