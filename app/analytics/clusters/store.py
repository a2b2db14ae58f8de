"""The cluster tables as the indexer writes them and the API reads them."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.analytics.clusters.models import Cluster, ClusterMember
from app.core.db import bulk_insert, delete_rows, uuid_text

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


@dataclass(frozen=True)
class Changes:
    """What writing newly found clusters changes in the tables (`changes`, `write`)."""

    dropped: list[str]  # the ids of stored clusters that go
    added: list[Found]


def changes(before: dict[str, Found], found: list[Found]) -> Changes:
    """The clusters to drop and to add so that the initiatives of the stored clusters `before`
    (`held`) are in the `found` clusters, or in none: each of those goes, unless one found is the
    same (members, label and concepts). A batch re-clusters whole parts of the pair graph, and
    writes only the clusters that differ, not every cluster of the part again."""
    kept = {cluster.id for cluster in found if before.get(cluster.id) == cluster}
    return Changes([key for key in before if key not in kept], [cluster for cluster in found if cluster.id not in kept])


def write(session: Session, changes: Changes) -> None:
    for start in range(0, len(changes.dropped), CHUNK):
        dropped = [uuid.UUID(key) for key in changes.dropped[start : start + CHUNK]]
        delete_rows(session, ClusterMember, "cluster_id", dropped)
        delete_rows(session, Cluster, "id", dropped)
    added = changes.added
    bulk_insert(session, Cluster, [{"id": uuid.UUID(c.id), "label": c.label, "concepts": c.concepts} for c in added])
    bulk_insert(
        session,
        ClusterMember,
        [{"initiative_id": uuid.UUID(key), "cluster_id": uuid.UUID(c.id)} for c in added for key in c.members],
    )


def held(session: Session, keys: Iterable[str]) -> dict[str, Found]:
    """The stored clusters that hold any of these initiatives, by id."""
    members = _members(session, keys)
    statement = select(col(Cluster.id), col(Cluster.label), col(Cluster.concepts))
    found: dict[str, Found] = {}
    ids = list(members)
    for start in range(0, len(ids), CHUNK):
        for cluster_id, label, concepts in session.connection().execute(
            statement.where(col(Cluster.id).in_(ids[start : start + CHUNK]))
        ):
            found[str(cluster_id)] = Found(members[cluster_id], label, concepts)
    return found


def mates(session: Session, keys: Iterable[str]) -> dict[str, list[str]]:
    """Each clustered key's cluster, as its members (the key among them)."""
    return {key: listed for listed in _members(session, keys).values() for key in listed}


def _members(session: Session, keys: Iterable[str]) -> dict[uuid.UUID, list[str]]:
    """The members (sorted) of each stored cluster that holds any of these initiatives."""
    ids = [uuid.UUID(key) for key in keys]
    members: dict[uuid.UUID, set[str]] = {}
    for start in range(0, len(ids), CHUNK):
        holding = select(col(ClusterMember.cluster_id)).where(
            col(ClusterMember.initiative_id).in_(ids[start : start + CHUNK])
        )
        statement = select(col(ClusterMember.cluster_id), uuid_text(col(ClusterMember.initiative_id))).where(
            col(ClusterMember.cluster_id).in_(holding)
        )
        # A set: a cluster holding keys of two chunks is read once for each.
        for cluster_id, key in session.connection().execute(statement):
            members.setdefault(cluster_id, set()).add(key)
    return {cluster_id: sorted(listed) for cluster_id, listed in members.items()}


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
