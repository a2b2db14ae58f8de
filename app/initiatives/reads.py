"""Reading initiatives: the only module other domains use to learn about initiatives.

Only `app.initiatives` queries its tables (initiative, participants, tags, status history,
search terms); adoptions, analytics, the importers and the web call the functions here and get
typed results (`InitiativeRow` and the small records below), never ORM objects.

Reads are written for speed: statements are built once and run on the session's connection,
related rows come in one query per table for a whole page, and the API's representation is
built as plain values that `pydantic_core.to_json` writes directly (a test holds them equal to
`InitiativeRead`).
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from pydantic_core import to_jsonable_python
from sqlalchemy import ColumnElement, Select, bindparam, func
from sqlmodel import Session, col, select

from app.core.enums import Category, Flag, InitiativeStatus, ParticipantRole
from app.initiatives import derived
from app.initiatives import query as list_query
from app.initiatives.models import Initiative, InitiativeParticipant, InitiativeTag, StatusChange
from app.initiatives.query import InitiativeQuery
from app.initiatives.schemas import InitiativeRead
from app.organisations import service as organisation_service


class InitiativeRow(NamedTuple):
    """An initiative's own columns, as stored (a test holds this equal to the table)."""

    id: uuid.UUID
    title: str
    summary: str | None
    description: str | None
    owner_code: str
    status: InitiativeStatus
    category: Category
    start_date: date | None
    end_date: date | None
    budget_sek: int | None
    digital_share: float | None
    expected_benefit_sek_per_year: int | None
    realised_benefit_sek_per_year: int | None
    benefit_evidence: list[dict[str, Any]]
    has_benefit_realisation_plan: bool
    strategy_refs: list[str]
    solution: dict[str, Any] | None
    links: list[dict[str, Any]]
    contact: dict[str, Any] | None
    source: str
    external_id: str | None
    registry_edited_fields: list[str]
    is_withdrawn_at_source: bool
    created_at: datetime
    updated_at: datetime
    version: int
    is_archived: bool
    archived_reason: str | None


#: The initiative table's columns, for derivations' conditions (`app.initiatives.derived`).
COLUMNS = Initiative.__table__.c
READ_FIELDS = tuple(InitiativeRead.model_fields)
OWN_READ_FIELDS = frozenset(READ_FIELDS) & frozenset(InitiativeRow._fields)

# Built once: constructing a statement costs more than running it on a page's hot path.
_IDS = bindparam("ids", expanding=True)
ROWS_BY_ID = select(*COLUMNS).where(col(Initiative.id).in_(_IDS))
PARTICIPANT_ROWS = (
    select(
        InitiativeParticipant.initiative_id,
        InitiativeParticipant.organisation_code,
        InitiativeParticipant.role,
        InitiativeParticipant.contribution_sek,
        InitiativeParticipant.steering_seats,
    )
    .where(col(InitiativeParticipant.initiative_id).in_(_IDS))
    .order_by(InitiativeParticipant.organisation_code)
)
TAG_ROWS = (
    select(InitiativeTag.initiative_id, InitiativeTag.tag)
    .where(col(InitiativeTag.initiative_id).in_(_IDS))
    .order_by(InitiativeTag.tag)
)
STATUS_ROWS = (
    select(StatusChange.initiative_id, StatusChange.status, StatusChange.changed_date)
    .where(col(StatusChange.initiative_id).in_(_IDS))
    .order_by(StatusChange.id)
)


def get(session: Session, initiative_id: uuid.UUID) -> InitiativeRow | None:
    found = rows(session, [initiative_id])
    return found[0] if found else None


def rows(session: Session, ids: Sequence[uuid.UUID]) -> list[InitiativeRow]:
    """The initiatives with these ids, in the order of `ids` (unknown ids left out)."""
    if not ids:
        return []
    found = {row.id: InitiativeRow(*row) for row in session.connection().execute(ROWS_BY_ID, {"ids": list(ids)})}
    return [found[i] for i in ids if i in found]


def list_page(session: Session, query: InitiativeQuery) -> tuple[list[InitiativeRow], str | None]:
    """A page of initiatives and the cursor of the next page."""
    statement = list_query.page(_filtered(session, query), query)
    found = list(session.connection().execute(statement))
    return [InitiativeRow(*row) for row in found[: query.limit]], list_query.next_cursor(found, query)


def iter_matching(session: Session, query: InitiativeQuery, batch_size: int) -> Iterator[list[InitiativeRow]]:
    """Every initiative the query matches, in its order, a batch at a time."""
    page = query.model_copy(update={"cursor": None, "limit": batch_size})
    while True:
        found, cursor = list_page(session, page)
        if found:
            yield found
        if cursor is None:
            return
        page = page.model_copy(update={"cursor": cursor})


def iter_all(session: Session, *, include_archived: bool, batch_size: int) -> Iterator[list[InitiativeRow]]:
    """Every initiative in id order, a batch at a time (for exports)."""
    statement = select(*COLUMNS).order_by(col(Initiative.id)).limit(batch_size)
    if not include_archived:
        statement = statement.where(_LIVE)
    batch = [InitiativeRow(*row) for row in session.connection().execute(statement)]
    while batch:
        yield batch
        following = statement.where(col(Initiative.id) > batch[-1].id)
        batch = [InitiativeRow(*row) for row in session.connection().execute(following)]


def _filtered(session: Session, query: InitiativeQuery) -> Select:
    return list_query.filtered(
        query, list_query.common_search_terms(session, query.q), derived.conditions(session, query)
    )


# Representations ---------------------------------------------------------------------------


@dataclass
class _Related:
    participants: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status_history: list[dict[str, Any]] = field(default_factory=list)


def representations(session: Session, found: Sequence[InitiativeRow]) -> list[dict[str, Any]]:
    """Initiatives in `InitiativeRead`'s shape, as plain values that `pydantic_core.to_json`
    writes directly, derived fields included; in a fixed number of queries."""
    extra = derived.values(session, found)
    return _shaped(session, found, lambda row: {name: by_id[row.id] for name, by_id in extra.items()})


def snapshots(session: Session, found: Sequence[InitiativeRow]) -> dict[uuid.UUID, dict[str, Any]]:
    """Initiatives as the change feed records them: their own fields, without the derived ones
    (adoption counts, flags), which change without a write to the initiative."""
    shaped = _shaped(session, found, lambda _row: {})
    return {row.id: to_jsonable_python(values) for row, values in zip(found, shaped, strict=True)}


def reads(session: Session, found: Sequence[InitiativeRow]) -> list[InitiativeRead]:
    """Initiatives as validated `InitiativeRead` models, for callers that need the model."""
    return [InitiativeRead.model_validate(values) for values in representations(session, found)]


def read(session: Session, initiative_id: uuid.UUID) -> InitiativeRead | None:
    found = rows(session, [initiative_id])
    return reads(session, found)[0] if found else None


def _shaped(session: Session, found: Sequence[InitiativeRow], extra) -> list[dict[str, Any]]:
    owners = organisation_service.labels_by_code(session, (row.owner_code for row in found))
    related = _related_rows(session, [row.id for row in found])
    return [_representation(row, owners[row.owner_code], related[row.id], extra(row)) for row in found]


def _related_rows(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, _Related]:
    # Plain rows rather than ORM collections: several times cheaper for a page of 50 or 200.
    related: dict[uuid.UUID, _Related] = defaultdict(_Related)
    if not ids:
        return related
    connection, page = session.connection(), {"ids": ids}
    for row in connection.execute(PARTICIPANT_ROWS, page):
        related[row.initiative_id].participants.append(
            {
                "organisation": row.organisation_code,
                "role": row.role,
                "contribution_sek": row.contribution_sek,
                "steering_seats": row.steering_seats,
            }
        )
    for initiative_id, tag in connection.execute(TAG_ROWS, page):
        related[initiative_id].tags.append(tag)
    for row in connection.execute(STATUS_ROWS, page):
        related[row.initiative_id].status_history.append({"status": row.status, "changed_date": row.changed_date})
    return related


def _representation(
    row: InitiativeRow, owner: organisation_service.Label, related: _Related, extra: dict[str, Any]
) -> dict[str, Any]:
    """`InitiativeRead`'s fields in its order; derived fields only when given."""
    values = {
        "owner": row.owner_code,
        "owner_name": owner.name,
        "county_code": owner.county_code,
        "participants": related.participants,
        "tags": related.tags,
        "status_history": related.status_history,
        **extra,
        **{name: getattr(row, name) for name in OWN_READ_FIELDS},
    }
    return {name: values[name] for name in READ_FIELDS if name in values}


# Counts for the web's facets ---------------------------------------------------------------


@dataclass(frozen=True)
class Facets:
    """How many initiatives each choice of a filter would give, with every other filter applied."""

    total: int
    status: dict[str, int]
    category: dict[str, int]
    county: dict[str, int]
    organisation: list[tuple[str, str, int]]
    flag: dict[str, int]


def facet_counts(session: Session, query: InitiativeQuery) -> Facets:
    """Counts for each filter's choices; each facet ignores its own filter, so choices combine sensibly."""
    by_owner = _owner_counts(session, query.model_copy(update={"organisation": None}))
    labels = organisation_service.labels_by_code(session, by_owner)
    names = sorted(((code, labels[code].name, count) for code, count in by_owner.items()), key=lambda i: i[1])
    return Facets(
        total=_total(session, query),
        status=_counts(session, query.model_copy(update={"status": []}), Initiative.status),
        category=_counts(session, query.model_copy(update={"category": []}), Initiative.category),
        county=_county_counts(session, query.model_copy(update={"county": None})),
        organisation=names,
        flag={flag.value: _total(session, query.model_copy(update={"flag": [flag]})) for flag in Flag},
    )


def owned_counts(session: Session) -> dict[str, int]:
    """How many current (not archived) initiatives each organisation owns."""
    return _owner_counts(session, InitiativeQuery())


def _unpaged(session: Session, query: InitiativeQuery) -> Select:
    return _filtered(session, query.model_copy(update={"cursor": None}))


def _total(session: Session, query: InitiativeQuery) -> int:
    return session.execute(_unpaged(session, query).with_only_columns(func.count())).scalar_one()


def _counts(session: Session, query: InitiativeQuery, column) -> dict[str, int]:
    grouped = _unpaged(session, query).with_only_columns(column, func.count()).group_by(column)
    return {str(value): count for value, count in session.execute(grouped) if value is not None}


def _owner_counts(session: Session, query: InitiativeQuery) -> dict[str, int]:
    return _counts(session, query, Initiative.owner_code)


def _county_counts(session: Session, query: InitiativeQuery) -> dict[str, int]:
    by_owner = _owner_counts(session, query)
    counties: dict[str, int] = defaultdict(int)
    for code, label in organisation_service.labels_by_code(session, by_owner).items():
        if label.county_code:
            counties[label.county_code] += by_owner[code]
    return dict(counties)


# What the analytics read -------------------------------------------------------------------


class Brief(NamedTuple):
    """The few fields a list of initiatives in a report shows."""

    id: uuid.UUID
    title: str
    owner_code: str
    status: InitiativeStatus
    category: Category
    budget_sek: int | None
    realised_benefit_sek_per_year: int | None


class Text(NamedTuple):
    """What overlap detection compares, with the facts its reports need."""

    id: uuid.UUID
    owner_code: str
    category: Category
    status: InitiativeStatus
    budget_sek: int | None
    realised_benefit_sek_per_year: int | None
    title: str
    summary: str | None
    description: str | None
    solution: dict[str, Any] | None
    tags: tuple[str, ...]


class Participation(NamedTuple):
    initiative_id: uuid.UUID
    organisation_code: str
    role: ParticipantRole


class Spend(NamedTuple):
    """An initiative's part in its owner's KPIs."""

    owner_code: str
    status: InitiativeStatus
    budget_sek: int | None
    digital_share: float | None
    start_date: date | None
    end_date: date | None
    created_at: datetime


BRIEF_COLUMNS = tuple(getattr(Initiative, name) for name in Brief._fields)
TEXT_COLUMNS = tuple(getattr(Initiative, name) for name in Text._fields if name != "tags")
SPEND_COLUMNS = tuple(getattr(Initiative, name) for name in Spend._fields)
_LIVE = col(Initiative.is_archived).is_(False)


def briefs(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Brief]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    statement = select(*BRIEF_COLUMNS).where(col(Initiative.id).in_(wanted))
    return {row.id: Brief(*row) for row in session.connection().execute(statement)}


def live_texts(session: Session, ids: Iterable[uuid.UUID] | None = None) -> list[Text]:
    """Every live (not archived) initiative's text, or those among `ids`."""
    statement = select(*TEXT_COLUMNS).where(_LIVE)
    tag_rows = select(InitiativeTag.initiative_id, InitiativeTag.tag).order_by(InitiativeTag.tag)
    if ids is not None:
        wanted = list(ids)
        statement = statement.where(col(Initiative.id).in_(wanted))
        tag_rows = tag_rows.where(col(InitiativeTag.initiative_id).in_(wanted))
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    for initiative_id, tag in session.connection().execute(tag_rows):
        tags[initiative_id].append(tag)
    return [Text(*row, tags=tuple(tags.get(row.id, ()))) for row in session.connection().execute(statement)]


def participations(session: Session, ids: Iterable[uuid.UUID] | None = None) -> list[Participation]:
    """Who takes part in which initiative: all of them, or those among `ids`."""
    statement = select(
        InitiativeParticipant.initiative_id, InitiativeParticipant.organisation_code, InitiativeParticipant.role
    )
    if ids is not None:
        statement = statement.where(col(InitiativeParticipant.initiative_id).in_(list(ids)))
    return [Participation(*row) for row in session.connection().execute(statement)]


def owned(session: Session, owner_code: str) -> list[InitiativeRow]:
    """The organisation's live initiatives, by title."""
    statement = select(*COLUMNS).where(Initiative.owner_code == owner_code, _LIVE).order_by(Initiative.title)
    return [InitiativeRow(*row) for row in session.connection().execute(statement)]


def spending(session: Session, owner_codes: Iterable[str]) -> list[Spend]:
    """The live initiatives of these owners, with what their KPIs count."""
    statement = select(*SPEND_COLUMNS).where(col(Initiative.owner_code).in_(list(owner_codes)), _LIVE)
    return [Spend(*row) for row in session.connection().execute(statement)]


def first_operation_days(
    session: Session, owner_codes: Iterable[str], statuses: Sequence[InitiativeStatus]
) -> list[tuple[str, date]]:
    """Per live initiative of these owners that ever reached one of `statuses`: its owner and the
    first day it did."""
    statement = (
        select(Initiative.owner_code, func.min(StatusChange.changed_date))
        .join(Initiative, col(Initiative.id) == col(StatusChange.initiative_id))
        .where(col(Initiative.owner_code).in_(list(owner_codes)), _LIVE, col(StatusChange.status).in_(statuses))
        .group_by(Initiative.owner_code, StatusChange.initiative_id)
    )
    return [(owner, day) for owner, day in session.connection().execute(statement)]


def flagged(
    session: Session, ids: Sequence[uuid.UUID], rules: dict[Flag, ColumnElement[bool]]
) -> dict[uuid.UUID, set[Flag]]:
    """Which of `rules` (conditions on the initiatives' columns) each initiative meets, in one query."""
    if not ids or not rules:
        return {initiative_id: set() for initiative_id in ids}
    flags = list(rules)
    statement = select(Initiative.id, *(rules[flag].label(flag.value) for flag in flags)).where(
        col(Initiative.id).in_(list(ids))
    )
    return {
        row[0]: {flag for flag, meets in zip(flags, row[1:], strict=True) if meets}
        for row in session.connection().execute(statement)
    }


def published_by(session: Session, source: str) -> dict[str, uuid.UUID]:
    """The records a source publishes now (not withdrawn), by their external id."""
    statement = select(Initiative.external_id, Initiative.id).where(
        Initiative.source == source, col(Initiative.is_withdrawn_at_source).is_(False)
    )
    return dict(session.connection().execute(statement).all())


def exists_any(session: Session) -> bool:
    return session.execute(select(Initiative.id).limit(1)).first() is not None
