"""import runs' heartbeat; partner sources registered with an owner

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:30:00

A run still `running` is dead when its heartbeat stopped, instead of after six hours. Partner
sources are registered with the organisation whose keys may write to them; sources that
partners already wrote to, all with one owner, are registered to that owner.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

import_run = sa.table(
    "import_run",
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("finished_at", sa.DateTime(timezone=True)),
    sa.column("heartbeat_at", sa.DateTime(timezone=True)),
)
initiative = sa.table("initiative", sa.column("source", sa.String()), sa.column("owner_code", sa.String()))
source = sa.table(
    "source",
    sa.column("name", sa.String()),
    sa.column("owner_code", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
NOT_PARTNER_SOURCES = ("registry", "pios", "uttc", "kolada")


def upgrade() -> None:
    with op.batch_alter_table("import_run") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.update(import_run).values(heartbeat_at=sa.func.coalesce(import_run.c.finished_at, import_run.c.started_at))
    )
    with op.batch_alter_table("import_run") as batch:
        batch.alter_column("heartbeat_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_table(
        "source",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner_code", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_code"], ["organisation.code"], name="fk_source_owner_code_organisation"),
        sa.PrimaryKeyConstraint("name", name="pk_source"),
    )
    op.create_index("ix_source_owner_code", "source", ["owner_code"])
    _register_partner_sources_with_one_owner()


def _register_partner_sources_with_one_owner() -> None:
    # A source written under several owners is left unregistered: which of them is rightful is
    # the admin's call (`registry create-source`).
    partner = sa.and_(initiative.c.source.not_in(NOT_PARTNER_SOURCES), sa.not_(initiative.c.source.like("file-%")))
    one_owner = (
        sa.select(initiative.c.source, sa.func.min(initiative.c.owner_code), sa.literal(datetime.now(UTC)))
        .where(partner)
        .group_by(initiative.c.source)
        .having(sa.func.count(sa.distinct(initiative.c.owner_code)) == 1)
    )
    op.execute(sa.insert(source).from_select(["name", "owner_code", "created_at"], one_owner))


def downgrade() -> None:
    op.drop_index("ix_source_owner_code", table_name="source")
    op.drop_table("source")
    with op.batch_alter_table("import_run") as batch:
        batch.drop_column("heartbeat_at")
