"""Migrations: up, down and up again on this run's engine; one head; models match the head schema."""

from datetime import timedelta

import pytest
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
        with session_scope(engine) as session:
            session.add_all([older, newest, other])
        migrations.upgrade(scratch_url)
        with session_scope(engine, write=False) as session:
            statuses = [session.get_one(ImportRun, run.id).status for run in (older, newest, other)]
        engine.dispose()
        assert statuses == ["failed", "running", "running"]

    def test_single_head(self, database_url):
        script = ScriptDirectory.from_config(migrations.alembic_config(database_url))
        assert len(script.get_heads()) == 1

    def test_models_match_the_migrated_schema(self, engine):
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert differences == []
