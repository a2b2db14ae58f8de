"""`registry verify` against a real registry served on 127.0.0.1."""

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import cli
from app.core.db import session_scope
from tests.conftest import wait_until_indexed
from tests.factories import make_initiative

runner = CliRunner()


@pytest.fixture
def live_server(live_server, committed):
    """The registry served on 127.0.0.1, once its indexer's first build (which writes) is done."""
    wait_until_indexed(committed, timeout=120)
    return live_server


def add_entries(engine, count: int, start: int = 0) -> None:
    with session_scope(engine) as session:
        for number in range(start, start + count):
            make_initiative(session, title=f"Digital signering av beslut, steg {number}")


def verify(url: str, state) -> tuple[int, str]:
    result = runner.invoke(cli, ["verify", url, "--state", str(state)], terminal_width=400)
    return result.exit_code, " ".join(result.output.split())


class TestVerify:
    def test_verifies_then_proves_the_log_only_grew(self, live_server, committed, tmp_path):
        state = tmp_path / "state.json"
        add_entries(committed, 5)
        code, output = verify(live_server, state)
        assert code == 0, output
        assert output.startswith("Verified 5 entries, root ")
        assert json.loads(state.read_text())[live_server]["tree_size"] == 5

        add_entries(committed, 6, start=5)
        code, output = verify(live_server, state)
        assert code == 0, output
        assert output.endswith("; consistent with the 5 entries checked before.")
        assert json.loads(state.read_text())[live_server]["tree_size"] == 11

    def test_a_tampered_entry_fails_with_a_readable_message(self, live_server, committed, tmp_path):
        add_entries(committed, 4)
        with committed.begin() as connection:
            sequence = connection.execute(text('SELECT MIN(sequence) FROM "change"')).scalar_one()
            leaf = connection.execute(
                text('SELECT leaf FROM "change" WHERE sequence = :s'), {"s": sequence}
            ).scalar_one()
            forged = bytes(leaf).replace(b"steg 0", b"steg 7")
            connection.execute(text('UPDATE "change" SET leaf = :l WHERE sequence = :s'), {"l": forged, "s": sequence})
        code, output = verify(live_server, tmp_path / "state.json")
        assert code == 1
        assert output.startswith("Verification failed: The 4 entries of the feed do not hash to the signed root ")
        assert not (tmp_path / "state.json").exists()

    def test_a_rewritten_history_fails_against_the_last_head_seen(self, live_server, committed, tmp_path):
        state = tmp_path / "state.json"
        add_entries(committed, 3)
        code, output = verify(live_server, state)
        assert code == 0, output
        seen = json.loads(state.read_text())
        seen[live_server]["root_hash"] = "A" * 43 + "="  # as if the registry had signed another history then
        state.write_text(json.dumps(seen))
        add_entries(committed, 2, start=3)
        code, output = verify(live_server, state)
        assert code == 1
        assert output == "Verification failed: The first 3 entries changed since the head checked last time."

    def test_an_unreachable_registry_is_a_readable_failure(self, tmp_path):
        code, output = verify("http://127.0.0.1:9", tmp_path / "state.json")
        assert code == 1
        assert output.startswith("Verification failed: Could not reach http://127.0.0.1:9")
