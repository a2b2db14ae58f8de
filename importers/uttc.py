"""uttc.se: initiatives from an assumed published table (the format is in `mappings/uttc.toml`).

The source is one document: a CSV export (semicolon or comma, UTF-8 or Windows-1252) or,
as a last resort, the HTML listing page with the same columns. The response's media type
decides which (unless the mapping names one format), so `--url` may point at either. The
document is asked for conditionally: unchanged since the last successful run, nothing is
read or written.
"""

from datetime import date

from importers.http import Fetcher
from importers.mapping import Mapping
from importers.parsers import read_table, table_kind, with_query
from importers.pipeline import RunContext, import_initiatives

TABLE_FORMATS = {"csv", "xlsx", "html"}


def run(context: RunContext, fetcher: Fetcher, mapping: Mapping, url: str, since: date | None) -> None:
    if since is not None and mapping.since_param:
        url = with_query(url, {mapping.since_param: since.isoformat()})
    is_complete = since is None or mapping.since_param is None
    fetched = fetcher.get(url, is_conditional=mapping.is_conditional and not context.is_dry_run and is_complete)
    if fetched is None:
        context.tally.is_not_modified = True
        return
    kind = mapping.format if mapping.format in TABLE_FORMATS else table_kind(fetched.content_type, fetched.body)
    table = read_table(
        fetched.body, kind, mapping.known_headers, charset=fetched.charset, sheet=mapping.sheet, base_url=fetched.url
    )
    context.tally.notes.update({"format": kind, "ignored_columns": table.ignored_headers})
    import_initiatives(context, mapping.source, table.records, mapping, is_complete=is_complete)
