"""The initiatives list page's URL, read as an `InitiativeQuery` and written back.

The URL holds the whole query (so a result can be shared); unknown or malformed values in
it are dropped rather than refused, because people edit and paste these URLs by hand.
"""

import re
from typing import Any, cast
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from app.core.enums import Category, Flag, InitiativeStatus
from app.core.pagination import CURSOR_PATTERN, invalid_cursor
from app.core.text import UnstorableValue, refuse_unstorable
from app.initiatives.query import InitiativeQuery, Sort
from app.web.labels import COUNTY_NAMES

PAGE_SIZE = 25
SORTS = {"-updated_at": "senast ändrade först", "title": "titel A–Ö", "-created_at": "senast registrerade först"}
STATUS_VALUES = {status.value for status in InitiativeStatus}
CATEGORY_VALUES = {category.value for category in Category}
FLAG_VALUES = {flag.value for flag in Flag}


def query_from_params(params: QueryParams) -> InitiativeQuery:
    """The list's query from its URL, keeping only the values that make sense."""
    return InitiativeQuery(
        q=_text(params.get("q"), 200),
        organisation=_text(params.get("organisation"), 32),
        county=params.get("county") if params.get("county") in COUNTY_NAMES else None,
        status=[InitiativeStatus(v) for v in params.getlist("status") if v in STATUS_VALUES],
        category=[Category(v) for v in params.getlist("category") if v in CATEGORY_VALUES],
        flag=[Flag(v) for v in params.getlist("flag") if v in FLAG_VALUES],
        sort=cast(Sort, params.get("sort")) if params.get("sort") in SORTS else "-updated_at",
        cursor=_cursor(params.get("cursor")),
        limit=PAGE_SIZE,
    )


def _text(value: str | None, max_length: int) -> str | None:
    value = (value or "").strip()
    try:
        refuse_unstorable(value)
    except UnstorableValue:
        return None
    return value[:max_length] or None


def _cursor(value: str | None) -> str | None:
    """The page cursor, as issued; a forged one is refused (`ValidationFailed`), not dropped,
    since showing the first page instead would look like the list's next page."""
    if not value:
        return None
    if len(value) > 500 or not re.fullmatch(CURSOR_PATTERN, value):
        raise invalid_cursor(value)
    return value


def query_string(query: InitiativeQuery, **changes: Any) -> str:
    """The URL query for `query` with some parameters changed; the page cursor is dropped unless given."""
    params = {
        "q": query.q,
        "organisation": query.organisation,
        "county": query.county,
        "category": [str(c) for c in query.category],
        "status": [str(s) for s in query.status],
        "flag": [str(f) for f in query.flag],
        "sort": query.sort if query.sort != "-updated_at" else None,
    } | changes
    pairs = [
        (name, value)
        for name, values in params.items()
        for value in (values if isinstance(values, list) else [values])
        if value
    ]
    return urlencode(pairs)
