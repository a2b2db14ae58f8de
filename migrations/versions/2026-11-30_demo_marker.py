"""demo marker: the rows the demo loader writes say so

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 19:00:00

Initiatives, adoptions and yearly figures written by `registry demo` (or `registry serve --demo`)
carry `is_demo`, so every web page can say the registry shows invented data and
`registry demo --remove` can delete exactly those rows. Existing rows are not demo rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("initiative", "adoption", "organisation_year")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("is_demo")
