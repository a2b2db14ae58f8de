"""Initiatives as JSON lines or CSV, for `registry export` and the web's downloads."""

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from pydantic_core import to_jsonable_python
from sqlmodel import Session

from app.core import spreadsheets
from app.initiatives import reads
from app.initiatives.query import InitiativeQuery
from app.initiatives.schemas import InitiativeRead

BATCH_SIZE = 500
CSV_COLUMNS = tuple(InitiativeRead.model_fields)


def iter_records(session: Session, *, include_archived: bool = False) -> Iterator[dict[str, Any]]:
    """Every initiative as its API representation, in id order, a batch at a time."""
    for batch in reads.iter_all(session, include_archived=include_archived, batch_size=BATCH_SIZE):
        yield from to_jsonable_python(reads.representations(session, batch))


def matching_records(session: Session, query: InitiativeQuery) -> Iterator[dict[str, Any]]:
    """Every initiative the list's query matches, in its order, as its API representation."""
    for batch in reads.iter_matching(session, query, BATCH_SIZE):
        yield from to_jsonable_python(reads.representations(session, batch))


def write_jsonl(records: Iterable[dict[str, Any]], file: IO[str]) -> int:
    count = 0
    for record in records:
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], file: IO[str]) -> int:
    """One row per initiative, with the API's field names; lists of words joined with "; ",
    nested values as JSON, text that a spreadsheet would take for a formula neutralised."""
    rows = ([_cell(record.get(name)) for name in CSV_COLUMNS] for record in records)
    return spreadsheets.write_csv(CSV_COLUMNS, rows, file, spreadsheets.MACHINE)


def _cell(value: Any) -> spreadsheets.Cell:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "; ".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value
