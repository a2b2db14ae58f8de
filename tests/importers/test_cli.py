"""`registry import …` end to end, against the test database."""

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.core.settings import get_settings
from importers.settings import get_importer_settings
from tests.importers.conftest import DATA, Reply

runner = CliRunner()


@pytest.fixture
def cli_database(monkeypatch, database_url, committed):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REGISTRY_IMPORT_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("REGISTRY_IMPORT_RETRIES", "1")
    monkeypatch.setenv("REGISTRY_IMPORT_ALLOW_PRIVATE_ADDRESSES", "true")  # test sources are on 127.0.0.1
    get_settings.cache_clear()
    get_importer_settings.cache_clear()
    yield committed
    get_settings.cache_clear()
    get_importer_settings.cache_clear()


class TestImportFile:
    def test_summary_table_and_rejections_are_printed(self, cli_database):
        result = runner.invoke(
            cli, ["import", "file", str(DATA / "portfolio.csv"), "--owner", "2281", "--source", "portfolj"]
        )
        assert result.exit_code == 0, result.output
        assert "Import file-portfolj: succeeded" in result.output
        assert "│       5 │       3 │       0 │         0 │         0 │        2 │" in result.output
        assert "line 7" in result.output and "Atlantis kommun" in result.output
        assert "Ignored columns: ansvarig enhet" in result.output

    def test_dry_run_is_named_in_the_summary(self, cli_database):
        result = runner.invoke(cli, ["import", "file", str(DATA / "portfolio.xlsx"), "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "(dry run): succeeded" in result.output

    def test_failed_run_exits_non_zero(self, cli_database, tmp_path):
        broken = tmp_path / "trasig.xlsx"
        broken.write_bytes(b"not a workbook")
        result = runner.invoke(cli, ["import", "file", str(broken)])
        assert result.exit_code == 1
        assert "Failed: the file is not a readable XLSX workbook" in result.output

    def test_unknown_owner_exits_2_without_a_run(self, cli_database):
        result = runner.invoke(cli, ["import", "file", str(DATA / "portfolio.csv"), "--owner", "Atlantis"])
        assert result.exit_code == 2
        assert "--owner: no organisation in the registry is called or coded 'Atlantis'" in result.output


class TestImportPios:
    def test_url_and_since_reach_the_source(self, cli_database, source_server):
        source_server.route("/api?updated_since=2025-04-01", Reply.file("pios_page2.json"))
        result = runner.invoke(cli, ["import", "pios", "--url", source_server.url("/api"), "--since", "2025-04-01"])
        assert result.exit_code == 0, result.output
        assert "Import pios: succeeded" in result.output

    def test_source_down_exits_1_with_the_error(self, cli_database):
        result = runner.invoke(cli, ["import", "uttc", "--url", "http://127.0.0.1:9/export.csv"])
        assert result.exit_code == 1
        assert "Failed: http://127.0.0.1:9/export.csv could not be read: ConnectError" in result.output
