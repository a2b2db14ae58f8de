"""Migrations: up, down and up again on this run's engine; one head; models match the head schema."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app.core import migrations
from app.core.db import build_engine, session_scope
from app.core.models import utcnow
from app.imports.models import ImportRun
from tests.conftest import fresh_database

IMPORT_RUN_0001 = sa.table(
    "import_run",
    *(sa.column(name) for name in ("fetched", "created", "updated", "unchanged", "withdrawn", "rejected")),
    sa.column("id", sa.Uuid()),
    sa.column("source", sa.String()),
    sa.column("status", sa.String()),
    sa.column("is_dry_run", sa.Boolean()),
    sa.column("parameters", sa.JSON()),
    sa.column("started_at", sa.DateTime(timezone=True)),
)


@pytest.fixture
def scratch_url():
    with fresh_database("migrations") as url:
        yield url


def table_names(url: str) -> set[str]:
    engine = build_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


class TestMigrations:
    def test_upgrade_downgrade_upgrade_round_trip(self, scratch_url):
        migrations.upgrade(scratch_url)
        assert set(SQLModel.metadata.tables) <= table_names(scratch_url)
        migrations.downgrade(scratch_url, "base")
        assert table_names(scratch_url) <= {"alembic_version"}
        migrations.upgrade(scratch_url)
        assert set(SQLModel.metadata.tables) <= table_names(scratch_url)

    def test_each_revision_downgrades_one_step(self, scratch_url):
        script = ScriptDirectory.from_config(migrations.alembic_config(scratch_url))
        revisions = [r.revision for r in script.walk_revisions("base", "heads")]
        migrations.upgrade(scratch_url)
        for _ in revisions:
            migrations.downgrade(scratch_url, "-1")
        assert table_names(scratch_url) <= {"alembic_version"}

    def test_runs_left_running_side_by_side_are_failed_but_the_newest(self, scratch_url):
        migrations.upgrade(scratch_url, "0001")
        engine = build_engine(scratch_url)
        older, newest, other = (
            ImportRun(source="pios", started_at=utcnow() - timedelta(hours=1)),
            ImportRun(source="pios"),
            ImportRun(source="uttc"),
        )
        with engine.begin() as connection:  # the columns of 0001, not of today's model
            connection.execute(
                sa.insert(IMPORT_RUN_0001),
                [run.model_dump(include=set(IMPORT_RUN_0001.c.keys())) for run in (older, newest, other)],
            )
        migrations.upgrade(scratch_url)
        with session_scope(engine, write=False) as session:
            statuses = [session.get_one(ImportRun, run.id).status for run in (older, newest, other)]
        engine.dispose()
        assert statuses == ["failed", "running", "running"]

    def test_partner_sources_with_one_owner_are_registered_to_it(self, scratch_url):
        migrations.upgrade(scratch_url, "0007")
        engine = build_engine(scratch_url)
        with engine.begin() as connection:  # the schema of then: today's models would not fit it
            connection.execute(
                sa.insert(ORGANISATION_0001),
                [
                    {"code": code, "name": name, "kind": "municipality"}
                    for code, name in (("2281", "Sundsvall"), ("0114", "Upplands Väsby"))
                ],
            )
        written = [("stratsys-2281", "2281"), ("stratsys-2281", "2281"), ("shared", "2281"), ("shared", "0114")]
        written += [("pios", "2281"), ("file-2281", "2281"), ("registry", "2281")]
        with engine.begin() as connection:
            connection.execute(sa.insert(INITIATIVE_0005), [initiative_row(*pair) for pair in written])
        migrations.upgrade(scratch_url)
        with engine.connect() as connection:
            registered = connection.execute(sa.text("SELECT name, owner_code FROM source")).all()
        engine.dispose()
        assert [tuple(row) for row in registered] == [("stratsys-2281", "2281")]

    def test_single_head(self, database_url):
        script = ScriptDirectory.from_config(migrations.alembic_config(database_url))
        assert len(script.get_heads()) == 1

    def test_models_match_the_migrated_schema(self, engine):
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert differences == []


ORGANISATION_0001 = sa.table("organisation", *(sa.column(name) for name in ("code", "name", "kind")))
INITIATIVE_0005 = sa.table(
    "initiative",
    sa.column("id", sa.Uuid()),
    *(sa.column(name) for name in ("title", "owner_code", "status", "category", "source", "external_id")),
    *(sa.column(name, sa.Boolean()) for name in ("has_benefit_realisation_plan", "is_withdrawn_at_source")),
    sa.column("is_archived", sa.Boolean()),
    sa.column("version"),
    *(sa.column(name, sa.DateTime(timezone=True)) for name in ("created_at", "updated_at")),
    *(sa.column(name, sa.JSON()) for name in ("benefit_evidence", "strategy_refs", "links", "registry_edited_fields")),
)


def initiative_row(source: str, owner_code: str) -> dict:
    return {
        "id": uuid.uuid4(),
        "title": "Digital nattillsyn",
        "owner_code": owner_code,
        "status": "pilot",
        "category": "other",
        "source": source,
        "external_id": str(uuid.uuid4()),
        "has_benefit_realisation_plan": False,
        "is_withdrawn_at_source": False,
        "is_archived": False,
        "version": 1,
        "created_at": utcnow(),
        "updated_at": utcnow(),
        "benefit_evidence": [],
        "strategy_refs": [],
        "links": [],
        "registry_edited_fields": [],
    }
