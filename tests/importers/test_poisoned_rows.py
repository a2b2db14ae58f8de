"""One row the database refuses never fails a run: it is rejected with its line, the rest import,
and a rerun changes nothing."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.imports import service as import_service
from app.initiatives import reads as initiative_reads
from importers.runner import ImportOptions, run_import

ROWS = 10_000
BAD_LINE = 7_001  # the header is line 1
REFUSED_TITLE = "Förgiftad rad"

SQLITE_TRIGGER = (
    "CREATE TRIGGER refuse_poison BEFORE INSERT ON initiative "
    f"WHEN NEW.title = '{REFUSED_TITLE}' BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
)
POSTGRESQL_TRIGGER = (
    "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF NEW.title = '{REFUSED_TITLE}' THEN "
    "RAISE EXCEPTION 'refused by the test trigger' USING ERRCODE = 'check_violation'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER refuse_poison BEFORE INSERT ON initiative FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
)


@pytest.fixture
def refusing_trigger(committed: Engine) -> Iterator[Engine]:
    """The database itself refuses one title: a real refusal on both engines."""
    is_postgresql = committed.dialect.name == "postgresql"
    with committed.begin() as connection:
        for statement in POSTGRESQL_TRIGGER if is_postgresql else (SQLITE_TRIGGER,):
            connection.execute(text(statement))
    yield committed
    with committed.begin() as connection:
        connection.execute(text("DROP TRIGGER refuse_poison" + (" ON initiative" if is_postgresql else "")))
        if is_postgresql:
            connection.execute(text("DROP FUNCTION refuse_poison()"))


def portfolio(path: Path, bad_title: str, bad_tag: str = "") -> Path:
    lines = ["Titel;Kommunkod;Kategori;Status;Nyckelord"]
    for number in range(1, ROWS + 1):
        is_bad = number + 1 == BAD_LINE
        title = bad_title if is_bad else f"Initiativ nummer {number}"
        lines.append(f"{title};2281;välfärdsteknik;pilot;{bad_tag if is_bad else 'trygghet'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rejections(engine: Engine, run_id) -> list[tuple[str, str | None, str]]:
    with session_scope(engine, write=False) as session:
        rows, _ = import_service.list_rejections(session, run_id)
    return [(r.location, r.external_id, r.reason) for r in rows]


def assert_one_rejected_the_rest_imported(engine: Engine, path: Path, settings, reason_start: str) -> None:
    first = run_import(engine, "file", ImportOptions(path=path, owner="2281"), settings=settings)
    assert (first.status, first.error) == ("succeeded", None)
    assert (first.fetched, first.created, first.rejected) == (ROWS, ROWS - 1, 1)
    [(location, _external_id, reason)] = rejections(engine, first.id)
    assert location == f"line {BAD_LINE}" and reason.startswith(reason_start), reason
    with session_scope(engine, write=False) as session:
        assert len(initiative_reads.published_by(session, first.source)) == ROWS - 1
    again = run_import(engine, "file", ImportOptions(path=path, owner="2281"), settings=settings)
    assert (again.status, again.created, again.updated, again.unchanged, again.withdrawn, again.rejected) == (
        "succeeded",
        0,
        0,
        ROWS - 1,
        0,
        1,
    )
    assert [location for location, _, _ in rejections(engine, again.id)] == [f"line {BAD_LINE}"]


class TestARowTheDatabaseRefuses:
    def test_is_rejected_with_its_line_and_the_other_9999_import(self, refusing_trigger, importer_settings, tmp_path):
        importer_settings.batch_size = 500
        path = portfolio(tmp_path / "portfolj.csv", REFUSED_TITLE)
        assert_one_rejected_the_rest_imported(
            refusing_trigger, path, importer_settings, "The database refused the record: refused by the test trigger"
        )

    def test_a_nul_in_a_tag_is_rejected_on_postgresql_too(self, committed, importer_settings, tmp_path):
        # SQLite stores a NUL; PostgreSQL refuses it in text, here in the tags' COPY.
        importer_settings.batch_size = 500
        path = portfolio(tmp_path / "portfolj.csv", "Initiativ med NUL", bad_tag="tr\x00ygghet")
        if committed.dialect.name != "postgresql":
            pytest.skip("only PostgreSQL refuses NUL in text")
        assert_one_rejected_the_rest_imported(committed, path, importer_settings, "")
