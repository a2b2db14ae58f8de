"""Initiative documents: each initiative as the API reads it, rendered at every write.

A document holds an initiative's own fields, its participants, tags and status history and
its owner's name and county, in `InitiativeRead`'s field order, as JSON text. The fields other
domains derive (`app.initiatives.derived`) are not in it: they change without a write to the
initiative, and are added at read time. The change feed records the same document, so a
partner's mirror and the API agree by construction.

Every write renders and stores the documents of the initiatives it touched, in its own
transaction. `write_missing` fills in documents for initiatives that predate them (migration
0004), and `rewrite_owned_by` refreshes those whose owner's name or county changed.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic_core import from_json, to_json, to_jsonable_python
from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlmodel import Session, col

from app.core.db import bulk_insert, delete_rows
from app.initiatives.models import Initiative, InitiativeDocument, InitiativeParticipant, InitiativeTag, StatusChange
from app.initiatives.records import COLUMNS, InitiativeRow
from app.initiatives.schemas import InitiativeRead
from app.language import search
from app.language.vocabulary import vocabulary, vocabulary_digest
from app.organisations import service as organisation_service
from app.organisations.service import Label

READ_FIELDS = tuple(InitiativeRead.model_fields)
OWN_READ_FIELDS = frozenset(READ_FIELDS) & frozenset(InitiativeRow._fields)
BATCH = 500

# Built once: constructing a statement costs more than running it on a page's hot path.
_IDS: BindParameter[list[uuid.UUID]] = bindparam("ids", expanding=True)
PARTICIPANT_ROWS = (
    select(
        col(InitiativeParticipant.initiative_id),
        col(InitiativeParticipant.organisation_code),
        col(InitiativeParticipant.role),
        col(InitiativeParticipant.contribution_sek),
        col(InitiativeParticipant.steering_seats),
        col(InitiativeParticipant.status),
    )
    .where(col(InitiativeParticipant.initiative_id).in_(_IDS))
    .order_by(col(InitiativeParticipant.organisation_code))
)
TAG_ROWS = (
    select(col(InitiativeTag.initiative_id), col(InitiativeTag.tag))
    .where(col(InitiativeTag.initiative_id).in_(_IDS))
    .order_by(col(InitiativeTag.tag))
)
STATUS_ROWS = (
    select(col(StatusChange.initiative_id), col(StatusChange.status), col(StatusChange.changed_date))
    .where(col(StatusChange.initiative_id).in_(_IDS))
    .order_by(col(StatusChange.id))
)
STORED = select(
    col(InitiativeDocument.initiative_id), col(InitiativeDocument.version), col(InitiativeDocument.body)
).where(col(InitiativeDocument.initiative_id).in_(_IDS))


class Stored(NamedTuple):
    version: int
    body: str  # JSON


def stored(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Stored]:
    """The stored documents of these initiatives (those that exist), with their versions."""
    if not ids:
        return {}
    return {row[0]: Stored(row[1], row[2]) for row in session.connection().execute(STORED, {"ids": list(ids)})}


def current(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The stored documents of these initiatives, as values."""
    return {initiative_id: from_json(found.body) for initiative_id, found in stored(session, ids).items()}


def write(session: Session, rows: Sequence[InitiativeRow]) -> dict[uuid.UUID, dict[str, Any]]:
    """Render and store the documents of these initiatives; returns them as values."""
    rendered = render(session, rows)
    delete_rows(session, InitiativeDocument, "initiative_id", rendered)
    annotated_with = vocabulary().digest
    bulk_insert(
        session,
        InitiativeDocument,
        [
            {
                "initiative_id": i,
                "version": values["version"],
                "body": to_json(values).decode(),
                "vocabulary": annotated_with,
            }
            for i, values in rendered.items()
        ],
    )
    return {initiative_id: to_jsonable_python(values) for initiative_id, values in rendered.items()}


def write_missing(session: Session) -> int:
    """Write the documents of initiatives that have none, a batch at a time; returns how many."""
    # NOT EXISTS, not NOT IN: before statistics exist (right after a bulk load), PostgreSQL plans
    # NOT IN over a large table as a scan of it per row, which took 37 s at 50,000 initiatives.
    has_document = select(col(InitiativeDocument.initiative_id)).where(
        col(InitiativeDocument.initiative_id) == col(Initiative.id)
    )
    missing = select(*COLUMNS).where(~has_document.exists()).limit(BATCH)
    return _write_batches(session, missing)


def rewrite_owned_by(session: Session, owner_codes: Iterable[str]) -> int:
    """Write again the documents of these owners' initiatives (their name or county changed)."""
    owned = select(*COLUMNS).where(col(Initiative.owner_code).in_(list(owner_codes))).order_by(col(Initiative.id))
    written, after = 0, None
    while True:
        batch = [
            InitiativeRow(*row)
            for row in session.connection().execute(
                (owned if after is None else owned.where(col(Initiative.id) > after)).limit(BATCH)
            )
        ]
        if not batch:
            return written
        write(session, batch)
        written, after = written + len(batch), batch[-1].id


def _write_batches(session: Session, missing: Select) -> int:
    written = 0
    while batch := [InitiativeRow(*row) for row in session.connection().execute(missing)]:
        write(session, batch)
        written += len(batch)
    return written


def render(session: Session, rows: Sequence[InitiativeRow]) -> dict[uuid.UUID, dict[str, Any]]:
    """The documents of these initiatives, in a fixed number of queries for any number."""
    owners = organisation_service.labels_by_code(session, (row.owner_code for row in rows))
    related = _related(session, [row.id for row in rows])
    return {row.id: _document(row, owners[row.owner_code], related[row.id]) for row in rows}


@dataclass
class _Related:
    participants: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status_history: list[dict[str, Any]] = field(default_factory=list)


def _related(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, _Related]:
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
                "status": row.status,
            }
        )
    for initiative_id, tag in connection.execute(TAG_ROWS, page):
        related[initiative_id].tags.append(tag)
    for initiative_id, status, changed_date in connection.execute(STATUS_ROWS, page):
        related[initiative_id].status_history.append({"status": status, "changed_date": changed_date})
    return related


def searchable_text(title: str, summary: str | None, description: str | None, tags: Iterable[str]) -> str:
    """The text an initiative is found by and annotated from."""
    return " ".join(filter(None, [title, summary, description, *tags]))


def count_stale(session: Session) -> int:
    statement = select(func.count()).where(col(InitiativeDocument.vocabulary) != vocabulary_digest())
    return session.connection().execute(statement).scalar_one()


def stale(session: Session, limit: int) -> list[uuid.UUID]:
    """Initiatives whose documents were annotated with another vocabulary than the current one."""
    statement = (
        select(col(InitiativeDocument.initiative_id))
        .where(col(InitiativeDocument.vocabulary) != vocabulary_digest())
        .limit(limit)
    )
    return list(session.connection().execute(statement).scalars())


def _document(row: InitiativeRow, owner: Label, related: _Related) -> dict[str, Any]:
    """`InitiativeRead`'s own fields in its order."""
    concepts = vocabulary().concepts
    named = search.named_concepts(searchable_text(row.title, row.summary, row.description, related.tags))
    values = {
        "owner": row.owner_code,
        "owner_name": owner.name,
        "county_code": owner.county_code,
        "participants": related.participants,
        "tags": related.tags,
        "concepts": [{"id": concept, "label": concepts[concept].pref_label} for concept in named],
        "status_history": related.status_history,
        **{name: getattr(row, name) for name in OWN_READ_FIELDS},
    }
    return {name: values[name] for name in READ_FIELDS if name in values}
