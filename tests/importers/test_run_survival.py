"""A run survives its database: a connection lost mid-import fails the run with the counts so far
(never leaving it `running`), and a run whose process died is found by its stopped heartbeat."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.imports import service as import_service
from app.imports.schemas import ImportCounts
from app.initiatives import reads as initiative_reads
from importers.heartbeat import Heartbeat
from importers.runner import ImportOptions, run_import

ROWS, BATCH = 2_000, 500
STALE = timedelta(minutes=5)


def portfolio(path: Path) -> Path:
    lines = ["Titel;Kommunkod;Kategori"] + [f"Initiativ nummer {n};2281;e-tjänst" for n in range(1, ROWS + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def kill(engine: Engine, connection) -> None:
    """End the connection as an outage would: PostgreSQL terminates its backend from another
    connection; SQLite's file connection is closed under the running statement."""
    driver = connection.connection.driver_connection
    if engine.dialect.name == "postgresql":
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": driver.info.backend_pid})
    else:
        driver.close()


@contextmanager
def connection_killed_at_insert(engine: Engine, nth: int) -> Iterator[None]:
    """Kill the connection that is about to insert the nth batch of initiatives."""
    inserts = 0

    def before_cursor_execute(connection, _cursor, statement, *_args) -> None:
        nonlocal inserts
        if statement.startswith("INSERT INTO initiative ("):
            inserts += 1
            if inserts == nth:
                kill(engine, connection)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


class TestConnectionLostMidImport:
    def test_the_run_fails_with_the_counts_so_far_and_the_source_is_free(self, committed, importer_settings, tmp_path):
        importer_settings.batch_size = BATCH
        path = portfolio(tmp_path / "portfolj.csv")
        with connection_killed_at_insert(committed, 3):
            run = run_import(committed, "file", ImportOptions(path=path, owner="2281"), settings=importer_settings)
        assert run.status == "failed"
        assert run.error.startswith("The database failed during the import: "), run.error
        assert (run.fetched, run.created, run.rejected) == (ROWS, 2 * BATCH, 0)
        with session_scope(committed, write=False) as session:
            assert len(initiative_reads.published_by(session, run.source)) == 2 * BATCH
            assert import_service.get_run(session, run.id).status == "failed"
        again = run_import(committed, "file", ImportOptions(path=path, owner="2281"), settings=importer_settings)
        assert (again.status, again.created, again.unchanged) == ("succeeded", ROWS - 2 * BATCH, 2 * BATCH)


class TestHeartbeat:
    def test_renews_the_heartbeat_with_the_counts_so_far_while_the_run_works(self, committed):
        with session_scope(committed) as session:
            run = import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)
        counts = ImportCounts(fetched=30, created=7)
        with Heartbeat(committed, run.id, lambda: counts, interval=0.05):
            time.sleep(0.5)
        with session_scope(committed, write=False) as session:
            beaten = import_service.get_run(session, run.id)
        assert beaten.heartbeat_at > run.heartbeat_at
        assert (beaten.status, beaten.fetched, beaten.created) == ("running", 30, 7)

    def test_a_stopped_heartbeat_frees_the_source_for_the_next_run(self, committed, importer_settings, tmp_path):
        with session_scope(committed) as session:
            dead = import_service.start_run(session, "file-portfolj", {}, is_dry_run=False, stale_after=STALE)
            session.flush()
            session.get_one(type(dead), dead.id).heartbeat_at -= timedelta(minutes=6)
        path = portfolio(tmp_path / "portfolj.csv")
        run = run_import(committed, "file", ImportOptions(path=path, owner="2281"), settings=importer_settings)
        assert run.status == "succeeded"
        with session_scope(committed, write=False) as session:
            abandoned = import_service.get_run(session, dead.id)
        assert abandoned.status == "failed" and abandoned.error.startswith("Abandoned: no heartbeat since ")
