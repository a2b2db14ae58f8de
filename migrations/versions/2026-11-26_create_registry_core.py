"""create registry core

Revision ID: 0001
Revises:
Create Date: 2026-11-26 18:48:27.492738
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_key_id", sa.Uuid(), nullable=True),
        sa.Column("actor_organisation_code", sa.String(length=32), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_initiative_id"), ["initiative_id"], unique=False)

    op.create_table(
        "import_run",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_dry_run", sa.Boolean(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_run_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_organisation")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_name"), ["name"], unique=False)

    op.create_table(
        "source_cache_entry",
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_source_cache_entry")),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_code"], ["organisation.code"], name=op.f("fk_api_key_organisation_code_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_key_secret_hash")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_organisation_code"), ["organisation_code"], unique=False)

    op.create_table(
        "import_rejection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["import_run.id"], name=op.f("fk_import_rejection_run_id_import_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rejection")),
    )
    with op.batch_alter_table("import_rejection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_rejection_run_id"), ["run_id"], unique=False)

    op.create_table(
        "initiative",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("budget_sek", sa.BigInteger(), nullable=True),
        sa.Column("digital_share", sa.Float(), nullable=True),
        sa.Column("expected_benefit_sek_per_year", sa.BigInteger(), nullable=True),
        sa.Column("realised_benefit_sek_per_year", sa.BigInteger(), nullable=True),
        sa.Column("benefit_evidence", sa.JSON(), nullable=False),
        sa.Column("has_benefit_realisation_plan", sa.Boolean(), nullable=False),
        sa.Column("strategy_refs", sa.JSON(), nullable=False),
        sa.Column("solution", sa.JSON(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("registry_edited_fields", sa.JSON(), nullable=False),
        sa.Column("is_withdrawn_at_source", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("archived_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_code"], ["organisation.code"], name=op.f("fk_initiative_owner_code_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_initiative_source_external_id")),
    )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_category"), ["category"], unique=False)
        batch_op.create_index("ix_initiative_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_owner_code"), ["owner_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_status"), ["status"], unique=False)
        batch_op.create_index("ix_initiative_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "organisation_member",
        sa.Column("organisation_code", sa.String(length=32), nullable=False),
        sa.Column("member_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_code"], ["organisation.code"], name=op.f("fk_organisation_member_member_code_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["organisation.code"],
            name=op.f("fk_organisation_member_organisation_code_organisation"),
        ),
        sa.PrimaryKeyConstraint("organisation_code", "member_code", name=op.f("pk_organisation_member")),
    )
    op.create_table(
        "organisation_year",
        sa.Column("organisation_code", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("total_turnover_sek", sa.BigInteger(), nullable=True),
        sa.Column("net_cost_sek", sa.BigInteger(), nullable=True),
        sa.Column("datasets_held", sa.Integer(), nullable=True),
        sa.Column("datasets_used", sa.Integer(), nullable=True),
        sa.Column("kpi_set_size", sa.Integer(), nullable=True),
        sa.Column("kpis_added", sa.Integer(), nullable=True),
        sa.Column("kpis_retired", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["organisation.code"],
            name=op.f("fk_organisation_year_organisation_code_organisation"),
        ),
        sa.PrimaryKeyConstraint("organisation_code", "year", name=op.f("pk_organisation_year")),
    )
    op.create_table(
        "adoption",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_code", sa.String(length=32), nullable=False),
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since_date", sa.Date(), nullable=True),
        sa.Column("own_initiative_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_adoption_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_code"], ["organisation.code"], name=op.f("fk_adoption_organisation_code_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["own_initiative_id"], ["initiative.id"], name=op.f("fk_adoption_own_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption")),
        sa.UniqueConstraint(
            "organisation_code", "initiative_id", name=op.f("uq_adoption_organisation_code_initiative_id")
        ),
    )
    with op.batch_alter_table("adoption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adoption_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_adoption_organisation_code"), ["organisation_code"], unique=False)

    op.create_table(
        "initiative_participant",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_code", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("contribution_sek", sa.BigInteger(), nullable=True),
        sa.Column("steering_seats", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_initiative_participant_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["organisation.code"],
            name=op.f("fk_initiative_participant_organisation_code_organisation"),
        ),
        sa.PrimaryKeyConstraint("initiative_id", "organisation_code", name=op.f("pk_initiative_participant")),
    )
    with op.batch_alter_table("initiative_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_participant_organisation_code"), ["organisation_code"], unique=False
        )

    op.create_table(
        "initiative_tag",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_initiative_tag_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("initiative_id", "tag", name=op.f("pk_initiative_tag")),
    )
    with op.batch_alter_table("initiative_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_tag_tag"), ["tag"], unique=False)

    op.create_table(
        "initiative_term",
        # Binary collation on PostgreSQL, so prefix ranges follow code-point order as on SQLite.
        sa.Column(
            "term", sa.String(length=64).with_variant(sa.String(length=64, collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_initiative_term_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("term", "initiative_id", name=op.f("pk_initiative_term")),
    )
    with op.batch_alter_table("initiative_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_term_initiative_id"), ["initiative_id"], unique=False)

    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("changed_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_status_change_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
    )
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_change_initiative_id"), ["initiative_id"], unique=False)


def downgrade() -> None:
    op.drop_table("status_change")
    op.drop_table("initiative_term")
    op.drop_table("initiative_tag")
    op.drop_table("initiative_participant")
    op.drop_table("adoption")
    op.drop_table("organisation_year")
    op.drop_table("organisation_member")
    op.drop_table("initiative")
    op.drop_table("import_rejection")
    op.drop_table("api_key")
    op.drop_table("source_cache_entry")
    op.drop_table("organisation")
    op.drop_table("import_run")
    op.drop_table("change")
