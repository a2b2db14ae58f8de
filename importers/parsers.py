"""Turning a source's bytes into records: paged JSON, CSV, XLSX and HTML tables.

Pure functions: bytes or documents in, `SourceRecord`s out. Every record carries its
location ("line 12", "row 7", "record P-42") so a rejection can point at it.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from importers.resolve import name_key

HEADER_SCAN_ROWS = 10
CSV_DELIMITERS = ";,\t|"
FALLBACK_ENCODING = "cp1252"


class ParseError(ValueError):
    """The source's response is not in the format its mapping says: the whole run fails."""


@dataclass(frozen=True)
class SourceRecord:
    location: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Link:
    """An HTML table cell holding a link: its text, and where it points."""

    text: str
    href: str


@dataclass
class Table:
    records: list[SourceRecord]
    headers: list[str]
    ignored_headers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Paging:
    """How a JSON source pages: `next_link` follows a URL in the page, `page` and `offset`
    count up a query parameter until a page comes back short, `none` reads one document."""

    style: str = "none"
    records: str = ""
    next: tuple[str, ...] = ("next",)
    page_param: str = "page"
    offset_param: str = "offset"
    size_param: str | None = None
    size: int = 100


def decode_text(body: bytes, declared: str | None = None) -> str:
    """UTF-8 with or without BOM, else the declared charset, else Windows-1252.

    Sources label their encoding wrongly often enough that valid UTF-8 wins over the label.
    """
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="strict")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in filter(None, (declared, FALLBACK_ENCODING)):
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("latin-1")


def json_document(body: bytes, declared: str | None = None) -> Any:
    try:
        return json.loads(decode_text(body, declared))
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ParseError(f"the response is not valid JSON ({error.msg} at {where})") from None


def value_at(document: Any, path: str) -> Any:
    """The value at a dotted path ("links.next", "organisation.code", "values.0.value"), or None."""
    return value_at_parts(document, tuple(filter(None, path.split("."))))


def value_at_parts(document: Any, parts: tuple[str, ...]) -> Any:
    """The value at a path already split into its parts (keys, or list indexes as digits), or None."""
    current = document
    for part in parts:
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def page_records(document: Any, paging: Paging, url: str) -> list[dict[str, Any]]:
    found = value_at(document, paging.records)
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        where = f"at {paging.records!r}" if paging.records else "at the top level"
        raise ParseError(f"{url}: expected a list of records {where}, found {type(found).__name__}")
    return found


def next_page_url(document: Any, url: str, record_count: int, paging: Paging) -> str | None:
    if paging.style == "next_link":
        link = next((value_at(document, path) for path in paging.next if value_at(document, path)), None)
        return urljoin(url, str(link)) if link else None
    if paging.style in ("page", "offset") and record_count >= paging.size > 0:
        step = 1 if paging.style == "page" else paging.size
        name = paging.page_param if paging.style == "page" else paging.offset_param
        start = 1 if paging.style == "page" else 0
        return with_query(url, {name: str(int(query_value(url, name) or start) + step)})
    return None


def first_page_url(url: str, paging: Paging) -> str:
    if paging.style in ("page", "offset") and paging.size_param:
        return with_query(url, {paging.size_param: str(paging.size)})
    return url


def query_value(url: str, name: str) -> str | None:
    return dict(parse_qsl(urlsplit(url).query)).get(name)


def with_query(url: str, values: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = {**dict(parse_qsl(parts.query, keep_blank_values=True)), **values}
    return urlunsplit(parts._replace(query=urlencode(query)))


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """Rows with their line numbers; the delimiter (; , tab or |) is sniffed from the start."""
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = max(CSV_DELIMITERS, key=sample.split("\n", 1)[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as error:
        raise ParseError(f"line {reader.line_num}: {error}") from None
    return rows


def xlsx_rows(body: bytes, sheet: str | None = None) -> list[tuple[int, list[Any]]]:
    """Rows of the first (or named) sheet; a merged cell's value fills its whole range."""
    import openpyxl  # loaded only for a spreadsheet: API workers import the importers too

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ParseError(f"the file is not a readable XLSX workbook ({error})") from None
    if sheet is not None and sheet not in workbook.sheetnames:
        raise ParseError(f"the workbook has no sheet {sheet!r}; it has {', '.join(workbook.sheetnames)}")
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    cells = [list(row) for row in worksheet.iter_rows(values_only=True)]
    for merged in worksheet.merged_cells.ranges:
        value = cells[merged.min_row - 1][merged.min_col - 1]
        for row in range(merged.min_row - 1, merged.max_row):
            for column in range(merged.min_col - 1, merged.max_col):
                cells[row][column] = value
    return [(number, row) for number, row in enumerate(cells, start=1)]


class _TableParser(HTMLParser):
    """Collects the rows of every outermost table; a nested table's text stays in its cell."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.tables: list[list[list[Any]]] = []
        self.depth = 0
        self.cell: list[str] | None = None
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
        elif self.depth != 1:
            return
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables[-1]:
            self.cell, self.href = [], None
        elif tag == "a" and self.cell is not None and self.href is None:
            href = dict(attrs).get("href")
            self.href = urljoin(self.base_url, href) if href else None
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth -= 1
        elif tag in ("td", "th") and self.depth == 1 and self.cell is not None:
            content = " ".join("".join(self.cell).split())
            self.tables[-1][-1].append(Link(content, self.href) if self.href else content)
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_tables(text: str, base_url: str = "") -> list[list[tuple[int, list[Any]]]]:
    """Every outermost table of the page as numbered rows; a cell with a link is a `Link`."""
    parser = _TableParser(base_url)
    parser.feed(text)
    parser.close()
    tables = [[(number, row) for number, row in enumerate(rows, start=1)] for rows in parser.tables if rows]
    if not tables:
        raise ParseError("the page holds no table")
    return tables


def html_table_records(text: str, known_headers: set[str], base_url: str = "") -> Table:
    """The page's table that names the most known columns (menus and layout tables lose)."""
    tables = [
        table_records(rows, known_headers, "row")
        for rows in html_tables(text, base_url)
        if any(any(_has_value(cell) for cell in row) for _, row in rows)
    ]
    if not tables:
        raise ParseError("the page's tables are empty")
    return max(tables, key=lambda table: sum(header in known_headers for header in table.headers))


def table_records(rows: Sequence[tuple[int, Sequence[Any]]], known_headers: set[str], unit: str) -> Table:
    """Records from rows under a header row: the row among the first few that names the most
    known columns (so title rows and group headers above it are skipped). Empty rows are skipped;
    a link cell gives both its text and, under "<header>.href", its target."""
    filled = [(number, row) for number, row in rows if any(_has_value(cell) for cell in row)]
    if not filled:
        raise ParseError("the file holds no rows")
    header_index = _header_row_index(filled, known_headers)
    headers = _unique(header_key(cell) for cell in filled[header_index][1])
    records = [SourceRecord(f"{unit} {number}", _record(headers, row)) for number, row in filled[header_index + 1 :]]
    ignored = [header for header in headers if header and header not in known_headers]
    return Table(records=records, headers=headers, ignored_headers=ignored)


def _header_row_index(rows: Sequence[tuple[int, Sequence[Any]]], known_headers: set[str]) -> int:
    scores = [sum(header_key(cell) in known_headers for cell in row) for _, row in rows[:HEADER_SCAN_ROWS]]
    best = max(scores)
    return scores.index(best) if best else 0


def _record(headers: list[str], row: Sequence[Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for header, cell in zip(headers, row, strict=False):
        if not header:
            continue
        if isinstance(cell, Link):
            record[header], record[f"{header}.href"] = cell.text, cell.href
        else:
            record[header] = cell
    return record


def header_key(cell: Any) -> str:
    """A column name as compared: "Budget (kr):" and "budget (KR)" are the same column."""
    text = cell.text if isinstance(cell, Link) else cell
    return name_key(str(text)).rstrip(":*").strip() if _has_value(text) else ""


def _unique(headers: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        unique.append(header if seen[header] == 1 or not header else f"{header} ({seen[header]})")
    return unique


def _has_value(cell: Any) -> bool:
    return cell is not None and str(cell.text if isinstance(cell, Link) else cell).strip() != ""


def read_table(
    body: bytes,
    kind: str,
    known_headers: set[str],
    *,
    charset: str | None = None,
    sheet: str | None = None,
    base_url: str = "",
) -> Table:
    """A CSV, XLSX or HTML table's records; `kind` is "csv", "xlsx" or "html".

    Links in an HTML table are made absolute against `base_url`, the page's address.
    """
    if kind == "xlsx":
        return table_records(xlsx_rows(body, sheet), known_headers, "row")
    if kind == "html":
        return html_table_records(decode_text(body, charset), known_headers, base_url)
    return table_records(csv_rows(decode_text(body, charset)), known_headers, "line")


def table_kind(content_type: str, body: bytes) -> str:
    """Which table format a response holds, from its media type or, failing that, its first bytes."""
    media = content_type.split(";")[0].strip().lower()
    if "spreadsheetml" in media or body.startswith(b"PK\x03\x04"):
        return "xlsx"
    if media in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<":
        return "html"
    return "csv"
