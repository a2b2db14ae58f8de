"""The pair graph that clusters are found in, a part at a time.

Its nodes are initiatives; its pairs are those the machine takes to be the same work
(`scoring.Index.same_work`) unless people judged them related or different, and those people
judged the same. A batch clusters again only the parts (connected components) that hold an
initiative it touched: they are found by walking out from those initiatives a step of neighbours
at a time, so that what clustering costs a batch depends on the parts it touches, not on the
size of the registry. A part is a function of the lists and the judgements only, however it is
reached.
"""

from collections.abc import Iterable

import numpy as np

from app.analytics.overlaps import scoring
from app.core.enums import Verdict

Verdicts = dict[tuple[str, str], Verdict]


def part(index: scoring.Index, seeds: Iterable[str], verdicts: Verdicts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of every part that holds one of `seeds` (those not in the index are left out):
    positions (smaller first) and weights (a pair judged the same weighs 1), each pair once."""
    size = index.size
    judged = _judged(index, verdicts)
    cut = np.concatenate(list(judged.values()))  # every judged pair; those judged the same come back pinned
    pinned = judged[Verdict.same]
    reached = frontier = np.unique(np.array([index.position_of(key) for key in seeds if key in index], np.int64))
    firsts, seconds, weights = [], [], []
    while len(frontier):
        # Pairs are held by lists: those of the frontier, and those that hold one of it.
        first, second, scores = index.same_work_edges(np.union1d(frontier, index.listing(frontier)))
        kept = ~np.isin(first * size + second, cut[:, 0] * size + cut[:, 1]) & (
            np.isin(first, frontier) | np.isin(second, frontier)
        )
        held = np.isin(pinned, frontier).any(axis=1)
        firsts += [first[kept], pinned[held, 0]]
        seconds += [second[kept], pinned[held, 1]]
        weights += [scores[kept], np.ones(int(held.sum()))]
        frontier = np.setdiff1d(np.concatenate([first[kept], second[kept], pinned[held].ravel()]), reached)
        reached = np.union1d(reached, frontier)
    if not firsts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    _pairs, where = np.unique(first * size + second, return_index=True)  # a pair reached twice counts once
    return first[where], second[where], np.concatenate(weights)[where]


def _judged(index: scoring.Index, verdicts: Verdicts) -> dict[Verdict, np.ndarray]:
    """The judged pairs of initiatives in the index, by verdict, as rows of positions (smaller first)."""
    return {
        verdict: np.array(
            [
                sorted(map(index.position_of, pair))
                for pair, decided in verdicts.items()
                if decided == verdict and all(key in index for key in pair)
            ],
            dtype=np.int64,
        ).reshape(-1, 2)
        for verdict in Verdict
    }
