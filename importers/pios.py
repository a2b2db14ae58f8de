"""pios.se: initiatives from an assumed paged JSON API (the format is in `mappings/pios.toml`).

Pages are followed by next link or by page/offset parameters, as the mapping says. With
`--since` the mapping's `since_param` asks only for records changed since that date; such
an incremental run withdraws nothing, since it does not see every record.
"""

from datetime import date

from importers.http import Fetcher, fetch_json_pages
from importers.mapping import Mapping
from importers.parsers import SourceRecord, first_page_url, with_query
from importers.pipeline import RunContext, import_initiatives


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
    context.progress.start(f"Fetching {mapping.source}", None)  # how many pages is known only at the end
    pages = fetch_json_pages(
        fetcher,
        first_page_url(url, mapping.paging),
        mapping.paging,
        is_conditional=_may_skip(context, mapping, since),
        on_page=lambda: context.progress.advance(1),
    )
    if pages is None:
        return None
    return [
        SourceRecord(f"page {number} item {index}", item)
        for number, items in enumerate(pages, 1)
        for index, item in enumerate(items, 1)
    ]


def _may_skip(context: RunContext, mapping: Mapping, since: date | None) -> bool:
    return mapping.is_conditional and not context.is_dry_run and since is None
