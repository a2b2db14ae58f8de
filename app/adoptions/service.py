"""Adoptions: an organisation's own record that it uses an initiative another organisation built."""

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, or_
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from app.adoptions.models import Adoption
from app.adoptions.schemas import AdoptionCreate, AdoptionRead, AdoptionUpdate
from app.auth import permissions
from app.changes import service as change_service
from app.core.caller import Caller
from app.core.enums import AdoptionStatus, ChangeAction
from app.core.models import utcnow
from app.core.problems import Conflict, InitiativeArchived, InvalidParameter, NotFound, ValidationFailed
from app.initiatives import reads as initiative_reads
from app.initiatives.records import InitiativeRow
from app.organisations import service as organisation_service

ENTITY = "adoption"
ACTIVE_STATUSES = (AdoptionStatus.considering, AdoptionStatus.piloting, AdoptionStatus.in_operation)


def to_read(adoption: Adoption) -> AdoptionRead:
    return AdoptionRead.model_validate(adoption, update={"organisation": adoption.organisation_code})


def list_for_initiative(session: Session, initiative_id: uuid.UUID) -> list[Adoption]:
    query = select(Adoption).where(Adoption.initiative_id == initiative_id).order_by(Adoption.organisation_code)
    return list(session.exec(query))


def get(session: Session, initiative_id: uuid.UUID, adoption_id: uuid.UUID) -> Adoption | None:
    adoption = session.get(Adoption, adoption_id)
    return adoption if adoption is not None and adoption.initiative_id == initiative_id else None


def create(session: Session, initiative_id: uuid.UUID, data: AdoptionCreate, caller: Caller) -> Adoption:
    permissions.require_acting_for(
        caller, data.organisation, f"Only {data.organisation} itself may record that it adopts an initiative."
    )
    initiative = initiative_reads.get(session, initiative_id)
    if initiative is None:
        raise NotFound(f"No initiative has the id {initiative_id}.")
    if initiative.is_archived:
        raise InitiativeArchived(f"The initiative {initiative_id} is archived: it can no longer be adopted.")
    _check_adopter(session, initiative, data.organisation)
    _check_own_initiative(session, data.own_initiative_id, data.organisation)
    if _find(session, data.organisation, initiative.id) is not None:
        raise Conflict(f"{data.organisation} has already recorded an adoption of this initiative; update it instead.")
    adoption = Adoption(
        initiative_id=initiative.id, organisation_code=data.organisation, **data.model_dump(exclude={"organisation"})
    )
    session.add(adoption)
    session.flush()
    _record(session, adoption, ChangeAction.create, caller, {})
    return adoption


def update(session: Session, adoption: Adoption, data: AdoptionUpdate, caller: Caller) -> Adoption:
    _check_caller_is_adopter(adoption, caller)
    fields = data.model_dump(exclude_unset=True)
    if fields.get("status", adoption.status) is None:
        raise ValidationFailed("status cannot be cleared", [InvalidParameter(property="status", reason="required")])
    _check_own_initiative(session, fields.get("own_initiative_id"), adoption.organisation_code)
    before = to_read(adoption).model_dump(mode="json")
    adoption.sqlmodel_update(fields)
    after = to_read(adoption).model_dump(mode="json")
    changes = change_service.diff(before, after, ignored={"updated_at"})
    if changes:
        adoption.updated_at = utcnow()
        session.flush()
        _record(session, adoption, ChangeAction.update, caller, changes)
    return adoption


def delete(session: Session, adoption: Adoption, caller: Caller) -> None:
    """Withdraw an adoption statement. The change feed and history keep what it said."""
    _check_caller_is_adopter(adoption, caller)
    _record(session, adoption, ChangeAction.delete, caller, {})
    session.delete(adoption)
    session.flush()


class AdoptionFact(NamedTuple):
    initiative_id: uuid.UUID
    organisation_code: str
    status: AdoptionStatus
    recorded_on: date  # since when it is used, or else the day it was recorded


FACT_COLUMNS: tuple[Any, ...] = (
    Adoption.initiative_id,
    Adoption.organisation_code,
    Adoption.status,
    Adoption.since_date,
    Adoption.created_at,
)
# Built once: an overlap read runs it, and building its statements was a measurable part of one.
FACTS_OF = select(*FACT_COLUMNS).where(col(Adoption.initiative_id).in_(bindparam("ids", expanding=True)))


def facts(session: Session, initiative_ids: Iterable[uuid.UUID] | None = None) -> list[AdoptionFact]:
    """Who has recorded an adoption of which initiative, in what status: all, or for these initiatives."""
    if initiative_ids is None:
        found = session.connection().execute(select(*FACT_COLUMNS))
    else:
        found = session.connection().execute(FACTS_OF, {"ids": list(initiative_ids)})
    return [
        AdoptionFact(initiative_id, organisation_code, AdoptionStatus(status), since_date or created_at.date())
        for initiative_id, organisation_code, status, since_date, created_at in found
    ]


def coordinated(session: Session, initiative_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """The organisations already working with each of these initiatives, besides its owner: its
    confirmed participants and those with an adoption of it they have not abandoned. Such an
    organisation is neither told it overlaps the initiative nor pointed to it as proven."""
    found: dict[uuid.UUID, set[str]] = {}
    for participation in initiative_reads.participations(session, initiative_ids, confirmed_only=True):
        found.setdefault(participation.initiative_id, set()).add(participation.organisation_code)
    for adoption in facts(session, initiative_ids):
        if adoption.status != AdoptionStatus.abandoned:
            found.setdefault(adoption.initiative_id, set()).add(adoption.organisation_code)
    return found


def taken_after(session: Session, own_initiative_id: uuid.UUID) -> list[tuple[uuid.UUID, AdoptionStatus]]:
    """The initiatives an organisation has recorded adopting (any status but abandoned) through
    this initiative of its own, with the adoption's status: what it takes after."""
    statement = (
        select(Adoption.initiative_id, Adoption.status)
        .where(Adoption.own_initiative_id == own_initiative_id, Adoption.status != AdoptionStatus.abandoned)
        .order_by(col(Adoption.created_at))
    )
    return [
        (initiative_id, AdoptionStatus(status)) for initiative_id, status in session.connection().execute(statement)
    ]


# Built once: constructing a statement costs more than running it on a page's hot path.
COUNTS_BY_STATUS = (
    select(Adoption.initiative_id, Adoption.status, func.count())
    .where(col(Adoption.initiative_id).in_(bindparam("ids", expanding=True)))
    .group_by(col(Adoption.initiative_id), col(Adoption.status))
)


def counts_by_status(session: Session, initiative_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    ids = list(initiative_ids)
    if not ids:
        return {}
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for initiative_id, status, count in session.connection().execute(COUNTS_BY_STATUS, {"ids": ids}):
        counts.setdefault(initiative_id, {})[status] = count
    return counts


def _find(session: Session, organisation_code: str, initiative_id: uuid.UUID) -> Adoption | None:
    query = select(Adoption).where(
        Adoption.organisation_code == organisation_code, Adoption.initiative_id == initiative_id
    )
    return session.exec(query).first()


def _check_adopter(session: Session, initiative: InitiativeRow, organisation_code: str) -> None:
    if organisation_service.get(session, organisation_code) is None:
        raise ValidationFailed(
            f"No organisation has the code {organisation_code!r}.",
            [InvalidParameter(property="organisation", reason="unknown organisation code", value=organisation_code)],
        )
    if organisation_code == initiative.owner_code:
        raise ValidationFailed(
            "An organisation cannot adopt its own initiative.",
            [InvalidParameter(property="organisation", reason="is the initiative's owner", value=organisation_code)],
        )


def _check_own_initiative(session: Session, own_initiative_id: uuid.UUID | None, organisation_code: str) -> None:
    if own_initiative_id is None:
        return
    own = initiative_reads.get(session, own_initiative_id)
    if own is None or own.owner_code != organisation_code:
        raise ValidationFailed(
            "own_initiative_id must name an initiative the adopting organisation owns.",
            [
                InvalidParameter(
                    property="own_initiative_id",
                    reason="not an initiative of the adopter",
                    value=str(own_initiative_id),
                )
            ],
        )


def _check_caller_is_adopter(adoption: Adoption, caller: Caller) -> None:
    permissions.require_acting_for(
        caller, adoption.organisation_code, f"Only {adoption.organisation_code}, the adopter, may change this adoption."
    )


def _record(session: Session, adoption: Adoption, action: ChangeAction, caller: Caller, changes: dict) -> None:
    change_service.record(
        session,
        [
            change_service.new_change(
                entity=ENTITY,
                entity_id=adoption.id,
                initiative_id=adoption.initiative_id,
                action=action,
                caller=caller,
                snapshot=to_read(adoption).model_dump(mode="json"),
                changes=changes,
            )
        ],
    )


def mark_demo(session: Session, adoption_ids: Iterable[uuid.UUID]) -> None:
    session.execute(sql_update(Adoption).where(col(Adoption.id).in_(list(adoption_ids))).values(is_demo=True))


def delete_demo(session: Session, demo_initiative_ids: Iterable[uuid.UUID]) -> int:
    """Delete demo adoptions and any adoption of a demo initiative (it cannot outlive it); an
    adoption naming a demo initiative as its own keeps standing without it."""
    ids = list(demo_initiative_ids)
    session.execute(sql_update(Adoption).where(col(Adoption.own_initiative_id).in_(ids)).values(own_initiative_id=None))
    deleted = session.connection().execute(
        sql_delete(Adoption).where(or_(col(Adoption.is_demo), col(Adoption.initiative_id).in_(ids)))
    )
    return deleted.rowcount
