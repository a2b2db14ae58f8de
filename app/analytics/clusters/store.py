"""The cluster tables as the indexer writes them and the API reads them."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.analytics.clusters.models import Cluster, ClusterMember
from app.core.db import bulk_insert

CHUNK = 2_000


@dataclass(frozen=True)
class Found:
    """A cluster as the indexer found it: its members (sorted), label and concepts."""

    members: list[str]
    label: str
    concepts: list[str]

    @property
    def id(self) -> str:
        return self.members[0]


def replace(session: Session, cleared: Iterable[str], found: list[Found]) -> None:
    """Take the `cleared` initiatives out of their clusters (dropping the clusters they were in)
    and store `found`."""
    ids = [uuid.UUID(key) for key in cleared]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        old = select(col(ClusterMember.cluster_id)).where(col(ClusterMember.initiative_id).in_(chunk))
        dropped = list(session.connection().execute(old).scalars())
        session.execute(delete(Cluster).where(col(Cluster.id).in_(dropped)))
        session.execute(delete(ClusterMember).where(col(ClusterMember.cluster_id).in_(dropped)))
    bulk_insert(session, Cluster, [{"id": uuid.UUID(c.id), "label": c.label, "concepts": c.concepts} for c in found])
    bulk_insert(
        session,
        ClusterMember,
        [{"initiative_id": uuid.UUID(key), "cluster_id": uuid.UUID(c.id)} for c in found for key in c.members],
    )


def mates(session: Session, keys: Iterable[str]) -> dict[str, list[str]]:
    """Each clustered key's cluster, as its members (the key among them)."""
    ids = [uuid.UUID(key) for key in keys]
    found: dict[str, list[str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        clusters = select(col(ClusterMember.cluster_id)).where(col(ClusterMember.initiative_id).in_(chunk))
        statement = select(col(ClusterMember.cluster_id), col(ClusterMember.initiative_id)).where(
            col(ClusterMember.cluster_id).in_(clusters)
        )
        members: dict[uuid.UUID, list[str]] = {}
        for cluster_id, initiative_id in session.connection().execute(statement):
            members.setdefault(cluster_id, []).append(str(initiative_id))
        for listed in members.values():
            for key in listed:
                found[key] = sorted(listed)
    return found


def all_clusters(session: Session) -> dict[uuid.UUID, tuple[str, list[str], list[uuid.UUID]]]:
    """Every cluster: its label, concepts and members."""
    clusters: dict[uuid.UUID, tuple[str, list[str], list[uuid.UUID]]] = {
        cluster_id: (label, concepts, [])
        for cluster_id, label, concepts in session.connection().execute(
            select(col(Cluster.id), col(Cluster.label), col(Cluster.concepts))
        )
    }
    for cluster_id, initiative_id in session.connection().execute(
        select(col(ClusterMember.cluster_id), col(ClusterMember.initiative_id))
    ):
        clusters[cluster_id][2].append(initiative_id)
    return clusters
