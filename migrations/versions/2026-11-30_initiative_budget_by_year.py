"""initiative budget by year: the budget's part in each year, for the KPIs of each year

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 19:00:00

Documents now carry `budget_by_year`, so the old ones are removed here and rendered again by
`registry migrate` and `registry serve` (`app.initiatives.documents.write_missing`), with the
application's own code.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("initiative") as batch:
        batch.add_column(sa.Column("budget_by_year", sa.JSON(), nullable=True))
    op.execute("DELETE FROM initiative_document")


def downgrade() -> None:
    op.execute("DELETE FROM initiative_document")
    with op.batch_alter_table("initiative") as batch:
        batch.drop_column("budget_by_year")
