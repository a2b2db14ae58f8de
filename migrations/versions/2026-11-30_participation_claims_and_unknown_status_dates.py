"""participation is a claim until confirmed; status dates a source did not give are unknown

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:00:00

Participants listed by an initiative's owner carry a status: `claimed` until the participating
organisation confirms (or declines) with its own key. Every existing participant was listed by
an owner or a source, never confirmed, so every existing row becomes `claimed`.

A status change's date may be unknown (NULL): importers record the source's date when it has
one, and NULL rather than the import day when it has none.

Stored documents show participants' statuses now: they are deleted here and rendered again by
`registry migrate` and `registry serve` with the application's own code (as after 0004).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("initiative_participant") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="claimed"))
    with op.batch_alter_table("status_change") as batch:
        batch.alter_column("changed_date", existing_type=sa.Date(), nullable=True)
    op.execute("DELETE FROM initiative_document")


def downgrade() -> None:
    # An unknown date cannot be kept in a NOT NULL column: it becomes the day it was recorded.
    # SQLite keeps timestamps as text, which DATE() reads; CAST(... AS DATE) there gives a number.
    day = "DATE(recorded_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(recorded_at AS DATE)"
    op.execute(f"UPDATE status_change SET changed_date = {day} WHERE changed_date IS NULL")
    with op.batch_alter_table("status_change") as batch:
        batch.alter_column("changed_date", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("initiative_participant") as batch:
        batch.drop_column("status")
    op.execute("DELETE FROM initiative_document")
