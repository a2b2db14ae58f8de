"""What adoptions add to every read of an initiative: how many organisations have recorded
that they use it, by status; and the list's filters `adopted_by` and `min_adopters`."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from app.adoptions import service as adoption_service
from app.adoptions.models import Adoption
from app.core.enums import AdoptionStatus
from app.initiatives.query import InitiativeQuery
from app.initiatives.reads import COLUMNS, InitiativeRow


class AdoptionCounts:
    field = "adoption_counts"

    def values(self, session: Session, rows: Sequence[InitiativeRow]) -> dict[uuid.UUID, Any]:
        counts = adoption_service.counts_by_status(session, [row.id for row in rows])
        return {
            row.id: {status.value: counts.get(row.id, {}).get(status, 0) for status in AdoptionStatus} for row in rows
        }

    def condition(self, session: Session, query: InitiativeQuery) -> ColumnElement[bool] | None:
        conditions = []
        if query.adopted_by:
            adopted = _active().where(Adoption.organisation_code == query.adopted_by)
            conditions.append(COLUMNS.id.in_(adopted))
        if query.min_adopters:
            popular = _active().group_by(Adoption.initiative_id).having(func.count() >= query.min_adopters)
            conditions.append(COLUMNS.id.in_(popular))
        return and_(*conditions) if conditions else None


def _active():
    return select(Adoption.initiative_id).where(col(Adoption.status).in_(adoption_service.ACTIVE_STATUSES))
