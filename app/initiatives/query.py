"""The initiatives list's query: filters, full-text search, sorting and keyset pagination."""

import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, NamedTuple

from cachetools import TTLCache
from pydantic import ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, exists, func, or_, tuple_
from sqlmodel import Session, col, select

from app.core.enums import Category, Flag, InitiativeStatus, ParticipationStatus
from app.core.pagination import CursorField, cursor_id, cursor_moment, decode_cursor, encode_cursor, invalid_cursor
from app.core.schemas import InputSchema, UtcDatetime
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


class InitiativeQuery(InputSchema):
    """Filters for listing initiatives; all combine with AND, repeated values with OR."""

    model_config = ConfigDict(extra="forbid")

    organisation: str | None = Field(default=None, max_length=32, description="Owner or participant code.")
    county: str | None = Field(default=None, max_length=2, description="The owner's county code, e.g. 22.")
    status: list[InitiativeStatus] = Field(default=[])
    category: list[Category] = Field(default=[])
    tag: list[str] = Field(default=[])
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
    updated_since: UtcDatetime | None = Field(
        default=None,
        description="Changed at or after this moment: an RFC 3339 date-time, or a date (its midnight); "
        "without a time zone it is UTC.",
    )
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
    cursor: str | None = CursorField

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


class Walk(NamedTuple):
    """Where a walk through the pages stands.

    `began` is the newest change when the walk's first page was read. A row changed after it
    could move back past the walk in the query's order (a newer `updated_at`, a new title) and
    never be listed; so the walk lists only rows changed before it began, in the query's order,
    and then "catches up": the rows changed since, oldest change first, an order no later
    change can move a row back in. A row that exists when a walk begins is listed at least once.
    """

    began: datetime
    is_catching_up: bool
    after: tuple[Any, uuid.UUID] | None  # the last row listed, in the current order


def walk(query: InitiativeQuery) -> Walk | None:
    """The walk the query's cursor continues; None on a first page."""
    if not query.cursor:
        return None
    began, is_catching_up, value, last_id = decode_cursor(query.cursor, 4)
    if not isinstance(is_catching_up, bool):
        raise invalid_cursor(query.cursor)
    after = None
    if value is not None or last_id is not None:
        after = (_cursor_value(query.cursor, query.sort, is_catching_up, value), cursor_id(last_id, query.cursor))
    return Walk(cursor_moment(began, query.cursor), is_catching_up, after)


def page(statement: Select, query: InitiativeQuery, walk: Walk | None) -> Select:
    """The query's page of `statement`: its order, after the walk's last row, one row more than
    the page. A first page also reads when its walk begins (column `walk_began`)."""
    updated_at = col(Initiative.updated_at)
    if walk is None:
        statement = statement.add_columns(_NEWEST_CHANGE.label("walk_began"))
    else:
        statement = statement.where(updated_at > walk.began if walk.is_catching_up else updated_at <= walk.began)
    column, descending = _order(query, walk)
    if walk is not None and walk.after is not None:
        key = tuple_(column, Initiative.id)
        statement = statement.where(key < walk.after if descending else key > walk.after)
    order = [column.desc(), col(Initiative.id).desc()] if descending else [column, col(Initiative.id)]
    return statement.order_by(*order).limit(query.limit + 1)


def changed_since(statement: Select, walk: Walk) -> Select:
    """Whether any row `statement` admits changed after the walk began: one to catch up on."""
    return statement.where(col(Initiative.updated_at) > walk.began).limit(1)


def next_cursor(
    rows: list[Row], query: InitiativeQuery, walk: Walk | None, has_changed: Callable[[Walk], bool]
) -> str | None:
    """The next page's cursor. `has_changed` asks `changed_since`; only at the end of the query's
    order of a walk longer than one page (a single page is one consistent read)."""
    if walk is None:
        if not rows:
            return None
        walk = Walk(rows[0].walk_began, is_catching_up=False, after=None)
    if len(rows) > query.limit:
        last = rows[query.limit - 1]
        column = "updated_at" if walk.is_catching_up else query.sort.lstrip("-")
        return _encode(walk, _cursor_text(getattr(last, column)), str(last.id))
    if query.cursor and not walk.is_catching_up and has_changed(walk):
        return _encode(walk._replace(is_catching_up=True), None, None)
    return None


_NEWEST_CHANGE = select(func.max(col(Initiative.updated_at))).scalar_subquery()


def _order(query: InitiativeQuery, walk: Walk | None) -> tuple[Any, bool]:
    if walk is not None and walk.is_catching_up:
        return col(Initiative.updated_at), False
    return SORT_COLUMNS[query.sort.lstrip("-")], query.sort.startswith("-")


def _encode(walk: Walk, value: str | None, last_id: str | None) -> str:
    return encode_cursor([walk.began.isoformat(), walk.is_catching_up, value, last_id])


def _cursor_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


def _cursor_value(cursor: str, sort: Sort, is_catching_up: bool, value: Any) -> Any:
    if is_catching_up or sort.lstrip("-") != "title":
        return cursor_moment(value, cursor)
    if not isinstance(value, str):
        raise invalid_cursor(cursor)
    return value


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
