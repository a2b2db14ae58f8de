"""Tables for spreadsheets: the one CSV writer (`registry export` and every web download) and XLSX.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
LibreOffice, so a hostile title could run one on a reader's machine. Text cells like that are
written with a leading apostrophe in CSV, which both show as text (OWASP's "CSV injection"
rule); in XLSX they are stored as text cells, which no spreadsheet evaluates. Numbers stay numbers.

Two CSV dialects: `MACHINE` (comma, no byte-order mark) for programs, and `EXCEL_SV` for
Swedish Excel, which expects `;` between fields, a comma as decimal sign and a byte-order mark
before it reads UTF-8.
"""

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"

Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal_sign: str
    byte_order_mark: str


MACHINE = Dialect(delimiter=",", decimal_sign=".", byte_order_mark="")
EXCEL_SV = Dialect(delimiter=";", decimal_sign=",", byte_order_mark=BYTE_ORDER_MARK)


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]], file: IO[str], dialect: Dialect) -> int:
    """Write the header and the rows; returns how many rows."""
    file.write(dialect.byte_order_mark)
    writer = csv.writer(file, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(header) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([_csv_text(value, dialect) for value in row])
        count += 1
    return count


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Cell]], sheet_title: str) -> bytes:
    """One sheet, the header row bold and frozen; text cells are text, whatever they start with."""
    # Imported on the first download, not at start-up: openpyxl (and numpy, which it loads) take
    # an API worker a while to import.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])  # Excel's limit on a sheet's name
    sheet.freeze_panes = "A2"
    header_cells = [_xlsx_cell(sheet, header) for header in headers]
    for cell in header_cells:
        cell.font = Font(bold=True)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _csv_text(value: Cell, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).replace(".", dialect.decimal_sign)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):  # and bool, which reads True or False
        return str(value)
    return neutralise(value)


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    return cell
