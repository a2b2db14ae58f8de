"""The shared pipeline: fetch → parse → map → validate → resolve organisations → upsert → report.

Adapters fetch and parse (they know their source); everything after that is here, the same
for every source of initiatives:

- A record that cannot be mapped, validated or resolved is rejected on its own, with its
  location and reason; the rest import.
- Records are upserted on (source, external id) through the registry's one write path,
  `initiative_service.upsert_from_source`, one transaction per batch: new records are created
  together, a record equal to the stored one (apart from fields edited in the registry since,
  which the registry owns) is counted unchanged without a write, and a record the registry
  refuses is rejected on its own. A batch is compared with a handful of queries, so a re-run
  of an unchanged source is fast.
- After a complete (not incremental) fetch, initiatives the source no longer publishes are
  marked withdrawn at source, never deleted. A rejected record still counts as published.
- A dry run does all of it inside transactions that are rolled back: the counts are exact,
  nothing is written.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.caller import IMPORTER
from app.core.db import session_scope, writing
from app.imports.schemas import ImportCounts
from app.imports.service import Rejection, Validators
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.schemas import InitiativeCreate
from importers.mapping import MappedRecord, Mapping
from importers.parsers import SourceRecord
from importers.resolve import OrganisationResolver, Unresolved
from importers.settings import ImporterSettings

T = TypeVar("T")
PARTICIPANT_ROLE = "partner"
SHOWN_INPUT = 80  # characters of a rejected value quoted in the reason


class ImportFailed(Exception):
    """The run as a whole cannot go on; its message is recorded as the run's error."""


class Progress(Protocol):
    def start(self, description: str, total: int | None) -> None:
        """A new phase; `total` is None when it is not known in advance (pages still to come)."""

    def advance(self, count: int) -> None: ...


class Silent:
    def start(self, description: str, total: int | None) -> None:
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

    def add(self, other: "Tally") -> None:
        """Take over what a committed batch did (counted apart, so a batch whose transaction
        failed is not counted as written)."""
        for name, value in other.counts.model_dump().items():
            setattr(self.counts, name, getattr(self.counts, name) + value)
        self.rejections.extend(other.rejections)


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
        written = Tally()
        with batch_session(context) as session:
            upsert_batch(session, source, batch, written)
        context.tally.add(written)
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
            identity = _checked_identity(external_id, first_seen, record.location)
            mapped = mapping.apply(record.data)
            data = _validated(mapped, resolver, default_owner)
            candidates.append(Candidate(record.location, identity, data))
        except ValueError as error:
            tally.reject(record.location, external_id, str(error))
    return candidates, set(first_seen)


def _checked_identity(external_id: str | None, first_seen: dict[str, str], location: str) -> str:
    """The record's id, when it has one no earlier record had."""
    if external_id is None:
        raise ValueError("the record has no id (map `external_id`, or set `id_from_title` for spreadsheets)")
    if external_id in first_seen:
        raise ValueError(f"the id {external_id!r} appears again; first at {first_seen[external_id]}")
    first_seen[external_id] = location
    return external_id


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
        held = initiative_reads.published_by(session, source)
    if held:
        raise ImportFailed(
            f"{source} returned no record with an id; refusing to mark everything it published "
            "withdrawn. Has the source's format changed?"
        )


def upsert_batch(session: Session, source: str, batch: Sequence[Candidate], tally: Tally) -> None:
    """Write a batch through the registry's one write path; count what happened to each record."""
    results = initiative_service.upsert_from_source(
        session, source, [(candidate.external_id, candidate.data) for candidate in batch], IMPORTER
    )
    for candidate, result in zip(batch, results, strict=True):
        if result.problem is not None:
            tally.reject(candidate.location, candidate.external_id, result.problem.detail or result.problem.title)
        else:
            setattr(tally.counts, result.outcome, getattr(tally.counts, result.outcome) + 1)


def withdraw_missing(context: RunContext, source: str, published: set[str]) -> None:
    """Flag initiatives of the source that this complete fetch no longer contains."""
    with session_scope(context.engine, write=False) as session:
        held = initiative_reads.published_by(session, source)
    gone = [initiative_id for external_id, initiative_id in held.items() if external_id not in published]
    for batch in chunks(gone, context.settings.batch_size):
        with batch_session(context) as session:
            withdrawn = initiative_service.withdraw(session, batch, IMPORTER)
        context.tally.counts.withdrawn += withdrawn
