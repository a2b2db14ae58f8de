"""Registering, changing, archiving and reading initiatives.

Every write compares the incoming fields with the stored ones: an unchanged write bumps
no version and records no change, which makes partner upserts and re-imports idempotent.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Row, bindparam, delete, insert
from sqlalchemy import update as sql_update
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.adoptions import service as adoption_service
from app.analytics import service as analytics_service
from app.analytics.flags import Flag, FlagRead
from app.auth.caller import Caller
from app.changes import service as change_service
from app.core.db import bulk_insert
from app.core.enums import AdoptionStatus, ChangeAction
from app.core.models import utcnow
from app.core.problems import Forbidden, InvalidParameter, PreconditionFailed, ValidationFailed
from app.core.text import stems
from app.initiatives.models import (
    REGISTRY_SOURCE,
    Initiative,
    InitiativeParticipant,
    InitiativeTag,
    InitiativeTerm,
    StatusChange,
)
from app.initiatives.query import InitiativeQuery, build_select, common_search_terms, next_cursor
from app.initiatives.schemas import InitiativeCreate, InitiativeFields, InitiativeRead
from app.organisations import service as organisation_service
from app.organisations.models import Organisation

ENTITY = "initiative"
WRITABLE_FIELDS = tuple(name for name in InitiativeFields.model_fields if name != "status_date")
SEARCHED_FIELDS = {"title", "summary", "description", "tags"}
UNTRACKED_FIELDS = {"updated_at", "version"}
LIST_FIELDS = {"participants", "tags", "benefit_evidence", "strategy_refs", "links"}
# Derived at read time from other records; the change feed's snapshots leave them out.
DERIVED_FIELDS = {"adoption_counts", "flags"}
COLUMNS = tuple(Initiative.__table__.columns)
READ_FIELDS = tuple(InitiativeRead.model_fields)
OWN_READ_FIELDS = frozenset(READ_FIELDS) & frozenset(column.name for column in COLUMNS)

# The reads' statements, built once: constructing a statement costs more than running it.
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


def with_relations(statement):
    return statement.options(
        selectinload(Initiative.participants), selectinload(Initiative.tags), selectinload(Initiative.status_history)
    )


def load(session: Session, ids: list[uuid.UUID]) -> list[Initiative]:
    found = {i.id: i for i in session.exec(with_relations(select(Initiative).where(col(Initiative.id).in_(ids))))}
    return [found[i] for i in ids if i in found]


def get(session: Session, initiative_id: uuid.UUID) -> Initiative | None:
    found = load(session, [initiative_id])
    return found[0] if found else None


def find_by_source(session: Session, source: str, external_id: str) -> Initiative | None:
    query = select(Initiative.id).where(Initiative.source == source, Initiative.external_id == external_id)
    initiative_id = session.exec(query).first()
    return get(session, initiative_id) if initiative_id else None


def list_initiatives(session: Session, query: InitiativeQuery) -> tuple[list[Row], str | None]:
    """A page of initiatives as rows of their own columns, and the cursor of the next page."""
    pilots = analytics_service.proven_pilot_ids(session) if Flag.pilot_of_proven in query.flag else frozenset()
    rows = list(session.connection().execute(build_select(query, common_search_terms(session, query.q), pilots)))
    return rows[: query.limit], next_cursor(rows, query)


def load_rows(session: Session, ids: list[uuid.UUID]) -> list[Row]:
    """Initiatives as rows of their own columns, in the order of `ids`: what a read needs, without
    the cost of ORM objects."""
    found = {row.id: row for row in session.connection().execute(ROWS_BY_ID, {"ids": ids})}
    return [found[i] for i in ids if i in found]


def representations(session: Session, initiatives: Sequence[Any]) -> list[dict[str, Any]]:
    """A page of initiatives (ORM objects or rows) in `InitiativeRead`'s shape, as plain values that
    `pydantic_core.to_json` writes directly; in a fixed number of queries.

    The API answers from these without validating a model per item, which costs more than all
    the page's queries together; a test holds them equal to `InitiativeRead`.
    """
    ids = [initiative.id for initiative in initiatives]
    owners = organisation_service.labels_by_code(session, (i.owner_code for i in initiatives))
    counts = adoption_service.counts_by_status(session, ids)
    related = _related_rows(session, ids)
    flags = analytics_service.flags_of(session, initiatives)
    return [
        _representation(
            initiative,
            owners[initiative.owner_code],
            related[initiative.id],
            counts.get(initiative.id, {}),
            flags[initiative.id],
        )
        for initiative in initiatives
    ]


def to_read(session: Session, initiatives: Sequence[Any]) -> list[InitiativeRead]:
    return [InitiativeRead.model_validate(values) for values in representations(session, initiatives)]


def read_one(session: Session, initiative: Initiative) -> InitiativeRead:
    return to_read(session, [initiative])[0]


def create(session: Session, data: InitiativeCreate, caller: Caller) -> Initiative:
    [initiative_id] = _insert(session, [(REGISTRY_SOURCE, None, data)], caller)
    return get(session, initiative_id)


def create_many_from_source(
    session: Session, source: str, records: list[tuple[str, InitiativeCreate]], caller: Caller
) -> list[uuid.UUID]:
    """Create records a source publishes for the first time, all at once (an importer's first load):
    one organisation check, one insert per table, one search-index insert and one change-feed write.

    All or nothing: one invalid record raises its problem and nothing is written.
    """
    _check_source_name(source)
    return _insert(session, [(source, external_id, data) for external_id, data in records], caller)


def update(
    session: Session, initiative: Initiative, data: InitiativeFields, caller: Caller, expected_version: int
) -> Initiative:
    if expected_version != initiative.version:
        raise PreconditionFailed(
            f"You sent If-Match for version {expected_version}; the initiative is at version {initiative.version}. "
            "Read it again, reapply your change and retry."
        )
    _check_may_write(caller, initiative.owner_code)
    if data.owner is not None:
        _check_may_write(caller, data.owner)
    return _apply(session, initiative, data, set(data.model_fields_set), caller, from_source=False)


def upsert_from_source(
    session: Session, source: str, external_id: str, data: InitiativeCreate, caller: Caller
) -> tuple[Initiative, bool]:
    """Create or replace a partner's or importer's record; returns it and whether it was created.

    The whole record is the source's, except fields people have since edited in the registry.
    """
    _check_source_name(source)
    initiative = find_by_source(session, source, external_id)
    if initiative is None:
        [initiative_id] = _insert(session, [(source, external_id, data)], caller)
        return get(session, initiative_id), True
    _check_may_write(caller, data.owner)
    _check_may_write(caller, initiative.owner_code)
    source_fields = set(WRITABLE_FIELDS) - set(initiative.registry_edited_fields)
    return _apply(session, initiative, data, source_fields, caller, from_source=True), False


def archive(session: Session, initiative: Initiative, reason: str | None, caller: Caller) -> Initiative:
    _check_may_write(caller, initiative.owner_code)
    if initiative.is_archived:
        return initiative
    before = _snapshots(session, [initiative])
    _claim_next_version(session, initiative)
    initiative.is_archived = True
    initiative.archived_reason = reason
    _record(session, [initiative], ChangeAction.archive, caller, before)
    return initiative


def mark_withdrawn_at_source(session: Session, initiative: Initiative, caller: Caller) -> Initiative:
    """The source no longer publishes this record: keep it, flag it, and tell the feed."""
    if initiative.is_withdrawn_at_source:
        return initiative
    before = _snapshots(session, [initiative])
    _claim_next_version(session, initiative)
    initiative.is_withdrawn_at_source = True
    _record(session, [initiative], ChangeAction.update, caller, before)
    return initiative


def _insert(
    session: Session, records: list[tuple[str, str | None, InitiativeCreate]], caller: Caller
) -> list[uuid.UUID]:
    """Insert rows, not ORM objects: building and flushing those took most of a bulk import."""
    for _source, _external_id, data in records:
        _check_may_write(caller, data.owner)
        _check_dates(data.start_date, data.end_date)
    _check_organisations_exist(session, [data for _source, _external_id, data in records])
    now = utcnow()
    new = [_NewRows.of(source, external_id, data, now) for source, external_id, data in records]
    session.execute(insert(Initiative), [n.initiative for n in new])  # JSON columns: not for `bulk_insert`
    bulk_insert(session, InitiativeParticipant, [p for n in new for p in n.participants])
    bulk_insert(session, InitiativeTag, [t for n in new for t in n.tags])
    bulk_insert(session, StatusChange, [n.status_change for n in new])
    _index_terms(session, {n.initiative["id"]: n.searchable_text for n in new})
    ids = [n.initiative["id"] for n in new]
    _record(session, load_rows(session, ids), ChangeAction.create, caller, {})
    return ids


@dataclass
class _NewRows:
    """One new initiative's rows in each table, from what was sent."""

    initiative: dict[str, Any]
    participants: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    status_change: dict[str, Any]
    searchable_text: str

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
            participants=[
                {"initiative_id": initiative_id, **_participant_columns(p)} for p in incoming["participants"]
            ],
            tags=[{"initiative_id": initiative_id, "tag": tag} for tag in incoming["tags"]],
            status_change={
                "initiative_id": initiative_id,
                "status": incoming["status"],
                "changed_date": data.status_date or date.today(),
                "recorded_at": now,
            },
            searchable_text=_searchable_text(
                incoming["title"], incoming["summary"], incoming["description"], incoming["tags"]
            ),
        )


def _apply(
    session: Session,
    initiative: Initiative,
    data: InitiativeFields,
    fields: set[str],
    caller: Caller,
    *,
    from_source: bool,
) -> Initiative:
    current = _writable_state(initiative)
    changed = {name: value for name, value in _incoming(data, fields).items() if current[name] != value}
    # A record its source publishes again is no longer withdrawn, even when nothing else changed.
    reinstates = from_source and initiative.is_withdrawn_at_source
    if not changed and not reinstates:
        return initiative
    _check_organisations_exist(session, [data])
    _check_dates(_merged(changed, current, "start_date"), _merged(changed, current, "end_date"))
    before = _snapshots(session, [initiative])
    _claim_next_version(session, initiative)
    _set_fields(initiative, changed, data.status_date)
    initiative.is_withdrawn_at_source = initiative.is_withdrawn_at_source and not reinstates
    if not from_source and initiative.source != REGISTRY_SOURCE:
        initiative.registry_edited_fields = sorted(set(initiative.registry_edited_fields) | set(changed))
    session.flush()
    if SEARCHED_FIELDS & set(changed):
        _reindex_terms(session, initiative)
    _record(session, [initiative], ChangeAction.update, caller, before)
    return initiative


def _incoming(data: InitiativeFields, fields: set[str]) -> dict[str, Any]:
    """The sent fields in stored form: JSON values, `null` as the cleared value, lists in a canonical order."""
    dumped = data.model_dump(mode="json")
    incoming = {name: _cleared(name, dumped[name]) for name in fields if name in WRITABLE_FIELDS}
    if "participants" in incoming:
        incoming["participants"] = sorted(incoming["participants"], key=lambda p: p["organisation"])
    if "tags" in incoming:
        incoming["tags"] = sorted(set(incoming["tags"]))
    return incoming


def _cleared(name: str, value: Any) -> Any:
    if value is not None:
        return value
    return False if name == "has_benefit_realisation_plan" else [] if name in LIST_FIELDS else None


def _writable_state(initiative: Initiative) -> dict[str, Any]:
    state = {name: getattr(initiative, name) for name in WRITABLE_FIELDS if hasattr(Initiative, name)}
    state["owner"] = initiative.owner_code
    state["participants"] = [
        {
            "organisation": p.organisation_code,
            "role": p.role,
            "contribution_sek": p.contribution_sek,
            "steering_seats": p.steering_seats,
        }
        for p in sorted(initiative.participants, key=lambda p: p.organisation_code)
    ]
    state["tags"] = sorted(tag.tag for tag in initiative.tags)
    return to_jsonable_python(state)


def _set_fields(initiative: Initiative, values: dict[str, Any], status_date: date | None) -> None:
    for name, value in _column_values(values).items():
        setattr(initiative, name, value)
    if "participants" in values:
        initiative.participants = [InitiativeParticipant(**_participant_columns(p)) for p in values["participants"]]
    if "tags" in values:
        initiative.tags = [InitiativeTag(tag=tag) for tag in values["tags"]]
    if "status" in values:
        initiative.status_history.append(
            StatusChange(status=values["status"], changed_date=status_date or date.today())
        )


def _column_values(values: dict[str, Any]) -> dict[str, Any]:
    """Sent values (see `_incoming`) as the initiative table's own columns hold them."""
    columns = {name: value for name, value in values.items() if name not in ("owner", "participants", "tags")}
    if "owner" in values:
        columns["owner_code"] = values["owner"]
    for name in ("start_date", "end_date"):
        if name in values:
            columns[name] = date.fromisoformat(values[name]) if values[name] else None
    return columns


def _participant_columns(participant: dict[str, Any]) -> dict[str, Any]:
    return {
        "organisation_code": participant["organisation"],
        "role": participant["role"],
        "contribution_sek": participant["contribution_sek"],
        "steering_seats": participant["steering_seats"],
    }


def _merged(changed: dict[str, Any], current: dict[str, Any], name: str) -> date | None:
    value = changed.get(name, current[name])
    return date.fromisoformat(value) if value else None


def _check_may_write(caller: Caller, owner_code: str) -> None:
    if not caller.may_write_for(owner_code):
        raise Forbidden(f"This key belongs to {caller.organisation_code}; only {owner_code} may write this initiative.")


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


def _claim_next_version(session: Session, initiative: Initiative) -> None:
    """Compare-and-set the version in the database, so two writers that read the same version
    cannot both succeed: the second one's UPDATE matches no row and gets 412."""
    now = utcnow()
    claimed = session.execute(
        sql_update(Initiative)
        .where(col(Initiative.id) == initiative.id, col(Initiative.version) == initiative.version)
        .values(version=initiative.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise PreconditionFailed("Someone else changed the initiative at the same moment; read it again and retry.")
    initiative.version += 1
    initiative.updated_at = now


def _index_terms(session: Session, texts: dict[uuid.UUID, str]) -> None:
    """Add each initiative's words to the search index (see `_reindex_terms` for a changed one)."""
    bulk_insert(
        session,
        InitiativeTerm,
        [
            {"term": term, "initiative_id": initiative_id}
            for initiative_id, text in texts.items()
            for term in set(stems(text))
        ],
    )


def _reindex_terms(session: Session, initiative: Initiative) -> None:
    session.execute(delete(InitiativeTerm).where(col(InitiativeTerm.initiative_id) == initiative.id))
    _index_terms(
        session,
        {
            initiative.id: _searchable_text(
                initiative.title, initiative.summary, initiative.description, [t.tag for t in initiative.tags]
            )
        },
    )


def _searchable_text(title: str, summary: str | None, description: str | None, tags: list[str]) -> str:
    return " ".join(filter(None, [title, summary, description, *tags]))


def _snapshots(session: Session, initiatives: list[Initiative]) -> dict[uuid.UUID, dict[str, Any]]:
    """Each initiative as the change feed records it: its own fields, without the values derived
    at read time from other records (adoption counts, flags), which change without a write to it."""
    owners = organisation_service.labels_by_code(session, (i.owner_code for i in initiatives))
    related = _related_rows(session, [i.id for i in initiatives])
    return {i.id: to_jsonable_python(_representation(i, owners[i.owner_code], related[i.id])) for i in initiatives}


def _record(
    session: Session,
    initiatives: list[Initiative],
    action: ChangeAction,
    caller: Caller,
    befores: dict[uuid.UUID, dict[str, Any]],
) -> None:
    session.flush()
    afters = _snapshots(session, initiatives)
    change_service.record(
        session,
        [
            change_service.new_change(
                entity=ENTITY,
                entity_id=i.id,
                initiative_id=i.id,
                action=action,
                caller=caller,
                snapshot=afters[i.id],
                version=i.version,
                changes=change_service.diff(befores[i.id], afters[i.id], UNTRACKED_FIELDS) if i.id in befores else {},
            )
            for i in initiatives
        ],
    )


@dataclass
class _Related:
    participants: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status_history: list[dict[str, Any]] = field(default_factory=list)


def _related_rows(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, _Related]:
    # Plain rows rather than ORM collections: several times cheaper for a page of 50 or 200.
    related: dict[uuid.UUID, _Related] = defaultdict(_Related)
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
    initiative: Any,
    owner: Organisation,
    related: _Related,
    adoption_counts: dict[str, int] | None = None,
    flags: list[FlagRead] | None = None,
) -> dict[str, Any]:
    """`InitiativeRead`'s fields in its order; without the `DERIVED_FIELDS` when they are not given."""
    derived = {
        "owner": initiative.owner_code,
        "owner_name": owner.name,
        "county_code": owner.county_code,
        "participants": related.participants,
        "tags": related.tags,
        "status_history": related.status_history,
    }
    if adoption_counts is not None:
        derived["adoption_counts"] = {status.value: adoption_counts.get(status, 0) for status in AdoptionStatus}
    if flags is not None:
        derived["flags"] = flags
    values = derived | {name: getattr(initiative, name) for name in OWN_READ_FIELDS}
    return {name: values[name] for name in READ_FIELDS if name in values}
