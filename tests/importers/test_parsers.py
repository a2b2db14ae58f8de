import pytest

from importers import parsers
from importers.parsers import Link, Paging, ParseError
from tests.importers.conftest import DATA

KNOWN = {"titel", "kommun", "budget", "status"}


class TestDecodeText:
    def test_utf8_bom_is_dropped(self):
        assert parsers.decode_text("\ufeffÅsa".encode()) == "Åsa"

    def test_windows_1252_is_recognised_even_when_labelled_utf8(self):
        assert parsers.decode_text("Västernorrland".encode("cp1252"), "utf-8") == "Västernorrland"


class TestJsonDocument:
    def test_truncated_json_is_a_parse_error_with_position(self):
        with pytest.raises(ParseError, match=r"not valid JSON .* line 1"):
            parsers.json_document(b'{"data": [')


class TestNextPageUrl:
    def test_relative_next_link_is_resolved_against_the_page(self):
        paging = Paging(style="next_link", next=("links.next",))
        document = {"links": {"next": "/api?page=2"}}
        assert parsers.next_page_url(document, "https://pios.se/api?page=1", 3, paging) == "https://pios.se/api?page=2"

    def test_either_next_url_or_next_page(self):
        paging = Paging(style="next_link", next=("next_url", "next_page"))
        assert parsers.next_page_url({"next_page": "https://x.se/2"}, "https://x.se/1", 1, paging) == "https://x.se/2"
        assert parsers.next_page_url({"next_url": None}, "https://x.se/1", 1, paging) is None

    def test_page_parameter_counts_up_until_a_short_page(self):
        paging = Paging(style="page", size=2)
        assert parsers.next_page_url({}, "https://x.se/a?page=3", 2, paging) == "https://x.se/a?page=4"
        assert parsers.next_page_url({}, "https://x.se/a", 2, paging) == "https://x.se/a?page=2"
        assert parsers.next_page_url({}, "https://x.se/a?page=3", 1, paging) is None

    def test_offset_parameter_steps_by_the_page_size(self):
        paging = Paging(style="offset", size=50, size_param="limit")
        first = parsers.first_page_url("https://x.se/a", paging)
        assert first == "https://x.se/a?limit=50"
        assert parsers.next_page_url({}, first, 50, paging) == "https://x.se/a?limit=50&offset=50"


class TestPageRecords:
    def test_records_not_a_list_is_a_parse_error(self):
        with pytest.raises(ParseError, match="expected a list of records at 'data'"):
            parsers.page_records({"data": {"id": 1}}, Paging(records="data"), "https://x.se")


class TestCsvRows:
    @pytest.mark.parametrize("delimiter", [";", ",", "\t"])
    def test_delimiter_is_sniffed(self, delimiter):
        text = (
            delimiter.join(["Titel", "Kommun", "Budget"]) + "\n" + delimiter.join(["E-arkiv", "Sundsvall", "5"]) + "\n"
        )
        assert parsers.csv_rows(text)[1] == (2, ["E-arkiv", "Sundsvall", "5"])

    def test_quoted_field_with_a_line_break_keeps_the_next_line_number(self):
        rows = parsers.csv_rows('Titel;Beskrivning\nA;"rad ett\nrad två"\nB;kort\n')
        assert [(number, row[0]) for number, row in rows] == [(1, "Titel"), (3, "A"), (4, "B")]


class TestTableRecords:
    def test_header_row_is_found_below_a_title_row_and_empty_rows_skipped(self):
        rows = [
            (1, ["Portfölj 2025", "", ""]),
            (2, ["Titel", "Kommun", "Färg"]),
            (3, ["", "", ""]),
            (4, ["E-arkiv", "Timrå", "blå"]),
        ]
        table = parsers.table_records(rows, KNOWN, "line")
        assert table.headers == ["titel", "kommun", "färg"]
        assert table.ignored_headers == ["färg"]
        assert table.records == [parsers.SourceRecord("line 4", {"titel": "E-arkiv", "kommun": "Timrå", "färg": "blå"})]

    def test_repeated_header_gets_a_number(self):
        table = parsers.table_records([(1, ["Titel", "Titel"]), (2, ["a", "b"])], KNOWN, "row")
        assert table.records[0].data == {"titel": "a", "titel (2)": "b"}

    def test_link_cell_gives_text_and_target(self):
        table = parsers.table_records([(1, ["Titel"]), (2, [Link("E-arkiv", "/p/1")])], KNOWN, "row")
        assert table.records[0].data == {"titel": "E-arkiv", "titel.href": "/p/1"}

    def test_no_rows_is_a_parse_error(self):
        with pytest.raises(ParseError, match="no rows"):
            parsers.table_records([(1, ["", None])], KNOWN, "row")


class TestXlsxRows:
    def test_merged_cells_fill_their_range(self):
        rows = parsers.xlsx_rows((DATA / "portfolio.xlsx").read_bytes())
        assert rows[1][1][:3] == ["Initiativ", "Initiativ", "Initiativ"]
        assert rows[2][1][7:9] == ["Status", "Kategori"]

    def test_unknown_sheet_names_the_sheets_there_are(self):
        with pytest.raises(ParseError, match="has no sheet 'Budget'; it has Portfölj"):
            parsers.xlsx_rows((DATA / "portfolio.xlsx").read_bytes(), "Budget")


class TestHtmlTableRecords:
    def test_the_table_with_the_known_columns_wins_over_layout_tables(self):
        page = (
            "<table><tr><td>Meny</td><td>Hem</td></tr></table>"
            "<table><tr><th>Titel</th><th>Kommun</th></tr>"
            "<tr><td><a href='/p/7'>E-arkiv</a></td><td>Timrå<br>kommun</td></tr></table>"
        )
        table = parsers.html_table_records(page, KNOWN, "https://uttc.se/initiativ")
        assert table.records[0].data == {
            "titel": "E-arkiv",
            "titel.href": "https://uttc.se/p/7",
            "kommun": "Timrå kommun",
        }

    def test_page_without_a_table_is_a_parse_error(self):
        with pytest.raises(ParseError, match="no table"):
            parsers.html_table_records("<p>Underhåll pågår</p>", KNOWN)


class TestTableKind:
    @pytest.mark.parametrize(
        ("content_type", "body", "kind"),
        [
            ("text/csv; charset=utf-8", b"Titel;Kommun", "csv"),
            ("text/html", b"<!doctype html>", "html"),
            ("application/octet-stream", b"  <html>", "html"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", "xlsx"),
            ("", b"PK\x03\x04rest", "xlsx"),
        ],
    )
    def test_media_type_or_first_bytes_decide(self, content_type, body, kind):
        assert parsers.table_kind(content_type, body) == kind
