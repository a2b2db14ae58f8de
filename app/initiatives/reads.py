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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from pydantic_core import from_json, to_json, to_jsonable_python
from sqlalchemy import ColumnElement, Select, bindparam, func
from sqlmodel import Session, col, select

from app.core.enums import OPERATING_STATUSES, Flag, InitiativeStatus, ParticipantRole, ParticipationStatus
from app.initiatives import derived, documents
from app.initiatives import query as list_query
from app.initiatives.models import (
    Initiative,
    InitiativeDocument,
    InitiativeParticipant,
    InitiativeTag,
    InitiativeTerm,
    StatusChange,
)
from app.initiatives.query import InitiativeQuery
from app.initiatives.records import COLUMNS, DatedStatus, InitiativeRow, Participation, Spend, Standing, Text
from app.initiatives.schemas import InitiativeRead
from app.language import search
from app.organisations import service as organisation_service

#: What counts: the one rule for every figure. An initiative archived, or withdrawn by its
#: source, stays readable (by id, in lists with `include_archived`, in the change feed) but
#: counts in no analytics: KPIs, totals, clusters and their budgets, proven matches and flags,
#: scaling candidates, an organisation's portfolio and development spend.
COUNTED = col(Initiative.is_archived).is_(False) & col(Initiative.is_withdrawn_at_source).is_(False)

# Built once: constructing a statement costs more than running it on a page's hot path.
ROWS_BY_ID = select(*COLUMNS).where(col(Initiative.id).in_(bindparam("ids", expanding=True)))


def get(session: Session, initiative_id: uuid.UUID) -> InitiativeRow | None:
    found = rows(session, [initiative_id])
    return found[0] if found else None


def rows(session: Session, ids: Sequence[uuid.UUID]) -> list[InitiativeRow]:
    """The initiatives with these ids, in the order of `ids` (unknown ids left out)."""
    if not ids:
        return []
    found = {row.id: InitiativeRow(*row) for row in session.connection().execute(ROWS_BY_ID, {"ids": list(ids)})}
    return [found[i] for i in ids if i in found]


def list_page(session: Session, query: InitiativeQuery) -> tuple[list[uuid.UUID], str | None]:
    """The ids of a page of initiatives, in the query's order, and the cursor of the next page."""
    filtered = _filtered(session, query)
    walk = list_query.walk(query)
    found = list(session.connection().execute(list_query.page(filtered, query, walk)))

    def has_changed(since: list_query.Walk) -> bool:
        return session.connection().execute(list_query.changed_since(filtered, since)).first() is not None

    return [row.id for row in found[: query.limit]], list_query.next_cursor(found, query, walk, has_changed)


def iter_matching(session: Session, query: InitiativeQuery, batch_size: int) -> Iterator[list[uuid.UUID]]:
    """The ids of every initiative the query matches, in its order, a batch at a time; each once,
    though a walk lists a row changed meanwhile again at its end (`list_query.Walk`)."""
    page = query.model_copy(update={"cursor": None, "limit": batch_size})
    listed: set[uuid.UUID] = set()
    while True:
        found, cursor = list_page(session, page)
        found = [initiative_id for initiative_id in found if initiative_id not in listed]
        listed.update(found)
        if found:
            yield found
        if cursor is None:
            return
        page = page.model_copy(update={"cursor": cursor})


def iter_all(session: Session, *, include_archived: bool, batch_size: int) -> Iterator[list[uuid.UUID]]:
    """The ids of every initiative in id order, a batch at a time (for exports)."""
    statement = select(col(Initiative.id)).order_by(col(Initiative.id)).limit(batch_size)
    if not include_archived:
        statement = statement.where(COUNTED)
    batch = list(session.connection().execute(statement).scalars())
    while batch:
        yield batch
        batch = list(session.connection().execute(statement.where(col(Initiative.id) > batch[-1])).scalars())


def _filtered(session: Session, query: InitiativeQuery) -> Select:
    return list_query.filtered(
        query, list_query.common_search_terms(session, query.q), derived.conditions(session, query)
    )


# Representations -----------------------------------------------------------------------------


class _Read(NamedTuple):
    """One initiative as read: its document and version, and its derived fields' values."""

    version: int
    body: str
    derived: list[tuple[str, Any]]


def representations(session: Session, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    """Initiatives in `InitiativeRead`'s shape as plain values (JSON types), derived fields
    included, in the order of `ids` (unknown ids left out)."""
    found = _read(session, ids)
    return [{**from_json(found[i].body), **dict(found[i].derived)} for i in ids if i in found]


def representation_json(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[bytes, int]]:
    """Each initiative's representation as JSON, with its version, written by joining its
    stored document with the derived fields: no model is built or validated (a test holds this
    equal to `InitiativeRead`). The derived fields are the last fields of `InitiativeRead`.
    By id, in the order of `ids`; unknown ids are left out."""
    found = _read(session, ids)
    return {
        i: (
            found[i].body[:-1].encode()
            + b"".join(b',"' + name.encode() + b'":' + to_json(value) for name, value in found[i].derived)
            + b"}",
            found[i].version,
        )
        for i in ids
        if i in found
    }


def own_representations(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The stored documents of these initiatives, as values, without the derived fields: what a
    report listing them needs, in one query."""
    return documents.current(session, list(set(ids)))


def reads(session: Session, ids: Sequence[uuid.UUID]) -> list[InitiativeRead]:
    """Initiatives as validated `InitiativeRead` models, for callers that need the model."""
    return [InitiativeRead.model_validate(values) for values in representations(session, ids)]


def read(session: Session, initiative_id: uuid.UUID) -> InitiativeRead | None:
    found = reads(session, [initiative_id])
    return found[0] if found else None


def _read(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, _Read]:
    """The documents of these initiatives with every derived field, in one statement."""
    if not ids:
        return {}
    statement, parts = _read_statement(tuple(derived.registered()))
    prepared = [(derivation.field, derivation.prepare(session, ids), columns) for derivation, columns in parts]
    parameters: dict[str, Any] = {"ids": list(ids)}
    for _field, ready, _columns in prepared:
        parameters |= ready.parameters
    found = {}
    for row in session.connection().execute(statement, parameters):
        values = [(field, to_jsonable_python(ready.value(row[0], row[columns]))) for field, ready, columns in prepared]
        found[row[0]] = _Read(row[1], row[2], values)
    return found


@lru_cache(maxsize=4)
def _read_statement(
    derivations: tuple[derived.Derivation, ...],
) -> tuple[Select, list[tuple[derived.Derivation, slice]]]:
    """The statement reading documents with every derivation's columns, built once; and where
    each derivation's columns are in its rows. Derivations in `InitiativeRead`'s field order."""
    ordered = sorted(derivations, key=lambda derivation: documents.READ_FIELDS.index(derivation.field))
    columns: list[Any] = [
        col(InitiativeDocument.initiative_id),
        col(InitiativeDocument.version),
        col(InitiativeDocument.body),
    ]
    parts = []
    for derivation in ordered:
        own = list(derivation.columns())
        parts.append((derivation, slice(len(columns), len(columns) + len(own))))
        columns += own
    statement = (
        select(*columns)
        .join_from(InitiativeDocument, Initiative, col(InitiativeDocument.initiative_id) == col(Initiative.id))
        .where(col(InitiativeDocument.initiative_id).in_(bindparam("ids", expanding=True)))
    )
    return statement, parts


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


def facet_counts(session: Session, query: InitiativeQuery, *, counted_only: bool = False) -> Facets:
    """Counts for each filter's choices; each facet ignores its own filter, so choices combine
    sensibly. With `counted_only`, only initiatives that count (`COUNTED`): the site's totals."""
    counted = (COUNTED,) if counted_only else ()
    by_owner = _owner_counts(session, query.model_copy(update={"organisation": None}), counted)
    labels = organisation_service.labels_by_code(session, by_owner)
    names = sorted(((code, labels[code].name, count) for code, count in by_owner.items()), key=lambda i: i[1])
    return Facets(
        total=_total(session, query, counted),
        status=FACETS["status"](session, query, counted),
        category=FACETS["category"](session, query, counted),
        county=FACETS["county"](session, query, counted),
        organisation=names,
        flag=FACETS["flag"](session, query, counted),
    )


def counts_for(session: Session, query: InitiativeQuery) -> dict[str, Any]:
    """What the API's list adds when asked (`facets`, `include_total`): counts per value of each
    named facet, and the total, under the query's filters."""
    counted: dict[str, Any] = {}
    if query.facets:
        counted["facets"] = {name: FACETS[name](session, query, ()) for name in dict.fromkeys(query.facets)}
    if query.include_total:
        counted["total"] = _total(session, query, ())
    return counted


def owned_counts(session: Session) -> dict[str, int]:
    """How many initiatives that count (`COUNTED`) each organisation owns."""
    return _owner_counts(session, InitiativeQuery(), (COUNTED,))


Conditions = tuple[ColumnElement[bool], ...]


def _unpaged(session: Session, query: InitiativeQuery, conditions: Conditions) -> Select:
    return _filtered(session, query.model_copy(update={"cursor": None})).where(*conditions)


def _total(session: Session, query: InitiativeQuery, conditions: Conditions) -> int:
    return session.execute(_unpaged(session, query, conditions).with_only_columns(func.count())).scalar_one()


def _counts(session: Session, query: InitiativeQuery, column, conditions: Conditions) -> dict[str, int]:
    grouped = _unpaged(session, query, conditions).with_only_columns(column, func.count()).group_by(column)
    return {str(value): count for value, count in session.execute(grouped) if value is not None}


def _owner_counts(session: Session, query: InitiativeQuery, conditions: Conditions) -> dict[str, int]:
    return _counts(session, query, Initiative.owner_code, conditions)


def _concept_counts(session: Session, query: InitiativeQuery, conditions: Conditions) -> dict[str, int]:
    """Initiatives annotated with each concept (or a narrower one), by concept id."""
    admitted = _unpaged(session, query, conditions).with_only_columns(col(Initiative.id))
    term = col(InitiativeTerm.term)
    grouped = (
        select(term, func.count())
        .where(term >= search.CONCEPT_PREFIX, term < CONCEPT_TERMS_END, col(InitiativeTerm.initiative_id).in_(admitted))
        .group_by(term)
    )
    return {value.removeprefix(search.CONCEPT_PREFIX): count for value, count in session.execute(grouped)}


def _county_counts(session: Session, query: InitiativeQuery, conditions: Conditions) -> dict[str, int]:
    """Per county, its owners' initiatives; a federation spanning counties counts in each, as
    the county filter finds it in each."""
    by_owner = _owner_counts(session, query, conditions)
    counties: dict[str, int] = defaultdict(int)
    in_counties = organisation_service.county_codes_by_code(session)
    for code, count in by_owner.items():
        for county in in_counties.get(code, ()):
            counties[county] += count
    return dict(counties)


# Each facet ignores its own filter, so its choices combine with the others.
FACETS: dict[str, Callable[[Session, InitiativeQuery, Conditions], dict[str, int]]] = {
    "status": lambda session, query, conditions: _counts(
        session, query.model_copy(update={"status": []}), Initiative.status, conditions
    ),
    "category": lambda session, query, conditions: _counts(
        session, query.model_copy(update={"category": []}), Initiative.category, conditions
    ),
    "county": lambda session, query, conditions: _county_counts(
        session, query.model_copy(update={"county": None}), conditions
    ),
    "concept": lambda session, query, conditions: _concept_counts(
        session, query.model_copy(update={"concept": []}), conditions
    ),
    "flag": lambda session, query, conditions: {
        flag.value: _total(session, query.model_copy(update={"flag": [flag]}), conditions) for flag in Flag
    },
}
CONCEPT_TERMS_END = chr(ord(search.CONCEPT_PREFIX) + 1)  # concept terms sort between the prefix and this


# What the analytics read -------------------------------------------------------------------

IN_LIST_CHUNK = 5_000  # ids in one IN list: under every engine's limit on bound parameters


TEXT_COLUMNS = tuple(getattr(Initiative, name) for name in Text._fields if name != "tags")
SPEND_COLUMNS = tuple(getattr(Initiative, name) for name in Spend._fields)
STANDING_COLUMNS = tuple(getattr(Initiative, name) for name in Standing._fields)


def live_texts(session: Session, ids: Iterable[uuid.UUID]) -> list[Text]:
    """The texts of the live initiatives among `ids`."""
    wanted = list(ids)
    return _with_tags(session, select(*TEXT_COLUMNS).where(COUNTED, col(Initiative.id).in_(wanted)))


def live_text_page(session: Session, after: uuid.UUID | None, limit: int) -> list[Text]:
    """Live initiatives' texts in id order, the first `limit` after `after`: a walk through all."""
    statement = select(*TEXT_COLUMNS).where(COUNTED).order_by(col(Initiative.id)).limit(limit)
    if after is not None:
        statement = statement.where(col(Initiative.id) > after)
    return _with_tags(session, statement)


def _with_tags(session: Session, statement: Select) -> list[Text]:
    rows = session.connection().execute(statement).all()
    tag_rows = (
        select(InitiativeTag.initiative_id, InitiativeTag.tag)
        .where(col(InitiativeTag.initiative_id).in_([row.id for row in rows]))
        .order_by(InitiativeTag.tag)
    )
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    for initiative_id, tag in session.connection().execute(tag_rows):
        tags[initiative_id].append(tag)
    return [Text._make((*row, tuple(tags.get(row.id, ())))) for row in rows]


def standings(session: Session, ids: Iterable[uuid.UUID]) -> list[Standing]:
    """Where the live initiatives among `ids` stand: owner, status, category, money."""
    wanted, found = list(ids), []
    for start in range(0, len(wanted), IN_LIST_CHUNK):
        statement = select(*STANDING_COLUMNS).where(
            COUNTED, col(Initiative.id).in_(wanted[start : start + IN_LIST_CHUNK])
        )
        found += [Standing(*row) for row in session.connection().execute(statement)]
    return found


def proven(session: Session) -> list[Standing]:
    """Every live initiative in operation or scaled with a realised benefit above 0."""
    statement = select(*STANDING_COLUMNS).where(
        COUNTED,
        col(Initiative.status).in_(OPERATING_STATUSES),
        col(Initiative.realised_benefit_sek_per_year) > 0,
    )
    return [Standing(*row) for row in session.connection().execute(statement)]


def reporting_owners(session: Session, since: datetime) -> set[str]:
    """Organisations that registered an initiative (any, archived too) on or after `since`."""
    statement = select(Initiative.owner_code).where(col(Initiative.created_at) >= since).distinct()
    return set(session.connection().execute(statement).scalars())


def participations(
    session: Session, ids: Iterable[uuid.UUID] | None = None, *, confirmed_only: bool
) -> list[Participation]:
    """Who takes part in which initiative: all of them, or those among `ids`. With
    `confirmed_only`, only participation its organisation confirmed: what analytics count (a
    participant the owner listed is a claim until then)."""
    statement = _participations_statement(ids is not None, confirmed_only)
    found = session.connection().execute(statement, {} if ids is None else {"ids": list(ids)})
    return [
        Participation(initiative_id, organisation_code, ParticipantRole(role), ParticipationStatus(status))
        for initiative_id, organisation_code, role, status in found
    ]


@lru_cache(maxsize=4)
def _participations_statement(by_id: bool, confirmed_only: bool) -> Select:
    statement = select(
        InitiativeParticipant.initiative_id,
        InitiativeParticipant.organisation_code,
        InitiativeParticipant.role,
        InitiativeParticipant.status,
    )
    if by_id:
        statement = statement.where(col(InitiativeParticipant.initiative_id).in_(bindparam("ids", expanding=True)))
    if confirmed_only:
        statement = statement.where(InitiativeParticipant.status == ParticipationStatus.confirmed)
    return statement


def open_claims(session: Session, organisation_code: str) -> list[uuid.UUID]:
    """The initiatives that count (`COUNTED`) and list the organisation as a participant it has not
    yet answered, the oldest first."""
    statement = (
        select(InitiativeParticipant.initiative_id)
        .join(Initiative, col(Initiative.id) == InitiativeParticipant.initiative_id)
        .where(
            InitiativeParticipant.organisation_code == organisation_code,
            InitiativeParticipant.status == ParticipationStatus.claimed,
            COUNTED,
        )
        .order_by(col(Initiative.created_at), col(Initiative.id))
    )
    return list(session.connection().execute(statement).scalars())


def owned(session: Session, owner_code: str) -> list[InitiativeRow]:
    """The organisation's live initiatives, by title."""
    statement = select(*COLUMNS).where(Initiative.owner_code == owner_code, COUNTED).order_by(Initiative.title)
    return [InitiativeRow(*row) for row in session.connection().execute(statement)]


def spending(session: Session, owner_codes: Iterable[str]) -> list[Spend]:
    """The live initiatives of these owners, with what their KPIs count."""
    statement = select(*SPEND_COLUMNS).where(col(Initiative.owner_code).in_(list(owner_codes)), COUNTED)
    return [Spend(*row) for row in session.connection().execute(statement)]


def benefiting(session: Session) -> list[Standing]:
    """Every live initiative with a realised benefit above 0, whatever its status: the proven
    initiatives of any moment are among them (`proven` is today's)."""
    statement = select(*STANDING_COLUMNS).where(COUNTED, col(Initiative.realised_benefit_sek_per_year) > 0)
    return [Standing(*row) for row in session.connection().execute(statement)]


def status_histories(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[DatedStatus]]:
    """The dated status history of each of these initiatives, in the order of the days each entry
    is known from (same day: in the order recorded); an initiative without any is left out."""
    wanted, found = list(ids), defaultdict(list)
    for start in range(0, len(wanted), IN_LIST_CHUNK):
        statement = (
            select(
                col(StatusChange.initiative_id),
                col(StatusChange.changed_date),
                col(StatusChange.status),
                col(StatusChange.recorded_at),
            )
            .where(col(StatusChange.initiative_id).in_(wanted[start : start + IN_LIST_CHUNK]))
            .order_by(col(StatusChange.id))
        )
        for initiative_id, changed_date, status, recorded_at in session.connection().execute(statement):
            found[initiative_id].append(DatedStatus(changed_date, InitiativeStatus(status), recorded_at.date()))
    return {key: sorted(history, key=lambda entry: entry.known_from) for key, history in found.items()}


def published_by(session: Session, source: str) -> dict[str, uuid.UUID]:
    """The records a source publishes now (not withdrawn), by their external id."""
    statement = select(Initiative.external_id, Initiative.id).where(
        Initiative.source == source, col(Initiative.is_withdrawn_at_source).is_(False)
    )
    return dict(session.connection().execute(statement).all())


def exists_any(session: Session) -> bool:
    return session.execute(select(Initiative.id).limit(1)).first() is not None


def exists_demo(session: Session) -> bool:
    """Whether the demo loader's initiatives are in the registry (every web page says so)."""
    return session.execute(select(Initiative.id).where(col(Initiative.is_demo)).limit(1)).first() is not None


def demo_ids(session: Session) -> list[uuid.UUID]:
    return list(session.exec(select(Initiative.id).where(col(Initiative.is_demo))))
