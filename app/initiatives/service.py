"""Registering, changing, archiving and reading initiatives.

Every write compares the incoming fields with the stored ones: an unchanged write bumps
no version and records no change, which makes partner upserts and re-imports idempotent.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import delete, insert, update as sql_update
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.adoptions import service as adoption_service
from app.analytics import service as analytics_service
from app.analytics.flags import Flag, FlagRead
from app.auth.caller import Caller
from app.changes import service as change_service
from app.core.enums import AdoptionStatus, ChangeAction
from app.core.models import utcnow
from app.core.problems import Forbidden, InvalidParameter, PreconditionFailed, ValidationFailed
from app.core.text import stems
from app.initiatives.models import (
    REGISTRY_SOURCE, Initiative, InitiativeParticipant, InitiativeTag, InitiativeTerm, StatusChange,
)
from app.initiatives.query import InitiativeQuery, build_select, common_search_terms, next_cursor
from app.initiatives.schemas import InitiativeCreate, InitiativeFields, InitiativeRead
from app.organisations import service as organisation_service
from app.organisations.models import Organisation

ENTITY = "initiative"
WRITABLE_FIELDS = tuple(name for name in InitiativeFields.model_fields if name != "status_date")
SEARCHED_FIELDS = {"title", "summary", "description", "tags"}
UNTRACKED_FIELDS = {"updated_at", "version"}
DERIVED_FIELDS = {"adoption_counts", "flags"}
LIST_FIELDS = {"participants", "tags", "benefit_evidence", "strategy_refs", "links"}


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


def list_initiatives(session: Session, query: InitiativeQuery) -> tuple[list[Initiative], str | None]:
    pilots = analytics_service.proven_pilot_ids(session) if Flag.pilot_of_proven in query.flag else frozenset()
    rows = list(session.exec(build_select(query, common_search_terms(session, query.q), pilots)))
    return rows[: query.limit], next_cursor(rows, query)


def to_read(session: Session, initiatives: list[Initiative]) -> list[InitiativeRead]:
    """The API representation of a page of initiatives, in a fixed number of queries."""
    ids = [initiative.id for initiative in initiatives]
    owners = organisation_service.names_by_code(session, (i.owner_code for i in initiatives))
    counts = adoption_service.counts_by_status(session, ids)
    related = _related_rows(session, ids)
    flags = analytics_service.flags_for(session, ids)
    return [
        _read(initiative, owners[initiative.owner_code], counts.get(initiative.id, {}), related[initiative.id],
              flags.get(initiative.id, []))
        for initiative in initiatives
    ]


def read_one(session: Session, initiative: Initiative) -> InitiativeRead:
    return to_read(session, [initiative])[0]


def create(session: Session, data: InitiativeCreate, caller: Caller) -> Initiative:
    return _insert(session, [(REGISTRY_SOURCE, None, data)], caller)[0]


def create_many_from_source(
    session: Session, source: str, records: list[tuple[str, InitiativeCreate]], caller: Caller
) -> list[Initiative]:
    """Create records a source publishes for the first time, all at once (an importer's first load):
    one organisation check, one flush, one search-index insert and one change-feed write.

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
        return _insert(session, [(source, external_id, data)], caller)[0], True
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
) -> list[Initiative]:
    for _source, _external_id, data in records:
        _check_may_write(caller, data.owner)
        _check_dates(data.start_date, data.end_date)
    _check_organisations_exist(session, [data for _source, _external_id, data in records])
    initiatives = [_new_initiative(source, external_id, data) for source, external_id, data in records]
    session.add_all(initiatives)
    session.flush()
    _index_terms(session, initiatives)
    _record(session, initiatives, ChangeAction.create, caller, {})
    return initiatives


def _new_initiative(source: str, external_id: str | None, data: InitiativeCreate) -> Initiative:
    initiative = Initiative(owner_code=data.owner, status=data.status, category=data.category, title=data.title,
                            source=source, external_id=external_id)
    initiative.participants, initiative.tags, initiative.status_history = [], [], []
    _set_fields(initiative, _incoming(data, set(WRITABLE_FIELDS)), data.status_date)
    return initiative


def _apply(
    session: Session, initiative: Initiative, data: InitiativeFields, fields: set[str], caller: Caller,
    *, from_source: bool,
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
        _index_terms(session, [initiative])
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
        {"organisation": p.organisation_code, "role": p.role, "contribution_sek": p.contribution_sek,
         "steering_seats": p.steering_seats}
        for p in sorted(initiative.participants, key=lambda p: p.organisation_code)
    ]
    state["tags"] = sorted(tag.tag for tag in initiative.tags)
    return to_jsonable_python(state)


def _set_fields(initiative: Initiative, values: dict[str, Any], status_date: date | None) -> None:
    for name, value in values.items():
        if name == "owner":
            initiative.owner_code = value
        elif name == "participants":
            initiative.participants = [
                InitiativeParticipant(organisation_code=p["organisation"], role=p["role"],
                                      contribution_sek=p["contribution_sek"], steering_seats=p["steering_seats"])
                for p in value
            ]
        elif name == "tags":
            initiative.tags = [InitiativeTag(tag=tag) for tag in value]
        elif name in ("start_date", "end_date"):
            setattr(initiative, name, date.fromisoformat(value) if value else None)
        else:
            setattr(initiative, name, value)
    if "status" in values:
        initiative.status_history.append(StatusChange(status=values["status"], changed_date=status_date or date.today()))


def _merged(changed: dict[str, Any], current: dict[str, Any], name: str) -> date | None:
    value = changed.get(name, current[name])
    return date.fromisoformat(value) if value else None


def _check_may_write(caller: Caller, owner_code: str) -> None:
    if not caller.may_write_for(owner_code):
        raise Forbidden(f"This key belongs to {caller.organisation_code}; only {owner_code} may write this initiative.")


def _check_source_name(source: str) -> None:
    if source == REGISTRY_SOURCE:
        raise ValidationFailed(f"The source name {REGISTRY_SOURCE!r} is reserved for initiatives registered here.",
                               [InvalidParameter(property="source", reason="reserved", value=source)])


def _check_organisations_exist(session: Session, records: list[InitiativeFields]) -> None:
    """One query for all the records; the first record naming an unknown code raises."""
    named = [_named_organisations(data) for data in records]
    unknown = organisation_service.missing_codes(session, (code for codes in named for code in codes.values()))
    for codes in named:
        if unknown & set(codes.values()):
            raise ValidationFailed(
                f"Unknown organisation code: {', '.join(sorted(unknown & set(codes.values())))}.",
                [InvalidParameter(property=prop, reason="unknown organisation code", value=code)
                 for prop, code in codes.items() if code in unknown],
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


def _index_terms(session: Session, initiatives: list[Initiative]) -> None:
    session.execute(delete(InitiativeTerm).where(col(InitiativeTerm.initiative_id).in_([i.id for i in initiatives])))
    rows = [{"term": term, "initiative_id": initiative.id}
            for initiative in initiatives for term in set(stems(_searchable_text(initiative)))]
    if rows:
        session.execute(insert(InitiativeTerm), rows)


def _searchable_text(initiative: Initiative) -> str:
    return " ".join(filter(None, [initiative.title, initiative.summary, initiative.description,
                                  *(tag.tag for tag in initiative.tags)]))


def _snapshots(session: Session, initiatives: list[Initiative]) -> dict[uuid.UUID, dict[str, Any]]:
    """Each initiative as the change feed records it: its own fields, without the values derived
    at read time from other records (adoption counts, flags), which change without a write to it."""
    owners = organisation_service.names_by_code(session, (i.owner_code for i in initiatives))
    related = _related_rows(session, [i.id for i in initiatives])
    return {
        i.id: _read(i, owners[i.owner_code], {}, related[i.id], []).model_dump(mode="json", exclude=DERIVED_FIELDS)
        for i in initiatives
    }


def _record(
    session: Session, initiatives: list[Initiative], action: ChangeAction, caller: Caller,
    befores: dict[uuid.UUID, dict[str, Any]],
) -> None:
    session.flush()
    afters = _snapshots(session, initiatives)
    change_service.record(session, [
        change_service.new_change(
            entity=ENTITY, entity_id=i.id, initiative_id=i.id, action=action, caller=caller, snapshot=afters[i.id],
            version=i.version,
            changes=change_service.diff(befores[i.id], afters[i.id], UNTRACKED_FIELDS) if i.id in befores else {},
        )
        for i in initiatives
    ])


@dataclass
class _Related:
    participants: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status_history: list[dict[str, Any]] = field(default_factory=list)


def _related_rows(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, _Related]:
    # Plain rows rather than ORM collections: several times cheaper for a page of 50 or 200.
    related: dict[uuid.UUID, _Related] = defaultdict(_Related)
    participants = select(InitiativeParticipant.initiative_id, InitiativeParticipant.organisation_code,
                          InitiativeParticipant.role, InitiativeParticipant.contribution_sek,
                          InitiativeParticipant.steering_seats)
    for row in session.execute(participants.where(col(InitiativeParticipant.initiative_id).in_(ids))
                               .order_by(InitiativeParticipant.organisation_code)):
        related[row.initiative_id].participants.append(
            {"organisation": row.organisation_code, "role": row.role, "contribution_sek": row.contribution_sek,
             "steering_seats": row.steering_seats})
    tags = select(InitiativeTag.initiative_id, InitiativeTag.tag).where(col(InitiativeTag.initiative_id).in_(ids))
    for initiative_id, tag in session.execute(tags.order_by(InitiativeTag.tag)):
        related[initiative_id].tags.append(tag)
    history = select(StatusChange.initiative_id, StatusChange.status, StatusChange.changed_date)
    for row in session.execute(history.where(col(StatusChange.initiative_id).in_(ids)).order_by(StatusChange.id)):
        related[row.initiative_id].status_history.append({"status": row.status, "changed_date": row.changed_date})
    return related


def _read(initiative: Initiative, owner: Organisation, adoption_counts: dict[str, int], related: _Related,
          flags: list[FlagRead]) -> InitiativeRead:
    return InitiativeRead.model_validate(
        initiative,
        update={
            "owner": initiative.owner_code,
            "owner_name": owner.name,
            "county_code": owner.county_code,
            "participants": related.participants,
            "tags": related.tags,
            "status_history": related.status_history,
            "adoption_counts": {status: adoption_counts.get(status, 0) for status in AdoptionStatus},
            "flags": flags,
        },
    )
