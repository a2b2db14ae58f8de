"""The initiatives list page: its URL as an `InitiativeQuery`, facet counts, and downloads of the whole result.

The URL holds the whole query (so a result can be shared); unknown or malformed values in
it are dropped rather than refused, because people edit and paste these URLs by hand.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pydantic_core import to_jsonable_python
from sqlalchemy import Select, func
from sqlmodel import Session, col
from starlette.datastructures import QueryParams

from app.analytics import service as analytics_service
from app.analytics.flags import Flag
from app.core.enums import Category, InitiativeStatus
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative
from app.initiatives.query import InitiativeQuery, build_select
from app.organisations.models import Organisation
from app.web.labels import COUNTY_NAMES

PAGE_SIZE = 25
EXPORT_BATCH = 200
SORTS = {"-updated_at": "senast ändrade först", "title": "titel A–Ö", "-created_at": "senast registrerade först"}
STATUS_VALUES = {status.value for status in InitiativeStatus}
CATEGORY_VALUES = {category.value for category in Category}
FLAG_VALUES = {flag.value for flag in Flag}


@dataclass(frozen=True)
class Facets:
    total: int
    status: dict[str, int]
    category: dict[str, int]
    county: dict[str, int]
    organisation: list[tuple[str, str, int]]
    flag: dict[str, int]


def query_from_params(params: QueryParams) -> InitiativeQuery:
    """The list's query from its URL, keeping only the values that make sense."""
    return InitiativeQuery(
        q=_text(params.get("q"), 200),
        organisation=_text(params.get("organisation"), 32),
        county=params.get("county") if params.get("county") in COUNTY_NAMES else None,
        status=[InitiativeStatus(v) for v in params.getlist("status") if v in STATUS_VALUES],
        category=[Category(v) for v in params.getlist("category") if v in CATEGORY_VALUES],
        flag=[Flag(v) for v in params.getlist("flag") if v in FLAG_VALUES],
        sort=params.get("sort") if params.get("sort") in SORTS else "-updated_at",
        cursor=_text(params.get("cursor"), 500),
        limit=PAGE_SIZE,
    )


def _text(value: str | None, max_length: int) -> str | None:
    value = (value or "").strip()
    return value[:max_length] or None


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


def facets(session: Session, query: InitiativeQuery) -> Facets:
    """Counts for each filter's choices, with every other filter applied (so choices combine sensibly)."""
    pilots = analytics_service.proven_pilot_ids(session)
    return Facets(
        total=_total(session, _filtered(query, pilots)),
        status=_counts(session, _filtered(query.model_copy(update={"status": []}), pilots), Initiative.status),
        category=_counts(session, _filtered(query.model_copy(update={"category": []}), pilots), Initiative.category),
        county=_counts(
            session, _with_owner(_filtered(query.model_copy(update={"county": None}), pilots)), Organisation.county_code
        ),
        organisation=_owner_counts(session, _filtered(query.model_copy(update={"organisation": None}), pilots)),
        flag={
            flag.value: _total(session, _filtered(query.model_copy(update={"flag": [flag]}), pilots)) for flag in Flag
        },
    )


def owned_counts(session: Session) -> dict[str, int]:
    """How many current (not archived) initiatives each organisation owns."""
    return _counts(session, _filtered(InitiativeQuery(), frozenset()), Initiative.owner_code)


def _filtered(query: InitiativeQuery, proven_pilot_ids: frozenset) -> Select:
    """The list's statement with its filters but without its order and page: the base for counting.
    Run it with `execute`: sqlmodel's `exec` would return only the first column of each row."""
    statement = build_select(query.model_copy(update={"cursor": None}), proven_pilot_ids=proven_pilot_ids)
    return statement.order_by(None).limit(None)


def _total(session: Session, statement: Select) -> int:
    return session.execute(statement.with_only_columns(func.count())).scalar_one()


def _with_owner(statement: Select) -> Select:
    return statement.join(Organisation, col(Organisation.code) == col(Initiative.owner_code))


def _counts(session: Session, statement: Select, column) -> dict[str, int]:
    grouped = statement.with_only_columns(column, func.count()).group_by(column)
    return {str(value): count for value, count in session.execute(grouped) if value is not None}


def _owner_counts(session: Session, statement: Select) -> list[tuple[str, str, int]]:
    columns = (Organisation.code, Organisation.name)
    grouped = _with_owner(statement).with_only_columns(*columns, func.count()).group_by(*columns)
    return [(code, name, count) for code, name, count in session.execute(grouped.order_by(Organisation.name))]


def records(session: Session, query: InitiativeQuery) -> Iterator[dict[str, Any]]:
    """Every initiative the query matches, as the API represents it, a batch at a time."""
    page = query.model_copy(update={"cursor": None, "limit": EXPORT_BATCH})
    while True:
        initiatives, cursor = initiative_service.list_initiatives(session, page)
        yield from to_jsonable_python(initiative_service.representations(session, initiatives))
        if cursor is None:
            return
        page = page.model_copy(update={"cursor": cursor})
