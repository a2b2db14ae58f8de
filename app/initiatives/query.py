"""The initiatives list's query: filters, full-text search, sorting and keyset pagination."""

import threading
import uuid
from datetime import datetime
from typing import Literal

from cachetools import TTLCache
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, exists, func, or_, tuple_
from sqlmodel import Session, col, select

from app.core.enums import Category, Flag, InitiativeStatus, ParticipationStatus
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.initiatives.models import Initiative, InitiativeParticipant, InitiativeTag, InitiativeTerm
from app.language import search
from app.language.text import prefix_upper_bound
from app.organisations import service as organisation_service

Sort = Literal["updated_at", "-updated_at", "created_at", "-created_at", "title", "-title"]
SORT_COLUMNS = {
    "updated_at": col(Initiative.updated_at),
    "created_at": col(Initiative.created_at),
    "title": col(Initiative.title),
}
COMMON_TERM_MATCHES = 1_000


FacetName = Literal["status", "category", "county", "concept", "flag"]


class InitiativeQuery(BaseModel):
    """Filters for listing initiatives; all combine with AND, repeated values with OR."""

    model_config = ConfigDict(extra="forbid")

    organisation: str | None = Field(default=None, max_length=32, description="Owner or participant code.")
    county: str | None = Field(default=None, max_length=2, description="The owner's county code, e.g. 22.")
    status: list[InitiativeStatus] = []
    category: list[Category] = []
    tag: list[str] = []
    q: str | None = Field(
        default=None,
        max_length=200,
        description="Words to find in title, summary, description and tags: Swedish inflections and "
        "compound parts match, and a query that names a concept (`/api/v1/concepts`, e.g. an "
        "abbreviation) also finds initiatives annotated with it.",
    )
    concept: list[str] = Field(
        default=[],
        description="Annotated with this concept or a narrower one (ids from `/api/v1/concepts`); repeated: any.",
    )
    updated_since: datetime | None = None
    include_archived: bool = False
    adopted_by: str | None = Field(default=None, max_length=32, description="Adopted (not abandoned) by this code.")
    min_adopters: int | None = Field(default=None, ge=1, le=1000, description="At least this many active adopters.")
    flag: list[Flag] = Field(default=[], description="Carries this flag (see the analytics); repeated: any of them.")
    sort: Sort = "-updated_at"
    facets: list[FacetName] = Field(
        default=[],
        description="Also count, for each value of these filters, the initiatives the other filters admit "
        "(each facet ignores its own filter): `facets=status,category,county,concept,flag`.",
    )
    include_total: bool = Field(default=False, description="Also count every initiative the filters admit.")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=500, description="From the previous page's `next` link.")

    @field_validator("facets", mode="before")
    @classmethod
    def split_facets(cls, value: object) -> object:
        """`facets=status,category` and `facets=status&facets=category` mean the same."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [name.strip() for item in value for name in str(item).split(",") if name.strip()]
        return value


def filtered(query: InitiativeQuery, common_terms: frozenset[str], derived: list[ColumnElement[bool]]) -> Select:
    """Every initiative the query's filters admit, unordered: the base of a page and of counts.
    Words in `common_terms` are matched row by row (see `common_search_terms`), the others through
    the term index; `derived` are the conditions other domains set (`app.initiatives.derived`)."""
    statement = select(col(Initiative.id), *SORT_COLUMNS.values())
    for condition in [*_conditions(query, common_terms), *derived]:
        statement = statement.where(condition)
    return statement


def page(statement: Select, query: InitiativeQuery) -> Select:
    """The query's page of `statement`: its order, after its cursor, one row more than the page."""
    descending = query.sort.startswith("-")
    column = SORT_COLUMNS[query.sort.lstrip("-")]
    if query.cursor:
        key = tuple_(column, Initiative.id)
        after = _cursor_position(query.cursor, query.sort)
        statement = statement.where(key < after if descending else key > after)
    order = [column.desc(), col(Initiative.id).desc()] if descending else [column, col(Initiative.id)]
    return statement.order_by(*order).limit(query.limit + 1)


def next_cursor(rows: list[Row], query: InitiativeQuery) -> str | None:
    if len(rows) <= query.limit:
        return None
    last = rows[query.limit - 1]
    column = query.sort.lstrip("-")
    return encode_cursor([getattr(last, column), str(last.id)])


# How many initiatives a word matches, up to COMMON_TERM_MATCHES; built once.
_MATCHES = select(func.count()).select_from(
    select(col(InitiativeTerm.initiative_id))
    .where(col(InitiativeTerm.term) >= bindparam("low"), col(InitiativeTerm.term) < bindparam("high"))
    .limit(COMMON_TERM_MATCHES)
    .subquery()
)


# Whether a word is common changes slowly and only decides how a search is run, never what it
# finds: each worker remembers it for a while instead of asking on every search.
_is_common: TTLCache[str, bool] = TTLCache(maxsize=10_000, ttl=60)
_is_common_lock = threading.Lock()  # requests run on a thread pool; cachetools is not thread-safe


def common_search_terms(session: Session, q: str | None) -> frozenset[str]:
    """Query words that match so many initiatives that it is cheaper to walk the listing in
    order and stop at the page's end than to collect every match and sort it."""
    return frozenset(term for term in search.query_terms(q) if _is_common_term(session, term))


def _is_common_term(session: Session, term: str) -> bool:
    with _is_common_lock:
        known = _is_common.get(term)
    if known is None:
        matches = session.connection().execute(_MATCHES, {"low": term, "high": prefix_upper_bound(term)})
        known = matches.scalar_one() >= COMMON_TERM_MATCHES
        with _is_common_lock:
            _is_common[term] = known
    return known


def _conditions(query: InitiativeQuery, common_terms: frozenset[str]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not query.include_archived:
        conditions.append(col(Initiative.is_archived).is_(False))
    if query.organisation:
        conditions.append(_involves(query.organisation))
    if query.county:
        conditions.append(col(Initiative.owner_code).in_(organisation_service.codes_in_county(query.county)))
    if query.status:
        conditions.append(col(Initiative.status).in_(query.status))
    if query.category:
        conditions.append(col(Initiative.category).in_(query.category))
    if query.tag:
        tagged = select(InitiativeTag.initiative_id).where(col(InitiativeTag.tag).in_([t.lower() for t in query.tag]))
        conditions.append(col(Initiative.id).in_(tagged))
    if query.updated_since:
        conditions.append(col(Initiative.updated_at) >= query.updated_since)
    if query.concept:
        conditions.append(_annotated(search.concept_term(concept) for concept in query.concept))
    if query.q:
        conditions.extend(_search_conditions(query.q, common_terms))
    return conditions


def _search_conditions(q: str, common_terms: frozenset[str]) -> list[ColumnElement[bool]]:
    """Every word of the query must occur; or the query names a concept the initiative is about."""
    words = [_text_condition(term, term in common_terms) for term in search.query_terms(q)]
    concepts = search.query_concepts(q)
    if not concepts:
        return words
    return [or_(and_(*words), _annotated(concepts))] if words else [_annotated(concepts)]


def _annotated(concept_terms) -> ColumnElement[bool]:
    return col(Initiative.id).in_(
        select(InitiativeTerm.initiative_id).where(col(InitiativeTerm.term).in_(list(concept_terms)))
    )


def _involves(code: str) -> ColumnElement[bool]:
    # A declined participation does not involve the organisation; a claimed one is listed, and
    # its participant's `status` says it is only claimed.
    participating = select(InitiativeParticipant.initiative_id).where(
        InitiativeParticipant.organisation_code == code, InitiativeParticipant.status != ParticipationStatus.declined
    )
    return or_(col(Initiative.owner_code) == code, col(Initiative.id).in_(participating))


def _text_condition(term: str, is_common: bool) -> ColumnElement[bool]:
    """The word's lemma, or a longer term that starts with it (fall → fallprevention), must occur."""
    if is_common:
        return exists().where(col(InitiativeTerm.initiative_id) == Initiative.id, *_term_range(term))
    return col(Initiative.id).in_(select(InitiativeTerm.initiative_id).where(*_term_range(term)))


def _term_range(term: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return col(InitiativeTerm.term) >= term, col(InitiativeTerm.term) < prefix_upper_bound(term)


def _cursor_position(cursor: str, sort: Sort) -> tuple:
    value, last_id = decode_cursor(cursor, 2)
    try:
        sort_value = value if sort.lstrip("-") == "title" else datetime.fromisoformat(value)
        return sort_value, uuid.UUID(last_id)
    except (TypeError, ValueError) as error:
        raise invalid_cursor(cursor) from error
