"""pios.se: initiatives from an assumed paged JSON API (the format is in `mappings/pios.toml`).

Pages are followed by next link or by page/offset parameters, as the mapping says. With
`--since` the mapping's `since_param` asks only for records changed since that date; such
an incremental run withdraws nothing, since it does not see every record.
"""

from datetime import date

from importers.http import Fetcher
from importers.mapping import Mapping
from importers.parsers import (
    ParseError,
    SourceRecord,
    first_page_url,
    json_document,
    next_page_url,
    page_records,
    with_query,
)
from importers.pipeline import RunContext, import_initiatives

MAX_PAGES = 100_000


def run(context: RunContext, fetcher: Fetcher, mapping: Mapping, url: str, since: date | None) -> None:
    records = fetch_records(context, fetcher, mapping, url, since)
    if records is None:
        context.tally.is_not_modified = True
        return
    import_initiatives(context, mapping.source, records, mapping, is_complete=since is None)


def fetch_records(
    context: RunContext, fetcher: Fetcher, mapping: Mapping, url: str, since: date | None
) -> list[SourceRecord] | None:
    """Every record on every page, or None when the first page is unchanged since the last run.

    Only the first page is asked conditionally: the mapping's `conditional = true` states that
    the source's first page changes whenever any record does (a collection ETag).
    """
    if since is not None and mapping.since_param:
        url = with_query(url, {mapping.since_param: since.isoformat()})
    next_url: str | None = first_page_url(url, mapping.paging)
    records: list[SourceRecord] = []
    visited: set[str] = set()
    while next_url is not None:
        if next_url in visited or len(visited) >= MAX_PAGES:
            raise ParseError(f"paging loops back to {next_url}")
        is_first = not visited
        visited.add(next_url)
        fetched = fetcher.get(next_url, is_conditional=is_first and _may_skip(context, mapping, since))
        if fetched is None:
            return None
        document = json_document(fetched.body, fetched.charset)
        items = page_records(document, mapping.paging, next_url)
        records += [SourceRecord(f"page {len(visited)} item {index}", item) for index, item in enumerate(items, 1)]
        next_url = next_page_url(document, next_url, len(items), mapping.paging)
    return records


def _may_skip(context: RunContext, mapping: Mapping, since: date | None) -> bool:
    return mapping.is_conditional and not context.is_dry_run and since is None
