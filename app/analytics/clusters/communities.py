"""Duplication clusters that need cohesion, not a chain.

Clusters are found in the graph of pairs taken to be the same work (a score of at least
`thresholds.SAME_WORK_SCORE`, or judged `same` by people; pairs judged `different` are cut) with
the Leiden algorithm (Traag, Waltman & van Eck 2019, via igraph) under the Constant Potts Model:
a partition is better by Σ over clusters of (the weight of its pairs − RESOLUTION × its number
of possible pairs). A group is a cluster only while its pairs are on average stronger than
RESOLUTION, so one initiative that resembles two topics joins one of them and cannot merge them,
and a large topic whose members each list only their closest matches still holds together.

Pairs judged `same` are joined before the algorithm runs (a node of their own, weighing its
members), so they always share a cluster. A part's clusters are a function of that part only:
each connected component is clustered on its own, its nodes and pairs in key order, the
algorithm's random choices starting from a fixed seed.
"""

import random
from collections.abc import Callable, Iterable

import igraph
import numpy as np

# Chosen with SAME_WORK_SCORE on the development set's cluster B-cubed F (docs/analytics/overlap.md).
RESOLUTION = 0.2
SEED = 20261130
# Raise it when the same graph gives other clusters (stored tables are then built again):
# 2 since each part is clustered on its own.
METHOD = "2"


def clusters(
    key_of: Callable[[int], str],
    first: np.ndarray,
    second: np.ndarray,
    weights: np.ndarray,
    joined: Iterable[tuple[int, int]] = (),
) -> list[list[str]]:
    """Clusters of two or more keys, each sorted, in order of their first key. Nodes are numbers
    (`key_of` gives each one's key): `first`, `second` and `weights` are the pairs with their
    weights, `joined` the pairs that must share a cluster. In arrays: a registry's graph has
    hundreds of thousands of pairs."""
    together = np.array(list(joined), dtype=np.int64).reshape(-1, 2)
    numbers = np.unique(np.concatenate([first, second, together.reshape(-1)]))
    keys = np.array([key_of(number) for number in numbers.tolist()])
    by_key = np.argsort(keys, kind="stable")
    rank = np.empty(len(numbers), dtype=np.int64)
    rank[by_key] = np.arange(len(numbers))  # each node's place in key order

    def ranked(nodes: np.ndarray) -> np.ndarray:
        return rank[np.searchsorted(numbers, nodes)]

    # Joined keys become one node (their smallest key heads it), weighing its members.
    head = np.arange(len(numbers))
    for member, smallest in _joined(ranked(together).tolist()).items():
        head[member] = smallest
    heads, node = np.unique(head, return_inverse=True)
    a, b = node[ranked(first)], node[ranked(second)]
    low, high = np.minimum(a, b), np.maximum(a, b)
    apart = low != high
    pairs, where = np.unique(low[apart] * len(heads) + high[apart], return_inverse=True)
    summed = np.bincount(where.reshape(-1), weights=weights[apart], minlength=len(pairs))
    graph = igraph.Graph(n=len(heads))
    ends = np.column_stack([pairs // len(heads), pairs % len(heads)])
    # As an array, not Python lists: at a million edges 0.4 s and 38 MB against 1.0 s and 70 MB
    # for lists of 100,000 at a time (the same graph).
    graph.add_edges(ends)
    graph.es["weight"] = summed
    graph.vs["node"] = range(len(heads))
    graph.vs["size"] = np.bincount(node, minlength=len(heads))
    lowest = np.arange(len(heads))  # each node's cluster, named by its smallest node
    # Each part (connected component) on its own, from the seed: the algorithm's random choices
    # run over every node it is given, so a part clustered beside others could come out otherwise
    # than alone, and a batch, which clusters the parts it touched, would not find what a full
    # build finds.
    for part in graph.decompose(minelements=2):
        igraph.set_random_number_generator(random.Random(SEED))
        membership = np.array(
            part.community_leiden(
                objective_function="CPM",
                weights="weight",
                resolution=RESOLUTION,
                node_weights="size",
                n_iterations=-1,
            ).membership
        )
        nodes = np.array(part.vs["node"])
        firsts = np.full(membership.max() + 1, len(heads))
        np.minimum.at(firsts, membership, nodes)
        lowest[nodes] = firsts[membership]
    cluster = lowest[node]  # by node in key order
    members: dict[int, list[str]] = {}
    for number, key in zip(cluster.tolist(), keys[by_key].tolist(), strict=True):
        members.setdefault(number, []).append(key)
    return [group for group in members.values() if len(group) > 1]  # in key order already


def _joined(pairs: Iterable[list[int]]) -> dict[int, int]:
    """Each node of a joined pair and the smallest node it is joined with, directly or not."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for a, b in pairs:
        low, high = sorted((root(a), root(b)))
        parent[high] = low
    return {node: root(node) for node in parent}
