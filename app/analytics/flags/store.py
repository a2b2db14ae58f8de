"""The proven matches as the indexer writes them and flags and scaling read them."""

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from app.analytics.flags.models import ProvenMatch
from app.core.db import bulk_insert, delete_rows

CHUNK = 2_000


def changes(session: Session, cleared: Iterable[str], found: dict[str, str]) -> dict[str, str | None]:
    """What storing the `found` matches (initiative → proven initiative) of the `cleared`
    initiatives changes: each initiative whose match is new or other (→ its match) or gone
    (→ None): a batch writes those, not every match of the part of the graph it clustered again."""
    keys = list(cleared)
    before: dict[str, str] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = [uuid.UUID(key) for key in keys[start : start + CHUNK]]
        before |= {str(key): str(proven) for key, proven in matches(session, chunk).items()}
    return {key: found.get(key) for key in keys if found.get(key) != before.get(key)}


def write(session: Session, changes: dict[str, str | None]) -> None:
    ids = [uuid.UUID(key) for key in changes]
    for start in range(0, len(ids), CHUNK):
        delete_rows(session, ProvenMatch, "initiative_id", ids[start : start + CHUNK])
    bulk_insert(
        session,
        ProvenMatch,
        [
            {"initiative_id": uuid.UUID(key), "proven_id": uuid.UUID(proven)}
            for key, proven in changes.items()
            if proven is not None
        ],
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
