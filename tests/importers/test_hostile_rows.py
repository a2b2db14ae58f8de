"""A spreadsheet row with a control character or a non-finite number is rejected with its line and
field, and the other rows import (issue 12); on PostgreSQL this is the path that writes with COPY."""

from pathlib import Path

import pytest

from app.core.db import session_scope
from app.imports import service as import_service
from importers.runner import ImportOptions, run_import
from importers.values import amount
from tests.importers.conftest import stored_initiatives

HEADER = "Titel;Beskrivning;Kommunkod;Status;Budget;Digital andel;Taggar\n"


def run(engine, settings, tmp_path: Path, rows: str):
    sheet = tmp_path / "fientlig.csv"
    sheet.write_text(HEADER + rows, encoding="utf-8")
    return run_import(engine, "file", ImportOptions(path=sheet), settings=settings)


def rejections(engine, run) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [(r.location, r.reason) for r in import_service.list_rejections(session, run.id)[0]]


class TestHostileRows:
    def test_each_hostile_row_is_rejected_by_line_and_field(self, committed, importer_settings, tmp_path):
        rows = (
            "Rent initiativ;Bra.;2281;Idé;1 000 kr;40 %;ren\n"
            "Smutsig tagg;Bra.;2281;Idé;;;natt\x00tillsyn\n"
            "Styrtecken\x1b i titeln;Bra.;2281;Idé;;;\n"
            "Ingen andel;Bra.;2281;Idé;;nan;\n"
            "Oändlig andel;Bra.;2281;Idé;;inf;\n"
            "Rad två ok;Stycke ett.\tmed tab;2281;Idé;;;\n"
        )
        result = run(committed, importer_settings, tmp_path, rows)
        assert (result.status, result.created, result.rejected) == ("succeeded", 2, 4)
        found = rejections(committed, result)
        assert [location for location, _ in found] == ["line 3", "line 4", "line 5", "line 6"]
        assert found[0][1].startswith("tags: must not contain control characters such as U+0000")
        assert found[1][1].startswith("title: must not contain control characters such as U+001B")
        assert found[2][1].startswith("digital_share: Input should be a finite number")
        assert found[3][1].startswith("digital_share: Input should be a finite number")
        titles = sorted(i.title for i in stored_initiatives(committed, "file-fientlig"))
        assert titles == ["Rad två ok", "Rent initiativ"]


class TestAmount:
    @pytest.mark.parametrize("value", [float("inf"), float("-inf"), "1" + "0" * 400 + " kr"])
    def test_a_non_finite_amount_is_refused(self, value):
        with pytest.raises(ValueError, match="not an amount in kronor"):
            amount(value)
