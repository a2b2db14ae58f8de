"""Spreadsheet portfolios: a CSV or XLSX file a municipality keeps, imported from disk.

With no mapping file the default `mappings/file.toml` recognises the common Swedish and
English column names. A source is one file: its name is `file-<NAME>` with `--source NAME`
(so next year's renamed file updates the same initiatives), otherwise `file-<file name>`.
Records that disappear from the file are marked withdrawn within that source only, so two
spreadsheets of one owner never withdraw each other's rows.
"""

import re
from pathlib import Path

from importers import mapping as mappings
from importers.parsers import ParseError, SourceRecord, read_table
from importers.pipeline import ImportFailed, RunContext, import_initiatives
from importers.resolve import name_key

KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def source_name(path: Path, name: str | None) -> str:
    """`file-<name>`, or `file-portfolj-2025` for "Portfölj 2025.xlsx": lower-case ASCII, at most 64 characters."""
    basis = name or path.stem
    ascii_name = name_key(basis).translate(str.maketrans("åäöéü", "aaoeu"))
    return f"file-{_NOT_SLUG.sub('-', ascii_name).strip('-') or 'unnamed'}"[:64]


def read_records(path: Path, mapping: mappings.Mapping) -> tuple[list[SourceRecord], list[str]]:
    """The file's records and the columns no field of the mapping names."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise ParseError(f"{path.name}: only {', '.join(sorted(KINDS))} files can be imported")
    try:
        body = path.read_bytes()
    except OSError as error:
        raise ImportFailed(f"{path}: {error.strerror}") from None
    table = read_table(body, kind, mapping.known_headers, sheet=mapping.sheet)
    return table.records, table.ignored_headers


def run(context: RunContext, source: str, path: Path, mapping_path: Path | None, owner_code: str | None) -> None:
    mapping = mappings.load(mapping_path) if mapping_path else mappings.load_named("file")
    records, ignored = read_records(path, mapping)
    context.tally.notes["ignored_columns"] = ignored
    import_initiatives(context, source, records, mapping, default_owner=owner_code)
