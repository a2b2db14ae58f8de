"""The initiatives list: filters, full-text search, sorting and keyset pagination."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, Select, String, cast, exists, func, or_, tuple_
from sqlmodel import Session, col, select

from app.adoptions.models import Adoption
from app.adoptions.service import ACTIVE_STATUSES
from app.analytics.flags import Flag
from app.core.enums import Category, InitiativeStatus
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.core.text import prefix_upper_bound, stems
from app.initiatives.models import Initiative, InitiativeParticipant, InitiativeTag, InitiativeTerm
from app.organisations.models import Organisation

Sort = Literal["updated_at", "-updated_at", "created_at", "-created_at", "title", "-title"]
SORT_COLUMNS = {"updated_at": Initiative.updated_at, "created_at": Initiative.created_at, "title": Initiative.title}
MAX_QUERY_TERMS = 10
COMMON_TERM_MATCHES = 1_000


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
        description="Words to find in title, summary, description and tags; Swedish inflections match.",
    )
    updated_since: datetime | None = None
    include_archived: bool = False
    adopted_by: str | None = Field(default=None, max_length=32, description="Adopted (not abandoned) by this code.")
    min_adopters: int | None = Field(default=None, ge=1, le=1000, description="At least this many active adopters.")
    flag: list[Flag] = Field(default=[], description="Carries this flag (see the analytics); repeated: any of them.")
    sort: Sort = "-updated_at"
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=500, description="From the previous page's `next` link.")


def build_select(
    query: InitiativeQuery,
    common_terms: frozenset[str] = frozenset(),
    proven_pilot_ids: frozenset[uuid.UUID] = frozenset(),
) -> Select:
    """The page's statement. Words in `common_terms` are matched row by row in listing order
    (see `common_search_terms`); the others through the term index. A `pilot_of_proven` flag
    filter matches `proven_pilot_ids` (see `flag_condition`)."""
    statement = select(*Initiative.__table__.columns)
    for condition in _conditions(query, common_terms):
        statement = statement.where(condition)
    if query.flag:
        statement = statement.where(flag_condition(query.flag, proven_pilot_ids))
    return _ordered_page(statement, query)


def next_cursor(page: list[Row], query: InitiativeQuery) -> str | None:
    if len(page) <= query.limit:
        return None
    last = page[query.limit - 1]
    column = query.sort.lstrip("-")
    return encode_cursor([getattr(last, column), str(last.id)])


def search_terms(q: str | None) -> list[str]:
    return list(dict.fromkeys(stems(q or "")))[:MAX_QUERY_TERMS]


def common_search_terms(session: Session, q: str | None) -> frozenset[str]:
    """Query words that match so many initiatives that it is cheaper to walk the listing in
    order and stop at the page's end than to collect every match and sort it."""
    common = set()
    for term in search_terms(q):
        probe = select(InitiativeTerm.initiative_id).where(*_term_range(term)).limit(COMMON_TERM_MATCHES)
        if session.scalar(select(func.count()).select_from(probe.subquery())) >= COMMON_TERM_MATCHES:
            common.add(term)
    return frozenset(common)


def flag_condition(flags: list[Flag], proven_pilot_ids: frozenset[uuid.UUID]):
    """Carries any of `flags`, by the rules of `app.analytics.flags`; `pilot_of_proven` needs the
    analytics' overlap index, so its initiatives come resolved as `proven_pilot_ids`."""
    # JSON columns may hold SQL NULL or a JSON null; compared as text they read alike on both engines.
    solution, strategy = (
        func.coalesce(cast(column, String), "null") for column in (Initiative.solution, Initiative.strategy_refs)
    )
    rules = {
        Flag.no_benefit_realisation: (
            col(Initiative.has_benefit_realisation_plan).is_(False)
            & (func.coalesce(Initiative.expected_benefit_sek_per_year, 0) == 0)
        ),
        Flag.no_solution: (Initiative.status != InitiativeStatus.idea) & solution.in_(("null", "{}")),
        Flag.decoupled_from_strategy: strategy.in_(("null", "[]")),
        Flag.pilot_of_proven: col(Initiative.id).in_(proven_pilot_ids),
    }
    return (Initiative.status != InitiativeStatus.discontinued) & or_(*(rules[flag] for flag in flags))


def _conditions(query: InitiativeQuery, common_terms: frozenset[str]) -> list:
    conditions = []
    if not query.include_archived:
        conditions.append(col(Initiative.is_archived).is_(False))
    if query.organisation:
        conditions.append(_involves(query.organisation))
    if query.county:
        owners_in_county = select(Organisation.code).where(Organisation.county_code == query.county)
        conditions.append(col(Initiative.owner_code).in_(owners_in_county))
    if query.status:
        conditions.append(col(Initiative.status).in_(query.status))
    if query.category:
        conditions.append(col(Initiative.category).in_(query.category))
    if query.tag:
        tagged = select(InitiativeTag.initiative_id).where(col(InitiativeTag.tag).in_([t.lower() for t in query.tag]))
        conditions.append(col(Initiative.id).in_(tagged))
    if query.updated_since:
        conditions.append(col(Initiative.updated_at) >= query.updated_since)
    if query.adopted_by:
        conditions.append(
            col(Initiative.id).in_(_active_adoptions().where(Adoption.organisation_code == query.adopted_by))
        )
    if query.min_adopters:
        popular = _active_adoptions().group_by(Adoption.initiative_id).having(func.count() >= query.min_adopters)
        conditions.append(col(Initiative.id).in_(popular))
    conditions.extend(_text_condition(term, term in common_terms) for term in search_terms(query.q))
    return conditions


def _involves(code: str):
    participating = select(InitiativeParticipant.initiative_id).where(InitiativeParticipant.organisation_code == code)
    return or_(Initiative.owner_code == code, col(Initiative.id).in_(participating))


def _active_adoptions():
    return select(Adoption.initiative_id).where(col(Adoption.status).in_(ACTIVE_STATUSES))


def _text_condition(term: str, is_common: bool):
    """The word's stem, or a longer word that starts with it (fall → fallprevention), must occur."""
    if is_common:
        return exists().where(col(InitiativeTerm.initiative_id) == Initiative.id, *_term_range(term))
    return col(Initiative.id).in_(select(InitiativeTerm.initiative_id).where(*_term_range(term)))


def _term_range(term: str) -> tuple:
    return col(InitiativeTerm.term) >= term, col(InitiativeTerm.term) < prefix_upper_bound(term)


def _ordered_page(statement: Select, query: InitiativeQuery) -> Select:
    descending = query.sort.startswith("-")
    column = SORT_COLUMNS[query.sort.lstrip("-")]
    if query.cursor:
        key = tuple_(column, Initiative.id)
        after = _cursor_position(query)
        statement = statement.where(key < after if descending else key > after)
    order = [column.desc(), col(Initiative.id).desc()] if descending else [column, col(Initiative.id)]
    return statement.order_by(*order).limit(query.limit + 1)


def _cursor_position(query: InitiativeQuery) -> tuple:
    value, last_id = decode_cursor(query.cursor, 2)
    try:
        sort_value = value if query.sort.lstrip("-") == "title" else datetime.fromisoformat(value)
        return sort_value, uuid.UUID(last_id)
    except (TypeError, ValueError) as error:
        raise invalid_cursor(query.cursor) from error
