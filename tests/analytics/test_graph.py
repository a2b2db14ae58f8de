"""The parts of the pair graph that a batch clusters again (`indexer.graph.part`): walking out
from a few initiatives must find what a search of the whole graph finds, as the lists change."""

import random
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from app.analytics import evaluation
from app.analytics.indexer import graph
from app.analytics.overlaps import scoring
from app.analytics.overlaps.features import Features
from app.core.enums import Verdict

DEV = Path(__file__).parent / "data" / "eval" / "overlap_dev.json"
Pairs = set[tuple[str, str, float]]


def document(key: str, owner: str, **words: float) -> scoring.Document:
    bag = dict(words)
    return scoring.Document(key, owner, Features({}, bag, bag, None, {}, frozenset(f"w:{word}" for word in bag)))


def walked(index: scoring.Index, seeds: set[str], verdicts: graph.Verdicts) -> Pairs:
    first, second, weights = graph.part(index, seeds, verdicts)
    return named(index, first, second, weights)


def searched(index: scoring.Index, seeds: set[str], verdicts: graph.Verdicts) -> Pairs:
    """The parts holding a seed, from every same-work pair at once and scipy's components."""
    first, second, scores = index.same_work_edges()
    edges = {
        (int(a), int(b)): float(s) for a, b, s in zip(first.tolist(), second.tolist(), scores.tolist(), strict=True)
    }
    for pair, verdict in verdicts.items():
        if all(key in index for key in pair):
            a, b = sorted(map(index.position_of, pair))
            edges.pop((a, b), None)
            if verdict == Verdict.same:
                edges[a, b] = 1.0
    ends = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
    matrix = sparse.coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(index.size, index.size))
    _count, component = connected_components(matrix, directed=False)
    wanted = {component[index.position_of(key)] for key in seeds if key in index}
    kept = [(a, b) for a, b in edges if component[a] in wanted]
    return named(
        index,
        np.array([a for a, _ in kept]),
        np.array([b for _, b in kept]),
        np.array([edges[pair] for pair in kept]),
    )


def named(index: scoring.Index, first: np.ndarray, second: np.ndarray, weights: np.ndarray) -> Pairs:
    return {
        (index.key_at(a), index.key_at(b), w)
        for a, b, w in zip(first.tolist(), second.tolist(), weights.tolist(), strict=True)
    }


def test_a_part_reaches_an_initiative_that_only_other_lists_hold():
    index = scoring.Index(neighbours=2)
    index.apply([document(f"a{n}", f"o{n}", a=1) for n in range(1, 4)])
    assert walked(index, {"a1"}, {}) == searched(index, {"a1"}, {})  # what the index knew before
    index.apply([document("b", "o4", a=1, b=0.3)])
    # b lists a1 and a2, as the same work, but no twin lists b: their lists are full of each other.
    assert [other for other, _score in index.best("b")] == ["a1", "a2"]
    assert all("b" not in dict(index.best(key)) for key in ("a1", "a2", "a3"))
    part = walked(index, {"a3"}, {})
    assert {("a1", "b"), ("a2", "b")} <= {(one, other) for one, other, _weight in part}
    assert part == searched(index, {"a3"}, {})


def test_walking_finds_the_parts_a_whole_graph_search_finds_as_lists_change():
    rng = random.Random(7)
    texts = evaluation.load(DEV)
    documents = [text.document for text in texts]
    index = scoring.Index(neighbours=4)  # short lists: many pairs held by one side only
    checked = 0
    for start in range(0, len(documents), 60):
        index.apply(documents[start : start + 60], removed=rng.sample(index.keys(), k=min(5, len(index))))
        keys = index.keys()
        verdicts: graph.Verdicts = {tuple(sorted(rng.sample(keys, 2))): rng.choice(list(Verdict)) for _ in range(10)}
        for _ in range(5):
            seeds = set(rng.sample(keys, rng.randint(1, 8))) | {"gone"}
            walk = walked(index, seeds, verdicts)
            assert walk == searched(index, seeds, verdicts)
            checked += len(walk)
    assert checked > 100  # the parts were not all empty
