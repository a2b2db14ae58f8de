"""initiative documents: each initiative rendered as the API reads it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 16:00:00

A read of a page of initiatives fetched the initiative rows and then the participants, tags,
status history and owner labels of the page, one query each. The document holds all of it,
written in the same transaction as every change. Existing initiatives get theirs from
`registry migrate` and `registry serve` (`app.initiatives.documents.write_missing`), which
render with the application's own code.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "initiative_document",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name="fk_initiative_document_initiative_id_initiative"
        ),
        sa.PrimaryKeyConstraint("initiative_id", name="pk_initiative_document"),
    )


def downgrade() -> None:
    op.drop_table("initiative_document")
