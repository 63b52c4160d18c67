"""One outbox row per message again: a kudos' usual delivery had been stored as a single `plan`
row (its announcement, a DM to each recipient, the giver's receipt), which saved too little to
keep the second shape of row. Plan rows still owed are unfolded into a row each, as due and as
often tried as their plan was.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_COLUMNS = "kudos_id, kind, target, team_id, attempts, next_attempt_at, last_error, created_at"
_FROM_PLAN = "o.team_id, o.attempts, o.next_attempt_at, o.last_error, o.created_at"


def upgrade() -> None:
    # The announcement, where the plan had a channel ("" for none).
    op.execute(
        f"INSERT INTO outbox ({_COLUMNS}) "
        f"SELECT o.kudos_id, 'announcement', o.target, {_FROM_PLAN} "
        "FROM outbox o WHERE o.kind = 'plan' AND o.target <> ''"
    )
    # A DM to each recipient.
    op.execute(
        f"INSERT INTO outbox ({_COLUMNS}) "
        f"SELECT o.kudos_id, 'dm', r.recipient_id, {_FROM_PLAN} "
        "FROM outbox o JOIN kudos_recipient r ON r.kudos_id = o.kudos_id "
        "WHERE o.kind = 'plan'"
    )
    # The giver's receipt.
    op.execute(
        f"INSERT INTO outbox ({_COLUMNS}) "
        f"SELECT o.kudos_id, 'receipt', k.giver_id, {_FROM_PLAN} "
        "FROM outbox o JOIN kudos k ON k.id = o.kudos_id WHERE o.kind = 'plan'"
    )
    op.execute("DELETE FROM outbox WHERE kind = 'plan'")


def downgrade() -> None:
    """Nothing to do: the previous version reads a row per message as well."""
