"""The one CSV writer and the XLSX writer: formulas never survive (OWASP), numbers stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from app.core import spreadsheets

HOSTILE = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


class TestNeutralise:
    @pytest.mark.parametrize("text", HOSTILE)
    def test_formula_starts_get_an_apostrophe(self, text):
        assert spreadsheets.neutralise(text) == "'" + text

    @pytest.mark.parametrize("text", ["Sundsvall", "", "a=b", "1177"])
    def test_other_text_is_left_alone(self, text):
        assert spreadsheets.neutralise(text) == text


class TestWriteCsv:
    def test_swedish_excel_dialect_reads_back_as_text_with_numbers_in_swedish(self):
        file = io.StringIO()
        count = spreadsheets.write_csv(
            ["Titel", "Budget (kr)", "Andel"], [[text, -5, 0.25] for text in HOSTILE], file, spreadsheets.EXCEL_SV
        )
        written = file.getvalue()
        assert count == len(HOSTILE) and written.startswith("\ufeffTitel;Budget (kr);Andel\r\n")
        rows = list(csv.reader(io.StringIO(written.removeprefix("\ufeff")), delimiter=";"))
        assert rows[1:] == [["'" + text, "-5", "0,25"] for text in HOSTILE]

    def test_machine_dialect_uses_commas_and_no_byte_order_mark(self):
        file = io.StringIO()
        spreadsheets.write_csv(
            ["title", "share"], [["=1+1", 0.5], ["Plain, with comma", None]], file, spreadsheets.MACHINE
        )
        assert list(csv.reader(io.StringIO(file.getvalue()))) == [
            ["title", "share"],
            ["'=1+1", "0.5"],
            ["Plain, with comma", ""],
        ]


class TestWriteXlsx:
    def test_text_is_text_whatever_it_starts_with_and_numbers_are_numbers(self):
        body = spreadsheets.write_xlsx(["Titel", "Budget (kr)"], [[text, 1_200_000] for text in HOSTILE], "Initiativ")
        sheet = load_workbook(io.BytesIO(body)).active
        assert sheet.title == "Initiativ"
        rows = list(sheet.iter_rows(values_only=True))
        # XML reads a carriage return as a line break: the text survives, as text.
        assert rows == [("Titel", "Budget (kr)"), *((text.replace("\r", "\n"), 1_200_000) for text in HOSTILE)]
        assert {cell.data_type for row in sheet.iter_rows(min_row=2, max_col=1) for cell in row} == {"s"}
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
