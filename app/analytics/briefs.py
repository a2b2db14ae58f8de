"""Initiatives as the analytics' reports list them (`InitiativeBrief`)."""

import uuid
from collections.abc import Iterable

from sqlmodel import Session

from app.analytics.schemas import InitiativeBrief
from app.initiatives import reads as initiative_reads


def briefs(session: Session, keys: Iterable[str]) -> dict[str, InitiativeBrief]:
    """The initiatives with these ids (as strings), by id, from their stored documents."""
    found = initiative_reads.own_representations(session, (uuid.UUID(key) for key in keys))
    return {str(initiative_id): InitiativeBrief.model_validate(values) for initiative_id, values in found.items()}
