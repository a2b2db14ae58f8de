"""Duplication clusters: groups of initiatives joined by overlapping pairs, and their labels."""

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from app.analytics.overlaps.scoring import SOLUTION_PREFIX, TAG_PREFIX, OverlapIndex, Pairs


def clusters(size: int, pairs: Pairs) -> list[np.ndarray]:
    """Groups of positions joined, directly or through others, by the given pairs; each group's
    positions ascending, groups in order of their first position. Lone documents form none."""
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs.first, pairs.second)), shape=(size, size))
    _count, labels = connected_components(graph, directed=False)
    linked = np.unique(np.concatenate([pairs.first, pairs.second]))
    # A stable sort by group keeps each group's positions ascending; split where the group changes.
    ordered = linked[np.argsort(labels[linked], kind="stable")]
    groups = np.split(ordered, np.flatnonzero(np.diff(labels[ordered])) + 1) if len(ordered) else []
    return sorted(groups, key=lambda members: members[0])


def label_features(index: OverlapIndex, members: np.ndarray, limit: int) -> list[str]:
    """The word features that weigh most across a group (Σ of its rows), tags before words, no solutions."""
    words = len(index.vectoriser.words.vocabulary_) if index.vectoriser else 0
    weights = np.asarray(index.matrix[members][:, :words].sum(axis=0)).ravel()
    heaviest = [str(index.vocabulary[column]) for column in np.argsort(-weights, kind="stable") if weights[column] > 0]
    tags = [feature[1:] for feature in heaviest if feature.startswith(TAG_PREFIX)]
    plain = [feature for feature in heaviest if feature[0] not in (TAG_PREFIX, SOLUTION_PREFIX)]
    return (tags + plain)[:limit]
