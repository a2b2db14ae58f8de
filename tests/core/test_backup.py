"""`registry backup` and `registry restore` of the embedded SQLite database."""

import sqlite3

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session
from typer.testing import CliRunner

from app.auth import service as auth_service
from app.auth.models import ApiKey
from app.cli import cli
from app.core import migrations
from app.core.db import build_engine, session_scope
from app.core.settings import get_settings
from app.organisations import seed as organisation_seed
from tests.conftest import _database_url, fresh_database

runner = CliRunner()
pytestmark = pytest.mark.skipif(
    make_url(_database_url()).get_backend_name() != "sqlite", reason="PostgreSQL is backed up with pg_dump"
)


@pytest.fixture
def registry_database(monkeypatch):
    with fresh_database("backup") as url:
        migrations.upgrade(url)
        engine = build_engine(url)
        with session_scope(engine) as session:
            organisation_seed.seed(session)
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        yield engine
        engine.dispose()
    get_settings.cache_clear()


def _key_ids(engine) -> set:
    with Session(engine) as session:
        return {key.id for key in session.query(ApiKey).all()}


class TestBackupAndRestore:
    def test_restore_brings_back_what_the_backup_held(self, registry_database, tmp_path):
        with session_scope(registry_database) as session:
            kept, _secret = auth_service.mint(session, "2281", "kept")
        backup = tmp_path / "registry-backup.db"
        result = runner.invoke(cli, ["backup", str(backup)])
        assert result.exit_code == 0, result.output
        with session_scope(registry_database) as session:
            later, _secret = auth_service.mint(session, "0180", "after the backup")
        assert _key_ids(registry_database) == {kept.id, later.id}
        result = runner.invoke(cli, ["restore", str(backup)])
        assert result.exit_code == 0, result.output
        assert _key_ids(registry_database) == {kept.id}

    def test_an_existing_file_is_never_overwritten(self, registry_database, tmp_path):
        target = tmp_path / "taken.db"
        target.write_bytes(b"precious")
        result = runner.invoke(cli, ["backup", str(target)])
        assert result.exit_code == 2 and "exists already" in " ".join(result.output.split())
        assert target.read_bytes() == b"precious"

    def test_a_file_that_is_no_registry_backup_is_refused(self, registry_database, tmp_path):
        other = tmp_path / "other.db"
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        result = runner.invoke(cli, ["restore", str(other)])
        assert result.exit_code == 2 and "is not a backup of the registry" in " ".join(result.output.split())
        assert _key_ids(registry_database) == set()
