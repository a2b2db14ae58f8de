"""Forgetting initiatives that were deleted outright (the demo's): every table the indexer keeps
loses them at once, so pages read no row of a missing initiative, and the indexer builds all
again at its next batch."""

import uuid

from sqlmodel import Session

from app.analytics.clusters import store as cluster_store
from app.analytics.flags import store as flag_store
from app.analytics.indexer import state as indexer_state
from app.analytics.overlaps import judgements
from app.analytics.overlaps import store as overlap_store


def forget(session: Session, ids: list[uuid.UUID]) -> None:
    keys = [str(initiative_id) for initiative_id in ids]
    cluster_store.write(session, cluster_store.changes(cluster_store.held(session, keys), []))
    overlap_store.delete_pairs_naming(session, keys)
    overlap_store.delete_profiles(session, keys)
    flag_store.delete_matches_naming(session, ids)
    judgements.delete_involving(session, ids)
    indexer_state.invalidate(session)
