"""Initiatives as the analytics' reports list them (`InitiativeBrief`)."""

import uuid
from collections.abc import Iterable

from sqlmodel import Session

from app.analytics.schemas import InitiativeBrief
from app.initiatives import reads as initiative_reads
from app.organisations import service as organisation_service


def briefs(session: Session, keys: Iterable[str]) -> dict[str, InitiativeBrief]:
    """The initiatives with these ids (as strings), by id, in two queries."""
    found = initiative_reads.briefs(session, (uuid.UUID(key) for key in keys))
    owners = organisation_service.labels_by_code(session, (brief.owner_code for brief in found.values()))
    return {
        str(brief.id): InitiativeBrief(
            id=brief.id,
            title=brief.title,
            owner=brief.owner_code,
            owner_name=owners[brief.owner_code].name,
            county_code=owners[brief.owner_code].county_code,
            status=brief.status,
            category=brief.category,
            budget_sek=brief.budget_sek,
            realised_benefit_sek_per_year=brief.realised_benefit_sek_per_year,
        )
        for brief in found.values()
    }
