"""the overlap index in tables (pairs, profiles, judgements, clusters, proven matches, indexer state)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 17:00:00

Each API worker used to hold the whole overlap index in memory. One indexer process keeps it
now and writes what the API reads into these tables; its first run fills them (`registry
serve` starts it, `registry indexer` runs it alone).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Documents now show the concepts their texts name; `registry migrate` annotates the old ones.
    with op.batch_alter_table("initiative_document") as batch:
        batch.add_column(sa.Column("vocabulary", sa.String(length=16), nullable=False, server_default=""))
    op.create_table(
        "overlap_pair",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("initiative_id", "other_id", name="pk_overlap_pair"),
    )
    op.create_index("ix_overlap_pair_other_id", "overlap_pair", ["other_id"])
    op.create_table(
        "overlap_profile",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("concepts", sa.JSON(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("solution", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("initiative_id", name="pk_overlap_profile"),
    )
    op.create_table(
        "overlap_judgement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_id", sa.Uuid(), nullable=False),
        sa.Column("second_id", sa.Uuid(), nullable=False),
        sa.Column("judge", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("actor_key_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["first_id"], ["initiative.id"], name="fk_overlap_judgement_first_id_initiative"),
        sa.ForeignKeyConstraint(["second_id"], ["initiative.id"], name="fk_overlap_judgement_second_id_initiative"),
        sa.PrimaryKeyConstraint("id", name="pk_overlap_judgement"),
        sa.UniqueConstraint("first_id", "second_id", "judge", name="uq_overlap_judgement_first_id_second_id_judge"),
    )
    op.create_index("ix_overlap_judgement_first_id", "overlap_judgement", ["first_id"])
    op.create_index("ix_overlap_judgement_second_id", "overlap_judgement", ["second_id"])
    op.create_table(
        "overlap_cluster",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("concepts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_overlap_cluster"),
    )
    op.create_table(
        "cluster_member",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("initiative_id", name="pk_cluster_member"),
    )
    op.create_index("ix_cluster_member_cluster_id", "cluster_member", ["cluster_id"])
    op.create_table(
        "proven_match",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("proven_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("initiative_id", name="pk_proven_match"),
    )
    op.create_index("ix_proven_match_proven_id", "proven_match", ["proven_id"])
    op.create_table(
        "indexer_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_indexer_state"),
    )


def downgrade() -> None:
    op.drop_table("indexer_state")
    op.drop_index("ix_proven_match_proven_id", table_name="proven_match")
    op.drop_table("proven_match")
    op.drop_index("ix_cluster_member_cluster_id", table_name="cluster_member")
    op.drop_table("cluster_member")
    op.drop_table("overlap_cluster")
    op.drop_index("ix_overlap_judgement_second_id", table_name="overlap_judgement")
    op.drop_index("ix_overlap_judgement_first_id", table_name="overlap_judgement")
    op.drop_table("overlap_judgement")
    op.drop_table("overlap_profile")
    op.drop_index("ix_overlap_pair_other_id", table_name="overlap_pair")
    op.drop_table("overlap_pair")
    with op.batch_alter_table("initiative_document") as batch:
        batch.drop_column("vocabulary")
