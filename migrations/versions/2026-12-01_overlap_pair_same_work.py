"""overlap pairs say whether they are the same work

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 01:00:00

A pair is the same work when it scores high, or when each initiative is among the other's few
closest matches (`app.analytics.overlaps.thresholds`): that depends on both lists, so the
indexer works it out and stores it with the pair. Existing pairs start as not the same work; the
indexer's method changed with this column, so it builds every list again at its next start.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("overlap_pair") as batch:
        batch.add_column(sa.Column("same_work", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("overlap_pair") as batch:
        batch.drop_column("same_work")
