"""The `registry` command against a fresh database of its own."""

import csv
import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.analytics.indexer import state as indexer_state
from app.analytics.indexer.indexer import Indexer
from app.analytics.overlaps.models import OverlapPair
from app.auth import service as auth_service
from app.auth.service import KEY_PREFIX
from app.cli import cli
from app.core.db import build_engine, session_scope
from app.core.settings import get_settings
from app.demo.loader import read_portfolio
from app.organisations.models import Organisation
from app.sources import service as source_service
from tests.conftest import fresh_database
from tests.web.html import hidden_value

ROOT = Path(__file__).resolve().parent.parent

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
            f"{len(portfolio['figures'])} yearly figures; "
            f"{len(portfolio['initiatives'])} deletions appended to the change log."
        )
        assert "Loaded" in invoke("demo").output  # the registry is empty again


class TestRebuildIndex:
    def test_the_indexer_builds_again_instead_of_taking_up(self, cli_database):
        invoke("migrate")
        invoke("seed")
        invoke("demo")
        transaction = partial(session_scope, cli_database)
        Indexer().catch_up(transaction)
        with session_scope(cli_database, write=False) as session:
            built = indexer_state.read(session)
        assert "builds every table again" in invoke("rebuild-index").output
        with session_scope(cli_database, write=False) as session:
            assert indexer_state.read(session).method == ""
        Indexer().catch_up(transaction)
        with session_scope(cli_database, write=False) as session:
            rebuilt = indexer_state.read(session)
            pairs = session.exec(select(func.count()).select_from(OverlapPair)).one()
        assert rebuilt.method == built.method and rebuilt.version == built.version + 2 and pairs > 0


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


class TestCreateSource:
    def test_registers_the_source_and_refuses_an_importers_name(self, cli_database):
        invoke("migrate")
        invoke("seed")
        assert "Source stratsys-2281 registered" in invoke("create-source", "stratsys-2281", "--owner", "2281").output
        with Session(cli_database) as session:
            assert source_service.get(session, "stratsys-2281").owner_code == "2281"
        refused = runner.invoke(cli, ["create-source", "file-2281", "--owner", "2281"])
        assert refused.exit_code == 2
        assert "The source name 'file-2281' is the registry's own or its importers'" in refused.output


class TestServe:
    """`registry serve` as `make run` starts it: a real server on 127.0.0.1 in a process of its own."""

    @pytest.fixture
    def server_env(self, tmp_path):
        with fresh_database("serve") as url:
            environment = {
                name: value for name, value in os.environ.items() if not name.startswith(("REGISTRY_", "DATABASE_URL"))
            }
            # From a directory of its own (where var/ goes), importing this checkout's code.
            environment |= {"DATABASE_URL": url, "PYTHONPATH": str(ROOT), "REGISTRY_LOG_LEVEL": "WARNING"}
            yield environment

    def start(self, environment: dict, cwd: Path, *args: str) -> subprocess.Popen:
        # Its messages go to a file: a pipe nobody reads could fill and stall the server.
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", *args],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=(cwd / "serve.log").open("w"),
            text=True,
            start_new_session=True,
        )

    def stop(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    def test_demo_prints_a_key_that_signs_in_without_a_configured_secret(self, server_env, tmp_path):
        port = free_port()
        process = self.start(server_env, tmp_path, "--demo", "--port", str(port))
        try:
            key = process.stdout.readline().strip()
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base)
            with httpx.Client(base_url=base, timeout=10) as browser:
                form = browser.get("/logga-in")
                signed_in = browser.post(
                    "/logga-in", data={"key": key, "csrf": hidden_value(form.text, "csrf"), "next": "/initiativ/nytt"}
                )
                assert signed_in.status_code == 303 and signed_in.headers["location"] == "/initiativ/nytt"
                assert "Inloggad: Sundsvall" in browser.get("/").text
        finally:
            self.stop(process)
        assert key.startswith(KEY_PREFIX)
        secret_file = tmp_path / "var" / "session-secret"
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert len(secret_file.read_text().strip()) >= 32

    def test_without_demo_no_key_is_printed(self, server_env, tmp_path):
        port = free_port()
        process = self.start(server_env, tmp_path, "--port", str(port))
        try:
            wait_until_up(f"http://127.0.0.1:{port}")
        finally:
            self.stop(process)
        assert process.stdout.read() == ""

    def test_a_busy_port_gives_one_clear_message(self, server_env, tmp_path):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            process = self.start(server_env, tmp_path, "--demo", "--port", str(port))
            process.communicate(timeout=120)
        assert process.returncode == 1
        err = (tmp_path / "serve.log").read_text()
        message = " ".join(err.split())
        assert message.startswith(f"Cannot listen on 127.0.0.1:{port}: Address already in use.")
        assert "make run PORT=8080" in message and "Traceback" not in err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base_url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"{base_url} did not come up")
