"""web sessions ended by signing out

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:50:00

Signing out of the web interface used to delete the cookie only: a kept copy stayed valid for
the cookie's eight hours. A signed-out session's id is recorded here until the cookie expires.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ended_web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ended_web_session"),
    )
    op.create_index("ix_ended_web_session_expires_at", "ended_web_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_ended_web_session_expires_at", table_name="ended_web_session")
    op.drop_table("ended_web_session")
