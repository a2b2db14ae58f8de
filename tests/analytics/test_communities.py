"""Clusters from the pair graph: cohesive groups, in key order, whatever the nodes' numbers."""

from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from app.analytics import evaluation
from app.analytics.clusters import communities
from app.analytics.overlaps import scoring

DEV = Path(__file__).parent / "data" / "eval" / "overlap_dev.json"

# Numbers as an index places initiatives: not in the order of their keys.
KEYS = {7: "a", 3: "b", 9: "c", 1: "x", 5: "y", 2: "z", 4: "lone"}


def clusters(pairs: list[tuple[int, int, float]], joined: list[tuple[int, int]] = ()) -> list[list[str]]:
    first, second, weights = (np.array(column) for column in zip(*pairs, strict=True))
    return communities.clusters(KEYS.__getitem__, first, second, weights.astype(float), joined)


TRIANGLES = [(7, 3, 0.9), (3, 9, 0.8), (9, 7, 0.85), (1, 5, 0.9), (5, 2, 0.8), (2, 1, 0.85)]


def test_one_weak_pair_does_not_chain_two_groups_and_clusters_come_in_key_order():
    assert clusters([*TRIANGLES, (9, 1, 0.25)]) == [["a", "b", "c"], ["x", "y", "z"]]


def test_a_joined_pair_shares_a_cluster_whatever_its_weight():
    found = clusters([*TRIANGLES, (4, 7, 0.01)], joined=[(4, 2)])
    assert ["a", "b", "c"] in found
    assert any({"lone", "z"} <= set(cluster) for cluster in found)


def test_a_part_of_the_graph_is_clustered_as_it_would_be_alone():
    """A batch clusters only the parts it touched, a full build all of them: a part's clusters
    must not depend on what else is clustered beside it."""
    texts = evaluation.load(DEV)
    index = scoring.Index()
    index.apply([text.document for text in texts])
    first, second, weights = index.same_work_edges()
    together = communities.clusters(index.key_at, first, second, weights)
    ends = sparse.coo_matrix((np.ones(len(first)), (first, second)), shape=(index.size, index.size))
    _count, part = connected_components(ends, directed=False)
    alone = []
    for number in np.unique(part[first]).tolist():
        kept = part[first] == number
        alone += communities.clusters(index.key_at, first[kept], second[kept], weights[kept])
    assert len(np.unique(part[first])) > 20  # many parts, several of them large
    assert sorted(together) == sorted(alone)
