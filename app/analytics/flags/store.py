"""The proven matches as the indexer writes them and flags and scaling read them."""

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from app.analytics.flags.models import ProvenMatch
from app.core.db import bulk_insert

CHUNK = 2_000


def replace(session: Session, cleared: Iterable[str], matches: dict[str, str]) -> None:
    """Drop the `cleared` initiatives' matches and store `matches` (initiative → proven initiative)."""
    ids = [uuid.UUID(key) for key in cleared]
    for start in range(0, len(ids), CHUNK):
        session.execute(delete(ProvenMatch).where(col(ProvenMatch.initiative_id).in_(ids[start : start + CHUNK])))
    bulk_insert(
        session,
        ProvenMatch,
        [{"initiative_id": uuid.UUID(key), "proven_id": uuid.UUID(proven)} for key, proven in matches.items()],
    )


def matches(session: Session, ids: Iterable[uuid.UUID] | None = None) -> dict[uuid.UUID, uuid.UUID]:
    """Initiative → its proven match: all, or for these initiatives."""
    statement = select(col(ProvenMatch.initiative_id), col(ProvenMatch.proven_id))
    if ids is not None:
        statement = statement.where(col(ProvenMatch.initiative_id).in_(list(ids)))
    return dict(session.connection().execute(statement).all())


def delete_matches_naming(session: Session, ids: list[uuid.UUID]) -> None:
    """Delete every proven match with one of these initiatives on either side."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(
            delete(ProvenMatch).where(
                or_(col(ProvenMatch.initiative_id).in_(chunk), col(ProvenMatch.proven_id).in_(chunk))
            )
        )
