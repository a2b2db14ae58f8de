"""one running import per source

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("status = 'running'")

import_run = sa.table(
    "import_run",
    sa.column("id", sa.Uuid()),
    sa.column("source", sa.String()),
    sa.column("status", sa.String()),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("finished_at", sa.DateTime(timezone=True)),
    sa.column("error", sa.Text()),
)


def upgrade() -> None:
    _fail_all_but_the_newest_running_run_per_source()
    op.create_index(
        "ix_import_run_source_running",
        "import_run",
        ["source"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )


def _fail_all_but_the_newest_running_run_per_source() -> None:
    # The race this index closes may have left several runs of one source running (their
    # processes died); the index could not be built over them.
    newer = import_run.alias("newer")
    is_newer = sa.or_(
        newer.c.started_at > import_run.c.started_at,
        sa.and_(newer.c.started_at == import_run.c.started_at, newer.c.id > import_run.c.id),
    )
    has_newer_running = sa.exists().where(newer.c.source == import_run.c.source, newer.c.status == "running", is_newer)
    op.execute(
        sa.update(import_run)
        .where(import_run.c.status == "running", has_newer_running)
        .values(
            status="failed",
            finished_at=datetime.now(UTC),
            error="Abandoned: the process running the import stopped before it finished.",
        )
    )


def downgrade() -> None:
    op.drop_index("ix_import_run_source_running", table_name="import_run")
