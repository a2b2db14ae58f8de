"""Registering, changing, archiving and withdrawing initiatives: the one write path.

The API, the web form, partner systems and the importers all write through these functions.
Every write compares the incoming fields with the stored ones under one rule (`_changes`): an
unchanged write bumps no version and records no change, which makes partner upserts and
re-imports idempotent. Rows are written with plain statements, not ORM objects: building and
flushing those took most of a bulk import's time.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic_core import to_jsonable_python
from sqlalchemy import delete
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from app.auth import permissions
from app.changes import service as change_service
from app.core.caller import SYSTEM, Caller
from app.core.db import bulk_insert, database_message, delete_rows, insert_rows, refusals
from app.core.enums import ChangeAction, ParticipationStatus
from app.core.models import utcnow
from app.core.problems import (
    InitiativeArchived,
    InvalidParameter,
    NotFound,
    PreconditionFailed,
    Problem,
    ValidationFailed,
)
from app.initiatives import documents, reads
from app.initiatives.models import (
    REGISTRY_SOURCE,
    Initiative,
    InitiativeDocument,
    InitiativeParticipant,
    InitiativeTag,
    InitiativeTerm,
    StatusChange,
)
from app.initiatives.records import InitiativeRow
from app.initiatives.schemas import InitiativeCreate, InitiativeFields, InitiativeUpdate, Solution
from app.language import search
from app.organisations import service as organisation_service

ENTITY = "initiative"
PARTICIPATION_ENTITY = "participation"
# What an owner writes of a participant; changing any of it makes the participation a new claim.
PARTICIPANT_FIELDS = ("organisation", "role", "contribution_sek", "steering_seats")
WRITABLE_FIELDS = tuple(name for name in InitiativeFields.model_fields if name != "status_date")
RELATED_FIELDS = ("owner", "participants", "tags")
COLUMN_FIELDS = tuple(name for name in WRITABLE_FIELDS if name not in RELATED_FIELDS)
SEARCHED_FIELDS = {"title", "summary", "description", "tags"}
UNTRACKED_FIELDS = {"updated_at", "version"}
LIST_FIELDS = {"participants", "tags", "benefit_evidence", "strategy_refs", "links"}
_STATE_COLUMNS = (
    Initiative.id,
    Initiative.version,
    Initiative.source,
    Initiative.is_withdrawn_at_source,
    Initiative.registry_edited_fields,
    Initiative.is_archived,
    Initiative.owner_code,
    *(getattr(Initiative, name) for name in COLUMN_FIELDS),
)


def not_found(initiative_id: uuid.UUID) -> NotFound:
    return NotFound(f"No initiative has the id {initiative_id}.")


# Writes through the API and the web ----------------------------------------------------------


def create(session: Session, data: InitiativeCreate, caller: Caller) -> InitiativeRow:
    [row] = _insert(session, REGISTRY_SOURCE, [(None, data)], caller)
    return row


def update(
    session: Session, initiative_id: uuid.UUID, data: InitiativeFields, caller: Caller, expected_version: int
) -> InitiativeRow:
    """Change the fields sent; needs the version the caller read (412 when it is older)."""
    state = _state(session, initiative_id)
    if expected_version != state.version:
        raise PreconditionFailed(
            f"You sent If-Match for version {expected_version}; the initiative is at version {state.version}. "
            "Read it again, reapply your change and retry."
        )
    _check_may_write(caller, state.owner)
    if state.is_archived:
        raise InitiativeArchived(f"The initiative {initiative_id} is archived: it stays readable but cannot be edited.")
    if data.owner is not None:
        _check_may_write(caller, data.owner)
    _apply(session, state, data, set(data.model_fields_set), caller, from_source=False)
    return _row(session, initiative_id)


def solutions_with_publiccode(session: Session) -> list[tuple[uuid.UUID, Solution]]:
    """Each live initiative whose solution names a publiccode.yml, with that solution."""
    statement = select(Initiative.id, Initiative.solution).where(
        col(Initiative.solution).is_not(None), col(Initiative.is_archived).is_(False)
    )
    found = [(row.id, Solution.model_validate(row.solution)) for row in session.connection().execute(statement)]
    return [(initiative_id, solution) for initiative_id, solution in found if solution.publiccode_url is not None]


def replace_solution(session: Session, initiative_id: uuid.UUID, solution: Solution, caller: Caller) -> bool:
    """Set the initiative's solution (recorded in the change feed); False when nothing changed."""
    state = _state(session, initiative_id)
    data = InitiativeUpdate(solution=solution)
    if not _changes(state, data, {"solution"}):
        return False
    _check_may_write(caller, state.owner)
    _apply(session, state, data, {"solution"}, caller, from_source=False)
    return True


def check_may_edit(caller: Caller, owner_code: str) -> None:
    """Raise `Forbidden` unless the caller may change an initiative of this owner: what `update`
    checks first, for a form that should not even be shown to someone who may not send it."""
    _check_may_write(caller, owner_code)


def archive(session: Session, initiative_id: uuid.UUID, reason: str | None, caller: Caller) -> InitiativeRow:
    """Archive (nothing is ever deleted); archiving an archived initiative changes nothing."""
    row = _row(session, initiative_id)
    _check_may_write(caller, row.owner_code)
    if not row.is_archived:
        _change_flags(session, row, ChangeAction.archive, caller, is_archived=True, archived_reason=reason)
    return _row(session, initiative_id)


def answer_participation(
    session: Session, initiative_id: uuid.UUID, organisation_code: str, answer: ParticipationStatus, caller: Caller
) -> InitiativeRow:
    """The participating organisation confirms or declines what the owner listed for it (the
    admin may answer on its behalf, and is recorded as the one who did). The initiative gets a
    new version; the change feed records the initiative and the participation."""
    permissions.require_acting_for(
        caller,
        organisation_code,
        f"This key belongs to {caller.organisation_code}; only {organisation_code} may answer for its participation.",
    )
    row = _row(session, initiative_id)
    participant = _participant(session, initiative_id, organisation_code)
    if participant["status"] == answer:
        return row
    before = documents.current(session, [row.id])
    session.execute(
        sql_update(InitiativeParticipant)
        .where(
            col(InitiativeParticipant.initiative_id) == initiative_id,
            col(InitiativeParticipant.organisation_code) == organisation_code,
        )
        .values(status=answer)
    )
    _claim_next_version(session, row.id, row.version, {})
    _record(session, [row.id], ChangeAction.update, caller, before)
    answered = {**participant, "status": answer.value}
    change_service.record(session, _participation_changes(initiative_id, [participant], [answered], caller))
    return _row(session, initiative_id)


def participation_id(initiative_id: uuid.UUID, organisation_code: str) -> uuid.UUID:
    """A participation's id in the change feed: the same for the same initiative and organisation."""
    return uuid.uuid5(initiative_id, organisation_code)


def _participation_changes(
    initiative_id: uuid.UUID, before: list[dict[str, Any]], after: list[dict[str, Any]], caller: Caller
) -> list[dict[str, Any]]:
    """Change-feed entries (entity `participation`) for each participant listed, changed,
    answered or removed, from the participants (with statuses) before and after a write."""
    old = {p["organisation"]: p for p in before}
    new = {p["organisation"]: p for p in after}
    entries = []
    for code in sorted(old | new):
        action = ChangeAction.create if code not in old else ChangeAction.delete if code not in new else None
        changes = {} if action else change_service.diff(old[code], new[code], set())
        if action or changes:
            entries.append(
                change_service.new_change(
                    entity=PARTICIPATION_ENTITY,
                    entity_id=participation_id(initiative_id, code),
                    initiative_id=initiative_id,
                    action=action or ChangeAction.update,
                    caller=caller,
                    snapshot={**(new.get(code) or old[code]), "initiative_id": str(initiative_id)},
                    changes=changes,
                )
            )
    return entries


def _participant(session: Session, initiative_id: uuid.UUID, organisation_code: str) -> dict[str, Any]:
    for participant in _participants(session, initiative_id):
        if participant["organisation"] == organisation_code:
            return participant
    raise NotFound(f"{organisation_code} is not listed as a participant of the initiative {initiative_id}.")


def _participants(session: Session, initiative_id: uuid.UUID) -> list[dict[str, Any]]:
    """The initiative's participants as stored, with their statuses."""
    return [
        {
            "organisation": row.organisation_code,
            "role": row.role,
            "contribution_sek": row.contribution_sek,
            "steering_seats": row.steering_seats,
            "status": row.status,
        }
        for row in session.connection().execute(documents.PARTICIPANT_ROWS, {"ids": [initiative_id]})
    ]


# Writes from sources: partner systems and importers --------------------------------------------


@dataclass(frozen=True)
class Upserted:
    """What happened to one record a source published."""

    external_id: str
    outcome: Literal["created", "updated", "unchanged", "rejected"]
    initiative_id: uuid.UUID | None = None
    problem: Problem | None = None

    def written_id(self) -> uuid.UUID:
        """The initiative the record is now; raises its problem when it was rejected."""
        if self.initiative_id is None or self.problem is not None:
            raise self.problem or Problem("The record was neither written nor refused.")
        return self.initiative_id


def upsert_from_source(
    session: Session, source: str, records: Sequence[tuple[str, InitiativeCreate]], caller: Caller
) -> list[Upserted]:
    """Create or update the records a source publishes, one batch at a time, in `records` order.

    The whole record is the source's, except fields people have since edited in the registry.
    Records the registry has not seen are created together (one statement per table); a
    record that fails (an unknown organisation, a key that may not write it) is rejected on its
    own with its problem, and the rest are written. A record equal to the stored one is
    unchanged: no version, no change-feed entry.
    """
    _check_source_name(source)
    known = _ids_by_external_id(session, source, [external_id for external_id, _data in records])
    states = _states(session, list(known.values()))
    fresh = [(external_id, data) for external_id, data in records if external_id not in known]
    results = {u.external_id: u for u in _create_from_source(session, source, fresh, caller)}
    for external_id, data in records:
        if external_id in known:
            results[external_id] = _update_from_source(session, states[known[external_id]], external_id, data, caller)
    return [results[external_id] for external_id, _data in records]


def withdraw(session: Session, initiative_ids: Sequence[uuid.UUID], caller: Caller) -> int:
    """Flag initiatives their source no longer publishes (kept, never deleted); returns how many
    were newly flagged."""
    withdrawn = 0
    for row in reads.rows(session, initiative_ids):
        if not row.is_withdrawn_at_source:
            _change_flags(session, row, ChangeAction.update, caller, is_withdrawn_at_source=True)
            withdrawn += 1
    return withdrawn


def _create_from_source(
    session: Session, source: str, fresh: list[tuple[str, InitiativeCreate]], caller: Caller
) -> list[Upserted]:
    """Create all at once; when one of them is refused (by a check here or by the database), one
    at a time instead, so only it is rejected."""
    if not fresh:
        return []
    try:
        with session.begin_nested():
            rows = _insert(session, source, fresh, caller)
        return [Upserted(external_id, "created", row.id) for (external_id, _), row in zip(fresh, rows, strict=True)]
    except _refusals(session):
        return [_create_one(session, source, external_id, data, caller) for external_id, data in fresh]


def _create_one(session: Session, source: str, external_id: str, data: InitiativeCreate, caller: Caller) -> Upserted:
    try:
        with session.begin_nested():
            [row] = _insert(session, source, [(external_id, data)], caller)
    except _refusals(session) as error:
        return Upserted(external_id, "rejected", problem=_as_problem(error))
    return Upserted(external_id, "created", row.id)


def _update_from_source(
    session: Session, state: "_State", external_id: str, data: InitiativeCreate, caller: Caller
) -> Upserted:
    fields = set(WRITABLE_FIELDS) - set(state.registry_edited_fields)
    try:
        _check_may_write(caller, data.owner)
        _check_may_write(caller, state.owner)
        with session.begin_nested():
            is_changed = _apply(session, state, data, fields, caller, from_source=True)
    except _refusals(session) as error:
        return Upserted(external_id, "rejected", state.id, _as_problem(error))
    return Upserted(external_id, "updated" if is_changed else "unchanged", state.id)


def _refusals(session: Session) -> tuple[type[Exception], ...]:
    """What refuses one record: a check of ours, or the database (not a lost connection)."""
    return (Problem, *refusals(session))


def _as_problem(error: Exception) -> Problem:
    """A refusal as the record's problem: ours as it is, the database's as invalid input."""
    if isinstance(error, Problem):
        return error
    return ValidationFailed(f"The database refused the record: {database_message(error)}")


# The one change-detection rule ------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """An initiative's writable fields as stored, in the form incoming fields are compared in."""

    id: uuid.UUID
    version: int
    source: str
    is_withdrawn_at_source: bool
    registry_edited_fields: list[str]
    is_archived: bool
    fields: dict[str, Any]

    @property
    def owner(self) -> str:
        return self.fields["owner"]


def _changes(state: _State, data: InitiativeFields, fields: set[str]) -> dict[str, Any]:
    """The sent fields among `fields` whose stored form differs from the stored value."""
    return {name: value for name, value in _incoming(data, fields).items() if state.fields[name] != value}


def _incoming(data: InitiativeFields, fields: set[str]) -> dict[str, Any]:
    """The sent fields in stored form: JSON values, `null` as the cleared value, lists in a canonical order."""
    dumped = data.model_dump(mode="json")
    incoming = {name: _cleared(name, dumped[name]) for name in fields if name in WRITABLE_FIELDS}
    if "participants" in incoming:
        incoming["participants"] = sorted(incoming["participants"], key=lambda p: p["organisation"])
    if "tags" in incoming:
        incoming["tags"] = sorted(set(incoming["tags"]))
    if incoming.get("budget_by_year"):
        incoming["budget_by_year"] = dict(sorted(incoming["budget_by_year"].items()))
    return incoming


def _cleared(name: str, value: Any) -> Any:
    if value is not None:
        return value
    return False if name == "has_benefit_realisation_plan" else [] if name in LIST_FIELDS else None


def _state(session: Session, initiative_id: uuid.UUID) -> _State:
    states = _states(session, [initiative_id])
    if initiative_id not in states:
        raise not_found(initiative_id)
    return states[initiative_id]


def _states(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, _State]:
    """The stored states of these initiatives, in three queries for any number."""
    if not ids:
        return {}
    found = session.connection().execute(select(*_STATE_COLUMNS).where(col(Initiative.id).in_(ids))).all()
    tags: dict[uuid.UUID, list[str]] = {initiative_id: [] for initiative_id in ids}
    for initiative_id, tag in session.connection().execute(documents.TAG_ROWS, {"ids": ids}):
        tags[initiative_id].append(tag)
    participants: dict[uuid.UUID, list[dict[str, Any]]] = {initiative_id: [] for initiative_id in ids}
    for row in session.connection().execute(documents.PARTICIPANT_ROWS, {"ids": ids}):
        participants[row.initiative_id].append(
            {
                "organisation": row.organisation_code,
                "role": row.role,
                "contribution_sek": row.contribution_sek,
                "steering_seats": row.steering_seats,
            }
        )  # statuses left out: a write is compared in the fields a writer sends
    return {
        row.id: _State(
            id=row.id,
            version=row.version,
            source=row.source,
            is_withdrawn_at_source=row.is_withdrawn_at_source,
            registry_edited_fields=list(row.registry_edited_fields or []),
            is_archived=row.is_archived,
            fields=to_jsonable_python(
                {
                    **dict(zip(COLUMN_FIELDS, row[7:], strict=True)),
                    "owner": row.owner_code,
                    "tags": tags[row.id],
                    "participants": participants[row.id],
                }
            ),
        )
        for row in found
    }


def _ids_by_external_id(session: Session, source: str, external_ids: list[str]) -> dict[str, uuid.UUID]:
    statement = select(Initiative.external_id, Initiative.id).where(
        Initiative.source == source, col(Initiative.external_id).in_(external_ids)
    )
    return dict(session.connection().execute(statement).all())


# Writing rows ------------------------------------------------------------------------------------


def _insert(
    session: Session, source: str, records: Sequence[tuple[str | None, InitiativeCreate]], caller: Caller
) -> list[InitiativeRow]:
    """Insert the records as new initiatives; returns them as written, in order."""
    for _external_id, data in records:
        _check_may_write(caller, data.owner)
        _check_dates(data.start_date, data.end_date)
    now = utcnow()
    # Before the first statement: on SQLite a write holds the database's single writer from its
    # first statement to its commit, and building the rows (the search terms' text analysis
    # among them) needs no lock.
    new = [_NewRows.of(source, external_id, data, now) for external_id, data in records]
    _check_organisations_exist(session, [data for _external_id, data in records])
    insert_rows(session, Initiative, [n.initiative for n in new])  # JSON columns: not for `bulk_insert`
    bulk_insert(session, InitiativeParticipant, [p for n in new for p in n.participants])
    bulk_insert(session, InitiativeTag, [t for n in new for t in n.tags])
    bulk_insert(session, StatusChange, [n.status_change for n in new])
    _insert_terms(session, {n.initiative["id"]: n.terms for n in new})
    rows = _record(session, [n.initiative["id"] for n in new], ChangeAction.create, caller, {})
    change_service.record(
        session,
        [
            entry
            for n in new
            for entry in _participation_changes(n.initiative["id"], [], [_listed(p) for p in n.participants], caller)
        ],
    )
    return rows


@dataclass
class _NewRows:
    """One new initiative's rows in each table, from what was sent."""

    initiative: dict[str, Any]
    participants: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    status_change: dict[str, Any]
    terms: set[str]

    @classmethod
    def of(cls, source: str, external_id: str | None, data: InitiativeCreate, now: datetime) -> "_NewRows":
        incoming = _incoming(data, set(WRITABLE_FIELDS))
        initiative_id = uuid.uuid4()
        initiative = {
            **_column_values(incoming),
            "id": initiative_id,
            "source": source,
            "external_id": external_id,
            "registry_edited_fields": [],
            "is_withdrawn_at_source": False,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "is_archived": False,
            "archived_reason": None,
        }
        return cls(
            initiative=initiative,
            participants=[_participant_row(initiative_id, p) for p in incoming["participants"]],
            tags=[{"initiative_id": initiative_id, "tag": tag} for tag in incoming["tags"]],
            status_change=_status_row(
                initiative_id, incoming["status"], _status_day(data, from_source=source != REGISTRY_SOURCE), now
            ),
            terms=search.document_terms(_searchable_text(incoming)),
        )


def _apply(
    session: Session, state: _State, data: InitiativeFields, fields: set[str], caller: Caller, *, from_source: bool
) -> bool:
    """Write the fields among `fields` that changed; returns whether anything was written."""
    changed = _changes(state, data, fields)
    # A record its source publishes again is no longer withdrawn, even when nothing else changed.
    reinstates = from_source and state.is_withdrawn_at_source
    if not changed and not reinstates:
        return False
    _check_organisations_exist(session, [data])
    merged = {**state.fields, **changed}
    _check_dates(_day(merged["start_date"]), _day(merged["end_date"]))
    before = documents.current(session, [state.id])
    columns = _column_values(changed)
    if reinstates:
        columns["is_withdrawn_at_source"] = False
    if not from_source and state.source != REGISTRY_SOURCE:
        columns["registry_edited_fields"] = sorted(set(state.registry_edited_fields) | set(changed))
    now = _claim_next_version(session, state.id, state.version, columns)
    participation = _replace_related(session, state.id, changed, _status_day(data, from_source=from_source), now)
    if SEARCHED_FIELDS & set(changed):
        _reindex_terms(session, state.id, merged)
    _record(session, [state.id], ChangeAction.update, caller, before)
    change_service.record(session, _participation_changes(state.id, *participation, caller) if participation else [])
    return True


def _change_flags(session: Session, row: InitiativeRow, action: ChangeAction, caller: Caller, **columns: Any) -> None:
    before = documents.current(session, [row.id])
    _claim_next_version(session, row.id, row.version, columns)
    _record(session, [row.id], action, caller, before)


def _claim_next_version(session: Session, initiative_id: uuid.UUID, version: int, columns: dict[str, Any]) -> datetime:
    """Write `columns` and the next version as a compare-and-set, so two writers that read the
    same version cannot both succeed: the second one's UPDATE matches no row and gets 412."""
    now = utcnow()
    claimed = session.connection().execute(
        sql_update(Initiative)
        .where(col(Initiative.id) == initiative_id, col(Initiative.version) == version)
        .values(version=version + 1, updated_at=now, **columns)
    )
    if claimed.rowcount != 1:
        raise PreconditionFailed("Someone else changed the initiative at the same moment; read it again and retry.")
    return now


def _replace_related(
    session: Session, initiative_id: uuid.UUID, changed: dict[str, Any], status_date: date | None, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """Write the changed related rows; returns the participants before and after, when they changed."""
    participation = None
    if "participants" in changed:
        stored = _participants(session, initiative_id)
        kept = _answers_kept(stored)
        rows = [_participant_row(initiative_id, p, kept.get(_written(p))) for p in changed["participants"]]
        delete_rows(session, InitiativeParticipant, "initiative_id", [initiative_id])
        bulk_insert(session, InitiativeParticipant, rows)
        participation = (stored, [_listed(row) for row in rows])
    if "tags" in changed:
        delete_rows(session, InitiativeTag, "initiative_id", [initiative_id])
        bulk_insert(session, InitiativeTag, [{"initiative_id": initiative_id, "tag": tag} for tag in changed["tags"]])
    if "status" in changed:
        bulk_insert(session, StatusChange, [_status_row(initiative_id, changed["status"], status_date, now)])
    return participation


def _column_values(values: dict[str, Any]) -> dict[str, Any]:
    """Sent values (see `_incoming`) as the initiative table's own columns hold them."""
    columns = {name: value for name, value in values.items() if name not in RELATED_FIELDS}
    if "owner" in values:
        columns["owner_code"] = values["owner"]
    for name in ("start_date", "end_date"):
        if name in values:
            columns[name] = _day(values[name])
    return columns


def _participant_row(
    initiative_id: uuid.UUID, participant: dict[str, Any], answer: str | None = None
) -> dict[str, Any]:
    return {
        "initiative_id": initiative_id,
        "organisation_code": participant["organisation"],
        "role": participant["role"],
        "contribution_sek": participant["contribution_sek"],
        "steering_seats": participant["steering_seats"],
        "status": answer or ParticipationStatus.claimed,
    }


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    """A participant row as the change feed shows a participation."""
    return {
        "organisation": row["organisation_code"],
        "role": row["role"],
        "contribution_sek": row["contribution_sek"],
        "steering_seats": row["steering_seats"],
        "status": row["status"],
    }


def _answers_kept(stored: list[dict[str, Any]]) -> dict[tuple, str]:
    """Each stored participant's answer, by what the owner wrote of it: a participant written
    again unchanged keeps its confirmation (or refusal); a changed one is a new claim."""
    return {_written(participant): participant["status"] for participant in stored}


def _written(participant: dict[str, Any]) -> tuple:
    return tuple(participant[name] for name in PARTICIPANT_FIELDS)


def _status_day(data: InitiativeFields, *, from_source: bool) -> date | None:
    """When a new status took effect: the date sent; without one, today for a write through the
    API or the web (it happens now), and unknown (None) for a source's record, since the day it
    is imported says nothing about when its status changed."""
    if data.status_date is not None or from_source:
        return data.status_date
    return date.today()


def _status_row(initiative_id: uuid.UUID, status: str, status_date: date | None, now: datetime) -> dict[str, Any]:
    return {"initiative_id": initiative_id, "status": status, "changed_date": status_date, "recorded_at": now}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _row(session: Session, initiative_id: uuid.UUID) -> InitiativeRow:
    row = reads.get(session, initiative_id)
    if row is None:
        raise not_found(initiative_id)
    return row


# Checks ------------------------------------------------------------------------------------------


def _check_may_write(caller: Caller, owner_code: str) -> None:
    permissions.require_acting_for(
        caller,
        owner_code,
        f"This key belongs to {caller.organisation_code}; only {owner_code} may write this initiative.",
    )


def _check_source_name(source: str) -> None:
    if source == REGISTRY_SOURCE:
        raise ValidationFailed(
            f"The source name {REGISTRY_SOURCE!r} is reserved for initiatives registered here.",
            [InvalidParameter(property="source", reason="reserved", value=source)],
        )


def _check_organisations_exist(session: Session, records: list[InitiativeFields]) -> None:
    """One query for all the records; the first record naming an unknown code raises."""
    named = [_named_organisations(data) for data in records]
    unknown = organisation_service.missing_codes(session, (code for codes in named for code in codes.values()))
    for codes in named:
        if unknown & set(codes.values()):
            raise ValidationFailed(
                f"Unknown organisation code: {', '.join(sorted(unknown & set(codes.values())))}.",
                [
                    InvalidParameter(property=prop, reason="unknown organisation code", value=code)
                    for prop, code in codes.items()
                    if code in unknown
                ],
            )


def _named_organisations(data: InitiativeFields) -> dict[str, str]:
    named = {"owner": data.owner} if data.owner else {}
    for index, participant in enumerate(data.participants or []):
        named[f"participants.{index}.organisation"] = participant.organisation
    return named


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValidationFailed(
            "end_date is before start_date.",
            [InvalidParameter(property="end_date", reason="must not be before start_date", value=end.isoformat())],
        )


# The search index and the change feed ----------------------------------------------------------


def _insert_terms(session: Session, terms: dict[uuid.UUID, set[str]]) -> None:
    """Add each initiative's words (`search.document_terms`) to the search index (see
    `_reindex_terms` for a changed one)."""
    bulk_insert(
        session,
        InitiativeTerm,
        [{"term": term, "initiative_id": initiative_id} for initiative_id, its in terms.items() for term in its],
    )


def _reindex_terms(session: Session, initiative_id: uuid.UUID, fields: dict[str, Any]) -> None:
    delete_rows(session, InitiativeTerm, "initiative_id", [initiative_id])
    _insert_terms(session, {initiative_id: search.document_terms(_searchable_text(fields))})


def _searchable_text(fields: dict[str, Any]) -> str:
    return documents.searchable_text(fields["title"], fields["summary"], fields["description"], fields["tags"])


def reannotate(session: Session, limit: int) -> int:
    """Annotate again, with the current vocabulary, up to `limit` initiatives annotated with
    another: their documents' concepts and their search terms. The change feed records each
    whose concepts changed. Returns how many were annotated (0: none is left)."""
    ids = documents.stale(session, limit)
    befores = documents.current(session, ids)
    for row in reads.rows(session, ids):
        _reindex_terms(session, row.id, {**row._asdict(), "tags": befores[row.id]["tags"]})
    _record(session, ids, ChangeAction.update, SYSTEM, befores, only_changed=True)
    return len(ids)


def _record(
    session: Session,
    ids: list[uuid.UUID],
    action: ChangeAction,
    caller: Caller,
    befores: dict[uuid.UUID, dict[str, Any]],
    *,
    only_changed: bool = False,
) -> list[InitiativeRow]:
    """Write the initiatives' new documents and record each in the change feed, with what changed
    (with `only_changed`, only those whose document changed); returns the rows they were written
    from, in the order of `ids`."""
    rows = reads.rows(session, ids)
    afters = documents.write(session, rows)
    changes = {
        row.id: change_service.diff(befores[row.id], afters[row.id], UNTRACKED_FIELDS) if row.id in befores else {}
        for row in rows
    }
    change_service.record(
        session,
        [
            change_service.new_change(
                entity=ENTITY,
                entity_id=row.id,
                initiative_id=row.id,
                action=action,
                caller=caller,
                snapshot=afters[row.id],
                version=row.version,
                changes=changes[row.id],
            )
            for row in rows
            if changes[row.id] or not only_changed
        ],
    )
    return rows


def mark_demo(session: Session, initiative_ids: Sequence[uuid.UUID]) -> None:
    """Mark initiatives the demo loader wrote, so pages say so and `registry demo --remove` finds them."""
    session.execute(sql_update(Initiative).where(col(Initiative.id).in_(initiative_ids)).values(is_demo=True))


def delete_demo(session: Session, initiative_ids: Sequence[uuid.UUID]) -> int:
    """Delete demo initiatives with their participants, tags, search terms, documents and status
    history: the registry's only hard delete (other domains delete their rows of them first)."""
    ids = list(initiative_ids)
    for table in (InitiativeParticipant, InitiativeTag, InitiativeTerm, InitiativeDocument, StatusChange):
        delete_rows(session, table, "initiative_id", ids)
    deleted = session.connection().execute(
        delete(Initiative).where(col(Initiative.id).in_(ids), col(Initiative.is_demo))
    )
    return deleted.rowcount
