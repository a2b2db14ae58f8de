"""How well overlaps and clusters match a labelled set of initiative texts.

A labelled set names, for each text, its overlap group (texts that do the same work) or none
(a hard negative: another problem in the same surroundings). The method is run on the set as a
registry of its own (each text its own owner) and measured as the service would answer:

- pairwise precision, recall and F1 of the pairs taken to be the same work (`scoring.Index.same_work`);
- hit@5: the share of texts with a partner that have one among their five best matches;
- cluster B-cubed precision, recall and F (Bagga & Baldwin 1998; Amigó et al. 2009): for each
  text, the share of its cluster that is in its group, and of its group that is in its
  cluster; a text in no cluster is a cluster of its own.

`pairwise_intervals` says how far the pairwise figures could move on another set written alike:
95 % intervals from resampling the set's groups with replacement, the method's decisions fixed.

`tests/analytics/test_overlap_quality.py` holds the floors; `bench/overlap_quality.py` prints
the table for docs/analytics/overlap.md.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from app.analytics.clusters import communities
from app.analytics.overlaps import scoring
from app.analytics.overlaps.features import features

HIT_AT = 5
INTERVAL_ROUNDS = 2_000
INTERVAL_SEED = 20261202


@dataclass(frozen=True)
class Text:
    key: str
    group: str | None
    document: scoring.Document


@dataclass(frozen=True)
class Quality:
    texts: int
    groups: int
    precision: float
    recall: float
    f1: float
    hit_at_5: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f: float


def load(path: Path) -> list[Text]:
    texts = json.loads(path.read_text(encoding="utf-8"))["initiatives"]
    return [
        Text(
            entry["id"],
            entry["group"],
            scoring.Document(
                entry["id"],
                entry["owner"],
                features(
                    entry["title"],
                    entry.get("summary"),
                    entry.get("description"),
                    entry.get("tags") or [],
                    entry.get("solution"),
                ),
            ),
        )
        for entry in texts
    ]


def measure(texts: list[Text]) -> Quality:
    index = _indexed(texts)
    groups = {text.key: text.group for text in texts}
    first, second, scores = index.same_work_edges()
    found = [
        (index.key_at(a), index.key_at(b), value)
        for a, b, value in zip(first.tolist(), second.tolist(), scores.tolist(), strict=True)
    ]
    precision, recall, f1 = _pairwise(found, groups)
    bcubed = _bcubed(communities.clusters(index.key_at, first, second, scores), groups)
    return Quality(
        texts=len(texts),
        groups=len({group for group in groups.values() if group}),
        precision=precision,
        recall=recall,
        f1=f1,
        hit_at_5=_hit_at(index, groups, HIT_AT),
        bcubed_precision=bcubed[0],
        bcubed_recall=bcubed[1],
        bcubed_f=bcubed[2],
    )


def pairwise_intervals(texts: list[Text], rounds: int = INTERVAL_ROUNDS) -> dict[str, tuple[float, float]]:
    """95 % intervals of pairwise precision, recall and F1: the set's units (a group's texts
    together, each hard negative alone) drawn with replacement `rounds` times, each draw scored
    with the pairs the method takes to be the same work on the whole set. A drawn copy of a
    unit meets the other units drawn, not another copy of itself."""
    counts = unit_counts(texts)
    draws = np.random.default_rng(INTERVAL_SEED).integers(0, len(counts.possible), (rounds, len(counts.possible)))
    taken = np.stack([np.bincount(draw, minlength=len(counts.possible)) for draw in draws])
    figures = np.array([counts.figures(row) for row in taken])
    low, high = np.percentile(figures, [2.5, 97.5], axis=0)
    return {name: (float(low[i]), float(high[i])) for i, name in enumerate(("precision", "recall", "f1"))}


@dataclass(frozen=True)
class UnitCounts:
    """Per unit of the set: its pairs that are the same work (`possible`), those of them the
    method found (`found`), and the pairs it found between each two units (`across`, all wrong)."""

    possible: np.ndarray
    found: np.ndarray
    across: np.ndarray

    def figures(self, taken: np.ndarray) -> tuple[float, float, float]:
        """Precision, recall and F1 of a draw that takes each unit `taken` times."""
        right = float(taken @ self.found)
        wrong = float(taken @ self.across @ taken) / 2
        possible = float(taken @ self.possible)
        precision = right / (right + wrong) if right + wrong else 0.0
        recall = right / possible if possible else 0.0
        return precision, recall, _harmonic(precision, recall)


def unit_counts(texts: list[Text]) -> UnitCounts:
    """The set's units, counted with the pairs the method takes to be the same work on the
    whole set (`UnitCounts`)."""
    index = _indexed(texts)
    # A group's texts are one unit; a hard negative is a unit of its own (and has no pair).
    unit_of = {text.key: (text.group, None) if text.group else (None, text.key) for text in texts}
    units = sorted(set(unit_of.values()), key=str)
    number = {unit: n for n, unit in enumerate(units)}
    sizes = np.bincount([number[unit] for unit in unit_of.values()], minlength=len(units))
    possible = sizes * (sizes - 1) // 2
    found, across = np.zeros(len(units)), np.zeros((len(units), len(units)))
    first, second, _scores = index.same_work_edges()
    for a, b in zip(first.tolist(), second.tolist(), strict=True):
        one, other = number[unit_of[index.key_at(a)]], number[unit_of[index.key_at(b)]]
        if one == other:
            found[one] += 1
        else:
            across[one, other] += 1
            across[other, one] += 1
    return UnitCounts(possible, found, across)


def _indexed(texts: list[Text]) -> scoring.Index:
    """The set as a registry of its own, every list worked out."""
    index = scoring.Index()
    index.apply(text.document for text in texts)
    return index


def _same_group(groups: dict[str, str | None], first: str, second: str) -> bool:
    return groups[first] is not None and groups[first] == groups[second]


def _pairwise(found: Iterable[tuple[str, str, float]], groups: dict[str, str | None]) -> tuple[float, float, float]:
    predicted = {frozenset((first, second)) for first, second, _value in found}
    actual = {frozenset(pair) for pair in combinations(groups, 2) if _same_group(groups, *pair)}
    right = len(predicted & actual)
    precision = right / len(predicted) if predicted else 0.0
    recall = right / len(actual) if actual else 0.0
    return precision, recall, _harmonic(precision, recall)


def _hit_at(index: scoring.Index, groups: dict[str, str | None], depth: int) -> float:
    hits = []
    for key in groups:
        partners = {other for other in groups if other != key and _same_group(groups, key, other)}
        if partners:
            best = [other for other, _value in index.best(key)][:depth]
            hits.append(bool(partners & set(best)))
    return sum(hits) / len(hits)


def _bcubed(clusters: list[list[str]], groups: dict[str, str | None]) -> tuple[float, float, float]:
    cluster_of = {key: frozenset(members) for members in clusters for key in members}
    members_of: dict[str, set[str]] = {}
    for key, group in groups.items():
        if group:
            members_of.setdefault(group, set()).add(key)
    precision = recall = 0.0
    for key, group in groups.items():
        cluster = cluster_of.get(key, frozenset({key}))
        truth = members_of[group] if group else {key}
        precision += len(cluster & truth) / len(cluster)
        recall += len(cluster & truth) / len(truth)
    precision, recall = precision / len(groups), recall / len(groups)
    return precision, recall, _harmonic(precision, recall)


def _harmonic(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
