"""The shared pipeline: fetch → parse → map → validate → resolve organisations → upsert → report.

Adapters fetch and parse (they know their source); everything after that is here, the same
for every source of initiatives:

- A record that cannot be mapped, validated or resolved is rejected on its own, with its
  location and reason; the rest import.
- Records are upserted on (source, external id): new ones together through
  `initiative_service.create_many_from_source`, changed ones through `upsert_from_source`,
  one transaction per batch. A record equal to the stored one (apart from fields edited in
  the registry since, which the registry owns) is counted unchanged without a write; this is
  checked for a whole batch with a handful of queries, so a re-run of an unchanged source is fast.
- After a complete (not incremental) fetch, initiatives the source no longer publishes are
  marked withdrawn at source, never deleted. A rejected record still counts as published.
- A dry run does all of it inside transactions that are rolled back: the counts are exact,
  nothing is written.
"""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.auth.caller import IMPORTER
from app.core.db import session_scope, writing
from app.core.problems import Problem
from app.imports.schemas import ImportCounts
from app.imports.service import Rejection, Validators
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative, InitiativeParticipant, InitiativeTag
from app.initiatives.schemas import InitiativeCreate
from importers.mapping import MappedRecord, Mapping
from importers.parsers import SourceRecord
from importers.resolve import OrganisationResolver, Unresolved
from importers.settings import ImporterSettings

T = TypeVar("T")
# Fields the source owns that are plain columns of the initiative table.
COLUMN_FIELDS = tuple(
    name
    for name in initiative_service.WRITABLE_FIELDS
    if name not in ("owner", "participants", "tags") and hasattr(Initiative, name)
)
PARTICIPANT_ROLE = "partner"
SHOWN_INPUT = 80  # characters of a rejected value quoted in the reason


class ImportFailed(Exception):
    """The run as a whole cannot go on; its message is recorded as the run's error."""


class Progress(Protocol):
    def start(self, description: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


class Silent:
    def start(self, description: str, total: int) -> None:
        """Nobody is watching: nothing to show."""

    def advance(self, count: int) -> None:
        """Nobody is watching: nothing to show."""


@dataclass
class Tally:
    """What a run did so far; the runner records it even when the run fails half-way."""

    counts: ImportCounts = field(default_factory=ImportCounts)
    rejections: list[Rejection] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    validators: list[Validators] = field(default_factory=list)
    is_not_modified: bool = False

    def reject(self, location: str, external_id: str | None, reason: str) -> None:
        self.rejections.append(Rejection(location, external_id, reason))
        self.counts.rejected += 1


@dataclass
class RunContext:
    engine: Engine
    settings: ImporterSettings
    is_dry_run: bool = False
    tally: Tally = field(default_factory=Tally)
    progress: Progress = field(default_factory=Silent)


@dataclass(frozen=True)
class Candidate:
    location: str
    external_id: str
    data: InitiativeCreate


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def batch_session(context: RunContext) -> Iterator[Session]:
    """One transaction for one batch: committed, or for a dry run always rolled back."""
    if not context.is_dry_run:
        with session_scope(context.engine) as session:
            yield session
        return
    with Session(writing(context.engine), expire_on_commit=False) as session:
        session.begin()
        try:
            yield session
        finally:
            session.rollback()


def import_initiatives(
    context: RunContext,
    source: str,
    records: list[SourceRecord],
    mapping: Mapping,
    *,
    default_owner: str | None = None,
    is_complete: bool = True,
) -> None:
    context.tally.counts.fetched = len(records)
    with session_scope(context.engine, write=False) as session:
        resolver = OrganisationResolver.load(session)
    candidates, published = prepare(records, mapping, resolver, default_owner, context.tally)
    if is_complete and not published:
        _refuse_empty_source(context, source)
    context.progress.start(f"Importing {source}", len(candidates))
    for batch in chunks(candidates, context.settings.batch_size):
        with batch_session(context) as session:
            upsert_batch(session, source, batch, context.tally)
        context.progress.advance(len(batch))
    if is_complete:
        withdraw_missing(context, source, published)


def prepare(
    records: list[SourceRecord],
    mapping: Mapping,
    resolver: OrganisationResolver,
    default_owner: str | None,
    tally: Tally,
) -> tuple[list[Candidate], set[str]]:
    """Map, validate and resolve every record; returns the valid ones and every id the source published."""
    candidates: list[Candidate] = []
    first_seen: dict[str, str] = {}
    for record in records:
        external_id = mapping.identify(record.data)
        try:
            _check_identity(external_id, first_seen, record.location)
            mapped = mapping.apply(record.data)
            data = _validated(mapped, resolver, default_owner)
            candidates.append(Candidate(record.location, mapped.external_id, data))
        except ValueError as error:
            tally.reject(record.location, external_id, str(error))
    return candidates, set(first_seen)


def _check_identity(external_id: str | None, first_seen: dict[str, str], location: str) -> None:
    if external_id is None:
        raise ValueError("the record has no id (map `external_id`, or set `id_from_title` for spreadsheets)")
    if external_id in first_seen:
        raise ValueError(f"the id {external_id!r} appears again; first at {first_seen[external_id]}")
    first_seen[external_id] = location


def _validated(mapped: MappedRecord, resolver: OrganisationResolver, default_owner: str | None) -> InitiativeCreate:
    try:
        owner = resolver.resolve(mapped.owner or default_owner or "")
        partners = [resolver.resolve(reference) for reference in mapped.participants]
    except Unresolved as error:
        raise ValueError(f"organisation: {error}") from None
    participants = [
        {"organisation": code, "role": PARTICIPANT_ROLE} for code in dict.fromkeys(partners) if code != owner
    ]
    try:
        data = InitiativeCreate.model_validate({**mapped.fields, "owner": owner, "participants": participants})
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise ValueError(f"end_date: {data.end_date} is before start_date {data.start_date}")
    return data


def describe_validation_error(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'record'}: {item['msg']}"
        + (f" (got {_shortened(item['input'])!r})" if isinstance(item.get("input"), (str, int, float)) else "")
        for item in error.errors()
    )


def _shortened(value: object) -> object:
    return f"{value[:SHOWN_INPUT]}…" if isinstance(value, str) and len(value) > SHOWN_INPUT else value


def _refuse_empty_source(context: RunContext, source: str) -> None:
    with session_scope(context.engine, write=False) as session:
        held = session.exec(
            select(Initiative.id).where(Initiative.source == source, col(Initiative.is_withdrawn_at_source).is_(False))
        ).first()
    if held is not None:
        raise ImportFailed(
            f"{source} returned no record with an id; refusing to mark everything it published "
            "withdrawn. Has the source's format changed?"
        )


@dataclass(frozen=True)
class StoredState:
    """An imported initiative's source-owned fields as stored, in the form the service compares."""

    version: int
    is_withdrawn_at_source: bool
    registry_edited_fields: frozenset[str]
    fields: dict[str, Any]


def upsert_batch(session: Session, source: str, batch: Sequence[Candidate], tally: Tally) -> None:
    stored = stored_states(session, source, [candidate.external_id for candidate in batch])
    create_new(session, source, [candidate for candidate in batch if candidate.external_id not in stored], tally)
    for candidate in batch:
        current = stored.get(candidate.external_id)
        if current is None:
            continue
        if is_unchanged(current, candidate.data):
            tally.counts.unchanged += 1
            continue
        try:
            initiative, created = initiative_service.upsert_from_source(
                session, source, candidate.external_id, candidate.data, IMPORTER
            )
        except Problem as problem:
            tally.reject(candidate.location, candidate.external_id, problem.detail or problem.title)
            continue
        _count(tally.counts, created, current.version if current else None, initiative.version)


def create_new(session: Session, source: str, fresh: Sequence[Candidate], tally: Tally) -> None:
    """Records the registry has not seen, created together; when one of them is invalid, one
    at a time instead, so that only it is rejected."""
    if not fresh:
        return
    try:
        with session.begin_nested():
            initiative_service.create_many_from_source(
                session, source, [(candidate.external_id, candidate.data) for candidate in fresh], IMPORTER
            )
        tally.counts.created += len(fresh)
    except Problem:
        for candidate in fresh:
            _create_one(session, source, candidate, tally)


def _create_one(session: Session, source: str, candidate: Candidate, tally: Tally) -> None:
    try:
        with session.begin_nested():
            initiative_service.create_many_from_source(
                session, source, [(candidate.external_id, candidate.data)], IMPORTER
            )
        tally.counts.created += 1
    except Problem as problem:
        tally.reject(candidate.location, candidate.external_id, problem.detail or problem.title)


def _count(counts: ImportCounts, created: bool, version_before: int | None, version_after: int) -> None:
    if created:
        counts.created += 1
    elif version_before != version_after:
        counts.updated += 1
    else:
        counts.unchanged += 1


def stored_states(session: Session, source: str, external_ids: list[str]) -> dict[str, StoredState]:
    """The batch's stored initiatives, read as plain rows in three queries.

    Plain rows, not ORM objects with their relationships: building 50,000 initiatives with
    tags and status history costs more than the whole comparison.
    """
    columns = [getattr(Initiative, name) for name in COLUMN_FIELDS]
    rows = session.execute(
        select(
            Initiative.id,
            Initiative.external_id,
            Initiative.version,
            Initiative.is_withdrawn_at_source,
            Initiative.registry_edited_fields,
            Initiative.owner_code,
            *columns,
        ).where(Initiative.source == source, col(Initiative.external_id).in_(external_ids))
    ).all()
    ids = [row[0] for row in rows]
    tags, participants = _tags_of(session, ids), _participants_of(session, ids)
    return {
        row[1]: StoredState(
            version=row[2],
            is_withdrawn_at_source=row[3],
            registry_edited_fields=frozenset(row[4] or ()),
            fields=to_jsonable_python(
                {
                    **dict(zip(COLUMN_FIELDS, row[6:], strict=True)),
                    "owner": row[5],
                    "tags": sorted(tags.get(row[0], [])),
                    "participants": participants.get(row[0], []),
                }
            ),
        )
        for row in rows
    }


def _tags_of(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = {}
    for initiative_id, tag in session.execute(
        select(InitiativeTag.initiative_id, InitiativeTag.tag).where(col(InitiativeTag.initiative_id).in_(ids))
    ):
        found.setdefault(initiative_id, []).append(tag)
    return found


def _participants_of(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    query = select(
        InitiativeParticipant.initiative_id,
        InitiativeParticipant.organisation_code,
        InitiativeParticipant.role,
        InitiativeParticipant.contribution_sek,
        InitiativeParticipant.steering_seats,
    ).where(col(InitiativeParticipant.initiative_id).in_(ids))
    for initiative_id, organisation, role, contribution_sek, steering_seats in session.execute(query):
        found.setdefault(initiative_id, []).append(
            {
                "organisation": organisation,
                "role": role,
                "contribution_sek": contribution_sek,
                "steering_seats": steering_seats,
            }
        )
    return found


def is_unchanged(stored: StoredState, incoming: InitiativeCreate) -> bool:
    """Whether an upsert would change nothing: every source-owned field equal, and not withdrawn.

    Compares the same stored forms the service compares (JSON values, tags and participants
    sorted), so a record that differs only in fields edited in the registry is unchanged.
    When in doubt it says "changed", and the service, which decides, finds nothing to do.
    """
    if stored.is_withdrawn_at_source:
        return False
    want = incoming.model_dump(mode="json")
    return all(
        _comparable(name, stored.fields.get(name)) == _comparable(name, want.get(name))
        for name in initiative_service.WRITABLE_FIELDS
        if name not in stored.registry_edited_fields
    )


def _comparable(name: str, value: Any) -> Any:
    if name == "tags":
        return sorted(set(value or []))
    if name == "participants":
        return sorted(
            (
                {key: item.get(key) for key in ("organisation", "role", "contribution_sek", "steering_seats")}
                for item in value or []
            ),
            key=lambda item: item["organisation"],
        )
    if name in ("benefit_evidence", "strategy_refs", "links"):
        return value or []
    return value


def withdraw_missing(context: RunContext, source: str, published: set[str]) -> None:
    """Flag initiatives of the source that this complete fetch no longer contains."""
    with session_scope(context.engine, write=False) as session:
        rows = session.exec(
            select(Initiative.id, Initiative.external_id).where(
                Initiative.source == source, col(Initiative.is_withdrawn_at_source).is_(False)
            )
        ).all()
    gone = [initiative_id for initiative_id, external_id in rows if external_id not in published]
    for batch in chunks(gone, context.settings.batch_size):
        with batch_session(context) as session:
            for initiative in initiative_service.load(session, list(batch)):
                initiative_service.mark_withdrawn_at_source(session, initiative, IMPORTER)
        context.tally.counts.withdrawn += len(batch)
