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
from app.initiatives.derived import Prepared
from app.initiatives.query import InitiativeQuery
from app.initiatives.records import COLUMNS


class AdoptionCounts:
    field = "adoption_counts"

    def columns(self) -> Sequence[ColumnElement[Any]]:
        return [
            select(func.count())
            .where(col(Adoption.initiative_id) == COLUMNS.id, col(Adoption.status) == status)
            .scalar_subquery()
            for status in AdoptionStatus
        ]

    def prepare(self, session: Session, ids: Sequence[uuid.UUID]) -> Prepared:
        return Prepared({}, _counts)

    def condition(self, session: Session, query: InitiativeQuery) -> ColumnElement[bool] | None:
        conditions = []
        if query.adopted_by:
            adopted = _active().where(Adoption.organisation_code == query.adopted_by)
            conditions.append(COLUMNS.id.in_(adopted))
        if query.min_adopters:
            popular = _active().group_by(col(Adoption.initiative_id)).having(func.count() >= query.min_adopters)
            conditions.append(COLUMNS.id.in_(popular))
        return and_(*conditions) if conditions else None


_STATUSES = tuple(status.value for status in AdoptionStatus)


def _counts(_initiative_id: uuid.UUID, counts: Sequence[Any]) -> dict[str, int]:
    return dict(zip(_STATUSES, counts, strict=True))


def _active():
    return select(col(Adoption.initiative_id)).where(col(Adoption.status).in_(adoption_service.ACTIVE_STATUSES))
