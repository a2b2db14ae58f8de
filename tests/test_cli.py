"""The `registry` command against a fresh database of its own."""

import csv
import io
import json

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.auth import service as auth_service
from app.cli import cli
from app.core.db import build_engine
from app.core.settings import get_settings
from app.demo.loader import read_portfolio
from app.organisations.models import Organisation
from tests.conftest import fresh_database

runner = CliRunner()


@pytest.fixture
def cli_database(monkeypatch):
    with fresh_database("cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        yield build_engine(url)
    get_settings.cache_clear()


def invoke(*args: str):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


class TestMigrateAndSeed:
    def test_seed_twice_leaves_one_row_per_organisation(self, cli_database):
        invoke("migrate")
        invoke("seed")
        invoke("seed")
        with Session(cli_database) as session:
            assert session.exec(select(func.count()).select_from(Organisation)).one() == 329


class TestDemoAndExport:
    def test_demo_loads_once_and_exports_as_jsonl_and_csv(self, cli_database, tmp_path):
        invoke("migrate")
        invoke("seed")
        assert "Loaded" in invoke("demo").output
        assert "nothing loaded" in invoke("demo").output
        expected_titles = sorted(entry["title"] for entry in read_portfolio()["initiatives"])

        jsonl = invoke("export", "--format", "jsonl").stdout
        records = [json.loads(line) for line in jsonl.splitlines() if line.startswith("{")]
        assert sorted(r["title"] for r in records) == expected_titles

        target = tmp_path / "initiatives.csv"
        invoke("export", "--format", "csv", "--output", str(target))
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert sorted(row["title"] for row in rows) == expected_titles
        assert {row["owner"] for row in rows} >= {"2281"}


class TestDemoRemove:
    def test_removes_the_demo_and_says_how_much(self, cli_database):
        invoke("migrate")
        invoke("seed")
        invoke("demo")
        portfolio = read_portfolio()
        output = " ".join(invoke("demo", "--remove").output.split())
        assert output.startswith(
            f"Removed {len(portfolio['initiatives'])} demo initiatives, {len(portfolio['adoptions'])} adoptions, "
            f"{len(portfolio['figures'])} yearly figures and "
        )
        assert "Loaded" in invoke("demo").output  # the registry is empty again


class TestCreateKey:
    def test_prints_a_working_secret(self, cli_database):
        invoke("migrate")
        invoke("seed")
        secret = invoke("create-key", "2281", "--label", "Stratsys").stdout.strip().splitlines()[-1]
        with Session(cli_database) as session:
            caller = auth_service.authenticate(session, secret, admin_token=None)
        assert caller is not None and caller.organisation_code == "2281"

    def test_unknown_organisation_exits_non_zero_with_a_message(self, cli_database):
        invoke("migrate")
        result = runner.invoke(cli, ["create-key", "9999"])
        assert result.exit_code == 2
        assert "No organisation has the code '9999'" in result.output
