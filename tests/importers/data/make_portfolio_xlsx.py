"""Writes portfolio.xlsx: the spreadsheet fixture, as a municipality's Excel file looks.

Run `python tests/importers/data/make_portfolio_xlsx.py` to rebuild it. It has a merged
title row, merged group headers above the column names, a header merged over two rows,
an unknown column, an empty row, dates as Excel serial numbers, date cells and text, and
amounts as numbers and as text ("1 200 000 kr", "1,2 mnkr", "300 tkr").
"""

from datetime import datetime
from pathlib import Path

import openpyxl

ROWS = [
    [
        "Gemensam e-tjänsteplattform",
        "En plattform för länets e-tjänster.",
        "Region Västernorrland",
        45292,
        datetime(2025, 12, 31),
        "1 200 000 kr",
        250000,
        "Införande",
        "E-tjänst",
        "intern anteckning",
    ],
    [
        "Digital fallprevention",
        "Sensorer som larmar vid fall.",
        "Sundsvalls kommun",
        "2024-03-01",
        "2025",
        "1,2 mnkr",
        "300 tkr",
        "Pilot",
        "Välfärdsteknik",
        None,
    ],
    [None] * 10,
    ["Osäker status", "Statusordet är okänt.", "2281", "1 mars 2024", None, 10000, None, "Kanske", "Övrigt", None],
    [
        "Besöksbokning på Gotland",
        "Boka tid hos kommunen.",
        "Gotlands kommun",
        45400.0,
        None,
        "95 000:-",
        None,
        "I drift",
        "E-tjänst",
        "klar",
    ],
]


def build(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Portfölj"
    sheet["A1"] = "Region Västernorrlands utvecklingsportfölj 2025"
    sheet.merge_cells("A1:J1")
    for cell, title, span in (
        ("A2", "Initiativ", "A2:C2"),
        ("D2", "Tidplan", "D2:E2"),
        ("F2", "Ekonomi", "F2:G2"),
        ("H2", "Status", "H2:H3"),
        ("I2", "Kategori", "I2:I3"),
    ):
        sheet[cell] = title
        sheet.merge_cells(span)
    for column, title in zip(
        "ABCDEFGJ",
        ["Titel", "Beskrivning", "Organisation", "Start", "Slut", "Budget", "Nytta (kr/år)", "Kommentar"],
        strict=True,
    ):
        sheet[f"{column}3"] = title
    for row in ROWS:
        sheet.append(row)
    sheet["E4"].number_format = "yyyy-mm-dd"
    workbook.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("portfolio.xlsx"))
