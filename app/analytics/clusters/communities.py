"""Duplication clusters that need cohesion, not a chain.

Clusters are found in the graph of pairs taken to be the same work (a score of at least
`thresholds.SAME_WORK_SCORE`, or judged `same` by people; pairs judged `different` are cut) with
the Leiden algorithm (Traag, Waltman & van Eck 2019, via igraph) under the Constant Potts Model:
a partition is better by Σ over clusters of (the weight of its pairs − RESOLUTION × its number
of possible pairs). A group is a cluster only while its pairs are on average stronger than
RESOLUTION, so one initiative that resembles two topics joins one of them and cannot merge them,
and a large topic whose members each list only their closest matches still holds together.

Pairs judged `same` are joined before the algorithm runs (a node of their own, weighing its
members), so they always share a cluster. The result is a function of the graph only: nodes
and pairs are given in key order and the algorithm's random choices start from a fixed seed.
"""

import random
from collections.abc import Iterable

import igraph

# Chosen with SAME_WORK_SCORE on the development set's cluster B-cubed F (docs/analytics/overlap.md).
RESOLUTION = 0.2
SEED = 20261130


def clusters(edges: Iterable[tuple[str, str, float]], joined: Iterable[tuple[str, str]] = ()) -> list[list[str]]:
    """Clusters of two or more keys, each sorted, in order of their first key. `edges` are the
    pairs with their weights; `joined` the pairs that must share a cluster."""
    edges = list(edges)
    groups = _joined(joined)
    nodes = sorted({key for a, b, _weight in edges for key in (a, b)} | set(groups))
    node_of = {key: groups.get(key, key) for key in nodes}
    heads = sorted(set(node_of.values()))
    position = {head: number for number, head in enumerate(heads)}
    sizes = [0] * len(heads)
    for key in nodes:
        sizes[position[node_of[key]]] += 1
    weights: dict[tuple[int, int], float] = {}
    for a, b, weight in edges:
        first, second = sorted((position[node_of[a]], position[node_of[b]]))
        if first != second:
            weights[first, second] = weights.get((first, second), 0.0) + weight
    pairs = sorted(weights)
    graph = igraph.Graph(n=len(heads), edges=pairs)
    igraph.set_random_number_generator(random.Random(SEED))
    partition = graph.community_leiden(
        objective_function="CPM",
        weights=[weights[pair] for pair in pairs],
        resolution=RESOLUTION,
        node_weights=sizes,
        n_iterations=-1,
    )
    membership = partition.membership  # a new list at each access
    members: dict[int, list[str]] = {}
    for key in nodes:
        members.setdefault(membership[position[node_of[key]]], []).append(key)
    return sorted((sorted(group) for group in members.values() if len(group) > 1), key=lambda group: group[0])


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each key of a joined pair and the smallest key it is joined with, directly or not."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for a, b in pairs:
        low, high = sorted((root(a), root(b)))
        parent[high] = low
    return {key: root(key) for key in parent}
