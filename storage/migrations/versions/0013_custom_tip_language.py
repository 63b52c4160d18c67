"""The language an admin's own tip was written in (NULL: English, as every tip added before
was): a schedule sends it as written, to readers of any language.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tip_custom", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tip_custom") as batch:
        batch.drop_column("language")
