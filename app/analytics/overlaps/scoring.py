"""Scoring pairs of initiatives, and the index that keeps every initiative's closest matches.

Each initiative's features (`features.Features`) become one vector: each space (concepts,
words, letter grams) is scaled to unit length (concepts to `max(length, CONCEPT_FLOOR)`, so that
sharing only a broad technology such as "AI" is not sharing a solution) and weighted by the
square root of its weight; a named product adds one feature of its own. The spaces are hashed
into one sparse vector, and the score of a pair is the dot product of their vectors:

    score = Σ over spaces  weight(space) × similarity(space)

It runs from 0 (nothing in common) to about 1 (the same text) and depends on the two texts
only, never on the rest of the registry (the features use fixed Swedish word frequencies, not
the registry's), so the same contents give the same scores in whatever order they were written.

`Index` holds every live initiative's vector and its `NEIGHBOURS` best matches among other
owners' initiatives scoring at least `FLOOR`; a pair is scored only when the two share a
selective feature (`features.Features.selective`). That drops pairs sharing only common words
and grams, but not the work: on the evaluation set 21 % of all pairs share a selective feature,
and a full build multiplies, for each block of like texts, only the vectors of those that share
one with the block. A full build scores each text once however many initiatives hold it
(`rank_all`), but still grows with the square of the number of different texts that share
features. The pairs it
reports are those in either side's list: at most n × NEIGHBOURS even when hundreds of
initiatives describe the same thing. A pair is the same work from `SAME_WORK_SCORE`, or from
`MUTUAL_SCORE` while each is among the other's `MUTUAL_NEIGHBOURS` closest (`same_work`). Every
list (and mark) that a change may have altered is worked out again, so the pairs are a function
of the contents, not of the order of the changes (a test loads one set in several orders and
compares).
"""

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby, pairwise
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

from app.analytics.overlaps.features import Features
from app.analytics.overlaps.thresholds import FLOOR, MUTUAL_NEIGHBOURS, MUTUAL_SCORE, SAME_WORK_SCORE

# Space weights and the thresholds, chosen on the development part of the evaluation set
# (tests/analytics/data/eval/overlap_dev.json); see docs/analytics/overlap.md.
SPACE_WEIGHTS = {"concepts": 0.43, "words": 0.22, "grams": 0.35, "solution": 0.1}
CONCEPT_FLOOR = 3.0
NEIGHBOURS = 20
# Initiatives scored at once against all: bounds the memory a product takes. Ranking 20,000
# synthetic initiatives peaked at 1,006 MB with 512 and 666 MB with 128, no slower (the same lists).
BLOCK = 128
SCORE_DECIMALS = 4
# Raise when what a score is made of changes (features, weights): the indexer then builds anew.
METHOD = f"v4-{NEIGHBOURS}-{FLOOR}-{SAME_WORK_SCORE}-{MUTUAL_NEIGHBOURS}-{MUTUAL_SCORE}-{CONCEPT_FLOOR}"
DIMENSIONS = 2**22
_hasher = FeatureHasher(n_features=DIMENSIONS, input_type="dict", alternate_sign=False)


@dataclass(frozen=True)
class Document:
    """One initiative as the index compares it."""

    key: str
    owner_code: str
    features: Features


def weighted_features(features: Features) -> dict[str, float]:
    """The initiative's features with the weights whose dot product is the score."""
    weighted: dict[str, float] = {}
    concept_norm = max(_norm(features.concepts), CONCEPT_FLOOR)
    for name, values, norm in (
        ("concepts", features.concepts, concept_norm),
        ("words", features.words, _norm(features.words)),
        ("grams", features.grams, _norm(features.grams)),
    ):
        if norm > 0:
            scale = math.sqrt(SPACE_WEIGHTS[name]) / norm
            weighted.update({f"{name[0]}:{key}": value * scale for key, value in values.items()})
    if features.solution:
        weighted[f"s:{features.solution}"] = math.sqrt(SPACE_WEIGHTS["solution"])
    return weighted


def score(first: Features, second: Features) -> float:
    """The score of a pair (see the module docstring)."""
    one, other = weighted_features(first), weighted_features(second)
    return rounded(sum(value * other.get(key, 0.0) for key, value in one.items()))


def rounded(value: float) -> float:
    return float(_rounded(np.array([value]))[0])


def _rounded(values: np.ndarray) -> np.ndarray:
    # Four decimals: the same on every engine and platform, and for one pair as for a block.
    return np.round(np.minimum(values.astype(np.float64), 1.0), SCORE_DECIMALS)


def _norm(values: dict[str, float]) -> float:
    return math.sqrt(sum(value * value for value in values.values()))


@dataclass(frozen=True)
class _Scores:
    """One key's scores: the positions scored and their scores, best first."""

    positions: np.ndarray
    values: np.ndarray


class Index:
    """Every live initiative's vector and its list of closest matches (see the module docstring).

    A list holds at most `neighbours` other owners' initiatives scoring at least `floor`, best
    first, ties to the smaller key: a function of the current vectors only. Positions are never
    reused while the index lives, so a removed initiative's position stays empty.
    """

    def __init__(self, neighbours: int = NEIGHBOURS, floor: float = FLOOR) -> None:
        self.neighbours, self.floor = neighbours, floor
        self._keys: list[str | None] = []
        self._positions: dict[str, int] = {}
        self._owners: list[str] = []
        self._owner_numbers: dict[str, int] = {}  # an owner's number in `_stacked`, kept while the index lives
        self._vectors: list[tuple[np.ndarray, np.ndarray]] = []  # per position: columns, values
        self._selectives: list[np.ndarray] = []
        self._lists: list[tuple[np.ndarray, np.ndarray]] = []  # per position: partner positions, scores
        self._bars: list[float] = []  # per position: the score a key must reach to enter its list (`_store`)
        self._lasts: list[int] = []  # per position: its full list's last entry, which a key tying the bar must precede
        self._listings = _Listings()
        self._matrices: _Stacked | None = None

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, key: str) -> bool:
        return key in self._positions

    def keys(self) -> list[str]:
        return list(self._positions)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._positions))

    def owner_of(self, key: str) -> str:
        return self._owners[self._positions[key]]

    def best(self, key: str) -> list[tuple[str, float]]:
        """The key's list: its closest matches with their scores, best first."""
        partners, scores = self._lists[self._positions[key]]
        return [(self._key(p), s) for p, s in zip(partners.tolist(), scores.tolist(), strict=True)]

    def scores_against(self, key: str, others: Iterable[str]) -> dict[str, float]:
        """The scores of `key` against each of `others` present in the index, selective feature
        shared or not (for pairs a person has judged)."""
        present = [other for other in others if other in self._positions]
        if not present:
            return {}  # most keys: reading a row of the stacked vectors costs more than the rest
        vectors = self._stacked().vectors
        row = vectors[self._positions[key]]
        return {other: rounded(float((row @ vectors[self._positions[other]].T).sum())) for other in present}

    def key_at(self, position: int) -> str:
        return self._key(position)

    def position_of(self, key: str) -> int:
        return self._positions[key]

    @property
    def size(self) -> int:
        """Positions in use or once used: what position arrays are sized by."""
        return len(self._keys)

    def best_marked(self, key: str) -> list[tuple[str, float, bool]]:
        """The key's list, each match marked with whether the pair is the same work (`same_work`)."""
        near = self._near(self._positions[key])
        return [(other, value, self._is_same_work(key, other, value, near)) for other, value in self.best(key)]

    def same_work(self, key: str, other: str, value: float) -> bool:
        """Whether a pair scoring `value` is the same work: it scores at least `SAME_WORK_SCORE`, or
        each is among the other's `MUTUAL_NEIGHBOURS` closest matches."""
        return self._is_same_work(key, other, value, self._near(self._positions[key]))

    def _is_same_work(self, key: str, other: str, value: float, near: set[int]) -> bool:
        if value >= SAME_WORK_SCORE:
            return True
        if value < MUTUAL_SCORE:
            return False
        position, partner = self._positions[key], self._positions.get(other)
        return partner is not None and partner in near and position in self._near(partner)

    def _near(self, position: int) -> set[int]:
        return set(self._lists[position][0][:MUTUAL_NEIGHBOURS].tolist())

    def same_work_edges(self, holders: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair that the lists of `holders` (positions; all by default) hold and that is the
        same work (`same_work`), once, as positions (smaller first) and scores."""
        holders = np.arange(self.size) if holders is None else holders.astype(np.int64)
        holder, partners, scores, ranks = self._entries(holders)
        size = self.size
        # Only a pair from MUTUAL_SCORE to below SAME_WORK_SCORE depends on being mutual: only those
        # are looked up (in the synthetic registry, whose lists hold twins, none is).
        asked = (ranks < MUTUAL_NEIGHBOURS) & (scores >= MUTUAL_SCORE) & (scores < SAME_WORK_SCORE)
        kept = scores >= SAME_WORK_SCORE
        if asked.any():
            asking, near_partners, _scores, near_ranks = self._entries(np.unique(partners[asked]))
            near = (asking * size + near_partners)[near_ranks < MUTUAL_NEIGHBOURS]
            kept[asked] = np.isin(partners[asked] * size + holder[asked], near)
        first, second = np.minimum(holder, partners)[kept], np.maximum(holder, partners)[kept]
        pairs, where = np.unique(first * size + second, return_index=True)  # one number a pair: sorts fast
        return pairs // size, pairs % size, scores[kept][where]

    def listing(self, positions: np.ndarray) -> np.ndarray:
        """The positions whose lists hold one of `positions`, and perhaps some that no longer do
        (`_Listings`): for walking the pair graph out from a few positions, and for finding the
        lists an edit may change."""
        return self._listings.holders(positions, lambda: self._entries(np.arange(self.size))[:2], self.size)

    def _entries(self, holders: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The entries of the lists of `holders`, end to end: holder, partner, score, rank."""
        lists = [self._lists[holder] for holder in holders.tolist()]
        lengths = np.fromiter((len(partners) for partners, _scores in lists), dtype=np.int64, count=len(lists))
        if not lengths.sum():
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
        partners = np.concatenate([partners for partners, _scores in lists]).astype(np.int64)
        scores = np.concatenate([scores for _partners, scores in lists])
        ranks = np.arange(len(partners)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.repeat(holders, lengths), partners, scores, ranks

    def place(self, documents: Iterable[Document]) -> None:
        """Add documents without working out any list: the first part of a full build, which
        `rank_all` ends."""
        documents = list(documents)
        self._place_all(documents, _vectors(documents))

    def _place_all(self, documents: list[Document], vectors: list[tuple[np.ndarray, np.ndarray]]) -> None:
        for document, vector, selective in zip(documents, vectors, _selectives(documents), strict=True):
            self._place(document, vector, selective)

    def rank_all(self) -> None:
        """Work out every list from scratch. Initiatives with the same text (*twins*: the same
        vector and selective features) score alike against every other, so each text is scored
        once, against one twin of each other text, and its twins' lists are drawn from those
        scores: a registry that holds one text many times costs what one holding it once does."""
        vectors, selectives, owners, alive, keys = self._stacked()
        living = np.flatnonzero(alive)
        by_key = living[np.argsort(keys[living], kind="stable")].tolist()
        key_rank = np.zeros(self.size, np.int64)
        key_rank[by_key] = np.arange(len(by_key))
        twins = self._twins(by_key)
        heads = _Heads([self._head(members, owners) for members in twins])
        texts = [int(members[0]) for members in twins]
        number_of = {position: number for number, position in enumerate(texts)}
        grouped = [number_of[self._positions[key]] for key in self._grouped([self._key(p) for p in texts])]
        text_vectors, text_selectives = vectors[texts], selectives[texts]
        for start in range(0, len(grouped), BLOCK):
            block = np.array(grouped[start : start + BLOCK])
            rows, partners, values = heads.expand(*_block_scores(text_vectors, text_selectives, block, self.floor))
            order = np.lexsort((key_rank[partners], -values, rows))  # by row, best first, ties to the smaller key
            rows, partners, values = rows[order], partners[order], values[order]
            bounds = np.searchsorted(rows, np.arange(len(block) + 1))
            for row, number in enumerate(block.tolist()):
                found = slice(bounds[row], bounds[row + 1])
                self._list_twins(twins[number], partners[found], values[found], owners)

    def _twins(self, by_key: list[int]) -> list[np.ndarray]:
        """The positions `by_key` grouped by text (vector and selective features alike), each group
        in the order given."""
        groups: dict[bytes, list[int]] = {}
        for position in by_key:
            groups.setdefault(self._text_digest(position), []).append(position)
        return [np.array(positions, np.int64) for positions in groups.values()]

    def _text_digest(self, position: int) -> bytes:
        """What twins share: a digest of the vector and the selective features (a digest, not
        the arrays: a copy of every vector would double a large build's memory)."""
        (columns, values), selective = self._vectors[position], self._selectives[position]
        digest = hashlib.blake2b(digest_size=16)
        for part in (columns, values, selective):
            digest.update(len(part).to_bytes(4, "little") + part.tobytes())
        return digest.digest()

    def _head(self, twins: np.ndarray, owners: np.ndarray) -> np.ndarray:
        """The twins any list can hold: by key, as many as fill a list after leaving out those of
        the list's own owner (those further on lose every tie to these)."""
        return twins[: self.neighbours + int(np.bincount(owners[twins]).max())]

    def _list_twins(self, twins: np.ndarray, partners: np.ndarray, scores: np.ndarray, owners: np.ndarray) -> None:
        """Set the lists of one text's twins from its scores against the heads of other texts'
        twins (`_head`), ranked."""
        partner_owners = owners[partners]
        for position in twins.tolist():
            kept = np.flatnonzero(partner_owners != owners[position])[: self.neighbours]
            self._store(position, partners[kept].astype(np.int32), scores[kept])

    def _grouped(self, keys: list[str]) -> list[str]:
        """The keys in blocks of like initiatives: sorted by their rarest selective features (the
        fewest initiatives hold them), so that a block's initiatives mostly share their candidates
        and `_scored` multiplies fewer vectors. Only the work depends on the order, not a list."""
        held_by = np.asarray(self._stacked().selectives.sum(axis=0)).ravel()

        def rarest_first(key: str) -> tuple[list[int], str]:
            columns = self._selectives[self._positions[key]]
            columns = columns[held_by[columns] > 1]  # a feature no other holds selects nothing
            return columns[np.lexsort((columns, held_by[columns]))][:3].tolist(), key

        return sorted(keys, key=rarest_first)

    def apply(self, documents: Iterable[Document], removed: Iterable[str] = ()) -> set[str]:
        """Add or replace `documents` and drop `removed`; returns the keys whose lists changed (a
        removed key's among them: its list is now empty) or whose pairs' `same_work` did."""
        documents = list(documents)
        # Each text is hashed once: to see whether it changed, and then to place it.
        fresh = [pair for pair in zip(documents, _vectors(documents), strict=True) if not self._holds(*pair)]
        documents, vectors = [document for document, _vector in fresh], [vector for _document, vector in fresh]
        changed = {document.key for document in documents} | {key for key in removed if key in self._positions}
        present = [key for key in changed if key in self._positions]
        holders = self._holders_of(present)  # lists that hold a changed key: they are worked out again
        before = {key: self.best(key) for key in {*present, *holders}}
        near_before = {key: self._near(self._positions[key]) for key in before}
        self.remove(changed - {document.key for document in documents})
        self._place_all(documents, vectors)
        return self._rework(changed, holders, before, near_before)

    def remove(self, keys: Iterable[str]) -> None:
        """Drop keys without working out any list (see `place`, `adopt`)."""
        for key in keys:
            if key in self._positions:
                self._unplace(key)
                self._matrices = None

    def adopt(self, listed: Iterable[tuple[str, str, float]], changed: set[str]) -> set[str]:
        """Take up lists worked out earlier, instead of working out all (`rank_all`): `listed` are
        their (holder, other, score) rows in order of holder, each list as it was for the contents
        before the keys of `changed` changed; the vectors placed are the contents now. Works out
        again every list those changes may alter, as `apply` does, and returns what `apply`
        returns (a list of a key no longer placed counts as changed: it is now empty). A changed
        key's stored list may hold more than this index would (pairs people pinned, see
        `app.analytics.indexer`): every key it held counts as changed too, as its mark may have
        rested on that list."""
        holders, gone = set(), set()
        kept: dict[str, list[tuple[str, float]]] = {}  # the stored lists worked out again, ranked
        for key, rows in groupby(listed, key=itemgetter(0)):
            scored = {other: value for _key, other, value in rows}
            if key not in self._positions:
                gone.add(key)
                continue
            if any(other in changed or other not in self._positions for other in scored):
                holders.add(key)
            if key in changed or key in holders:
                kept[key] = _ranked(scored, len(scored))
            placed = {other: value for other, value in scored.items() if other in self._positions}
            self._set_list(key, _ranked(placed, self.neighbours))
        present = (changed | holders) & set(self._positions)
        before = {key: kept.get(key, []) for key in present}
        near_before = {key: self._near(self._positions[key]) for key in present}
        held = {other for key in changed for other, _value in kept.get(key, [])}
        return self._rework(changed | gone, holders, before, near_before) | held

    def _rework(
        self,
        changed: set[str],
        holders: set[str],
        before: dict[str, list[tuple[str, float]]],
        near_before: dict[str, set[int]],
    ) -> set[str]:
        """Work out again the lists of the `changed` keys (placed anew, or gone) and of the lists
        that held one of them (`holders`), and offer the changed keys to every other list; `before`
        and `near_before` hold those lists, and their closest positions, as they were."""
        lists_changed = {key for key in changed if key not in self._positions}
        fresh = sorted(changed & set(self._positions))
        redone = sorted((holders - changed) & set(self._positions))
        # A fresh key's every score is offered to the others' lists; a redone key needs its best.
        scored = self._scored(fresh, self.floor) | self._scored(redone, self.floor, self.neighbours)
        for key in fresh + redone:
            if self._set_list(key, self._best_of(scored[key])) != before.get(key):
                lists_changed.add(key)
        bars, lasts = np.array(self._bars), np.array(self._lasts)
        for key in fresh:
            for other, value in self._offers(key, scored[key], bars, lasts):
                if other not in changed and other not in holders and self._takes(other, key, value):
                    near_before.setdefault(other, self._near(self._positions[other]))
                    self._set_list(other, _ranked(dict([*self.best(other), (key, value)]), self.neighbours))
                    lists_changed.add(other)
        return lists_changed | self._marks_changed(lists_changed, near_before)

    def _offers(self, key: str, scored: _Scores, bars: np.ndarray, lasts: np.ndarray) -> list[tuple[str, float]]:
        """The scores of `key` that pass their list's bar: above it, or tying it with a key that
        precedes the list's last. Of thousands, most lists refuse all but a few, and a text many
        organisations wrote ties hundreds of bars (`_takes` decides; lists only rise while a batch
        offers, so bars read before are low enough)."""
        positions, values = scored.positions, scored.values
        keys = self._stacked().keys
        bar = bars[positions]
        passes = (values > bar) | ((values == bar) & (keys[self._positions[key]] < keys[lasts[positions]]))
        return self._named(positions[passes], values[passes])

    def _best_of(self, scored: _Scores) -> list[tuple[str, float]]:
        """The list these scores (best first) make: the `neighbours` best, ties to the smaller key.
        Only those scoring at least the last place's score are sorted (thousands, for a text many
        organisations wrote), and only those taken are named."""
        top = _best(scored, self.neighbours)
        order = np.lexsort((self._stacked().keys[top.positions], -top.values))[: self.neighbours]
        return self._named(top.positions[order], top.values[order])

    def _named(self, positions: np.ndarray, values: np.ndarray) -> list[tuple[str, float]]:
        return [(self._key(p), v) for p, v in zip(positions.tolist(), values.tolist(), strict=True)]

    def _marks_changed(self, lists_changed: set[str], near_before: dict[str, set[int]]) -> set[str]:
        """The keys whose pair with a key of `lists_changed` may have changed `same_work` although
        their own list did not: those the key's closest matches took in or let go, and that hold
        the key among their own closest."""
        found = set()
        for key in lists_changed & set(self._positions):
            position = self._positions[key]
            for partner in near_before.get(key, set()) ^ self._near(position):
                other = self._keys[partner]
                if other is not None and position in self._near(partner):
                    found.add(other)
        return found

    def _holders_of(self, keys: list[str]) -> set[str]:
        """The keys whose lists hold any of `keys` now."""
        positions = {self._positions[key] for key in keys}
        return {
            self._key(holder)
            for holder in self.listing(np.array(sorted(positions), dtype=np.int64)).tolist()
            if not positions.isdisjoint(self._lists[holder][0].tolist())
        }

    def _holds(self, document: Document, vector: tuple[np.ndarray, np.ndarray]) -> bool:
        """Whether the index already holds this document, hashed as `vector`, as it is (an edit
        that changed no text)."""
        position = self._positions.get(document.key)
        if position is None or self._owners[position] != document.owner_code:
            return False
        columns, values = self._vectors[position]
        return np.array_equal(columns, vector[0]) and np.array_equal(values, vector[1])

    def _set_list(self, key: str, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        self._store(
            self._positions[key],
            np.array([self._positions[other] for other, _value in ranked], dtype=np.int32),
            np.array([value for _other, value in ranked], dtype=np.float64),
        )
        return ranked

    def _store(self, position: int, partners: np.ndarray, scores: np.ndarray) -> None:
        """Set a position's list and its bar: the last entry's score when the list is full, else none."""
        self._listings.took(position, partners, self._lists[position][0])
        self._lists[position] = (partners, scores)
        is_full = len(scores) >= self.neighbours
        self._bars[position] = float(scores[-1]) if is_full else -math.inf
        self._lasts[position] = int(partners[-1]) if is_full else 0

    def _takes(self, holder: str, key: str, value: float) -> bool:
        """Whether `key`, scoring `value`, belongs in `holder`'s list: most offers do not, so this
        reads the list's last entry only."""
        partners, scores = self._lists[self._positions[holder]]
        if len(partners) < self.neighbours:
            return True
        return (-value, key) < (-float(scores[-1]), self._key(int(partners[-1])))

    def _key(self, position: int) -> str:
        key = self._keys[position]
        assert key is not None, "a list never holds a removed initiative"
        return key

    def _place(self, document: Document, vector: tuple[np.ndarray, np.ndarray], selective: np.ndarray) -> None:
        if document.key in self._positions:
            position = self._positions[document.key]
            self._owners[position] = document.owner_code
            self._vectors[position], self._selectives[position] = vector, selective
            self._matrices = None
            return
        self._positions[document.key] = len(self._keys)
        self._keys.append(document.key)
        self._owners.append(document.owner_code)
        self._vectors.append(vector)
        self._selectives.append(selective)
        self._lists.append((np.zeros(0, np.int32), np.zeros(0, np.float64)))
        self._bars.append(-math.inf)
        self._lasts.append(0)

    def _unplace(self, key: str) -> None:
        position = self._positions.pop(key)
        self._keys[position] = None
        self._vectors[position] = (np.zeros(0, np.int32), np.zeros(0, np.float32))
        self._selectives[position] = np.zeros(0, np.int32)
        self._store(position, np.zeros(0, np.int32), np.zeros(0, np.float64))

    def _scored(self, keys: list[str], floor: float, best: int | None = None) -> dict[str, _Scores]:
        """Each key's scores against every other owner's initiative it shares a selective feature
        with, at least `floor` and above 0, best first (with `best`, only its `best` highest and
        any tied with the last of them). They stay arrays of positions: a fresh key scores
        thousands, and only those a list takes are named (`_best_of`, `_offers`). Twins among the
        keys (as in `rank_all`) are scored once, a block of texts at a time: a twin's scores are
        the first's, less those of its own owner (itself among them)."""
        twins: dict[bytes, list[str]] = {}
        for key in keys:
            twins.setdefault(self._text_digest(self._positions[key]), []).append(key)
        texts = list(twins.values())
        found: dict[str, _Scores] = {}
        if not texts:
            return found
        vectors, selectives, owners, alive, _keys = self._stacked()
        for start in range(0, len(texts), BLOCK):
            block = texts[start : start + BLOCK]
            positions = np.array([self._positions[members[0]] for members in block])
            rows, columns, values = _block_scores(vectors, selectives, positions, floor)
            kept = alive[columns]
            rows, columns, values = rows[kept], columns[kept], values[kept]
            bounds = np.searchsorted(rows, np.arange(len(block) + 1))
            for row, members in enumerate(block):
                text_columns, text_values = (
                    columns[bounds[row] : bounds[row + 1]],
                    values[bounds[row] : bounds[row + 1]],
                )
                for key in members:
                    other = owners[text_columns] != owners[self._positions[key]]
                    found[key] = _best(_Scores(text_columns[other], text_values[other]), best)
        return found

    def _stacked(self) -> "_Stacked":
        """Every position's vector, selective features, owner, whether it holds an initiative and
        its key, as arrays. Positions added since are appended to them (a batch of new initiatives
        does not stack 50,000 vectors again); any other change of the index stacks them all again."""
        if self._matrices is None:
            self._matrices = self._stack(0)
        elif (stacked := self._matrices.vectors.shape[0]) < self.size:
            old, new = self._matrices, self._stack(stacked)
            self._matrices = _Stacked(
                sparse.vstack([old.vectors, new.vectors], format="csr"),
                sparse.vstack([old.selectives, new.selectives], format="csr"),
                np.concatenate([old.owners, new.owners]),
                np.concatenate([old.alive, new.alive]),
                np.concatenate([old.keys, new.keys]),
            )
        return self._matrices

    def _stack(self, start: int) -> "_Stacked":
        """`_stacked` for the positions from `start` on."""
        vectors, keys = self._vectors[start:], self._keys[start:]
        return _Stacked(
            _csr([v[0] for v in vectors], [v[1] for v in vectors]),
            _csr(self._selectives[start:], None),
            np.array(
                [self._owner_numbers.setdefault(owner, len(self._owner_numbers)) for owner in self._owners[start:]]
            ),
            np.array([key is not None for key in keys], dtype=bool),
            np.array([b"" if key is None else key.encode() for key in keys], dtype=bytes),
        )


class _Stacked(NamedTuple):
    """The index's positions as arrays (`Index._stacked`)."""

    vectors: sparse.csr_matrix
    selectives: sparse.csr_matrix
    owners: np.ndarray  # each position's owner, as a number
    alive: np.ndarray  # whether the position holds an initiative
    keys: np.ndarray  # each position's key in UTF-8, whose byte order is the keys' order (b"" when empty)


class _Listings:
    """Which lists hold each position, for `Index.listing`: a snapshot of every list's entries by
    the position they name, taken when first asked, and the entries lists took in since. An entry
    a list let go stays until the next snapshot (finding it costs what a snapshot does), so the
    holders found may include some that no longer hold the position. A snapshot is taken again
    once the entries taken in since outnumber a quarter of its own."""

    def __init__(self) -> None:
        self._bounds: np.ndarray | None = None  # by position: where its holders begin in `_holders`
        self._holders = np.zeros(0, np.int32)
        self._since: dict[int, list[int]] = {}
        self._count = 0

    def took(self, holder: int, partners: np.ndarray, before: np.ndarray) -> None:
        if self._bounds is None:
            return  # no snapshot yet: the first one reads every list as it then is
        for partner in set(partners.tolist()).difference(before.tolist()):
            self._since.setdefault(partner, []).append(holder)
            self._count += 1

    def holders(
        self, positions: np.ndarray, every_entry: Callable[[], tuple[np.ndarray, np.ndarray]], size: int
    ) -> np.ndarray:
        """`every_entry`: each list entry's holder and partner, for a snapshot of `size` positions."""
        if self._bounds is None or self._count > len(self._holders) // 4:
            self._snapshot(*every_entry(), size)
        assert self._bounds is not None
        known = positions[positions < len(self._bounds) - 1]
        starts, ends = self._bounds[known], self._bounds[known + 1]
        lengths = ends - starts
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        since = [holder for position in positions.tolist() for holder in self._since.get(position, ())]
        return np.unique(np.concatenate([self._holders[offsets], np.array(since, dtype=np.int32)]))

    def _snapshot(self, holders: np.ndarray, partners: np.ndarray, size: int) -> None:
        self._holders = holders[np.argsort(partners, kind="stable")].astype(np.int32)
        self._bounds = np.concatenate([[0], np.cumsum(np.bincount(partners, minlength=size))])
        self._since, self._count = {}, 0


def _best(scores: _Scores, best: int | None) -> _Scores:
    """The `best` highest scores and any tied with the last of them (which of those a list takes
    is by key); all without `best`."""
    if best is None or len(scores.values) <= best:
        return scores
    last = int(np.searchsorted(-scores.values, -scores.values[best - 1], side="right"))
    return _Scores(scores.positions[:last], scores.values[:last])


class _Heads:
    """The heads of every text's twins (`Index._head`), end to end, by the text's number."""

    def __init__(self, heads: list[np.ndarray]) -> None:
        self.lengths = np.fromiter(map(len, heads), dtype=np.int64, count=len(heads))
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.positions = np.concatenate(heads) if heads else np.zeros(0, np.int64)

    def expand(
        self, rows: np.ndarray, texts: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each (row, text, score) as one (row, position, score) for each position of the text's head."""
        counts = self.lengths[texts]
        begins = np.cumsum(counts) - counts  # where each entry's positions begin in the result
        offsets = np.repeat(self.starts[texts] - begins, counts) + np.arange(int(counts.sum()))
        return np.repeat(rows, counts), self.positions[offsets], np.repeat(values, counts)


def _block_scores(
    vectors: sparse.csr_matrix, selectives: sparse.csr_matrix, block: np.ndarray, floor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scores of the `block`'s rows against every row sharing a selective feature with them,
    from `floor` up and above 0: row numbers in the block, rows, scores; by block row, best first."""
    # All × block, then turned: the block is transposed, never the whole matrix.
    shares = (selectives @ selectives[block].T).T.tocsr()
    shares.data[:] = 1.0
    # Only the rows sharing a selective feature with one of the block are multiplied.
    candidates = np.unique(shares.indices)
    scores = (vectors[candidates] @ vectors[block].T).T.multiply(shares[:, candidates]).tocoo()
    rows, columns, values = scores.row, candidates[scores.col], _rounded(scores.data)
    kept = (values >= floor) & (values > 0)
    rows, columns, values = rows[kept], columns[kept], values[kept]
    order = np.lexsort((-values, rows))
    return rows[order], columns[order], values[order]


def _vectors(documents: list[Document]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each document's weighted features, hashed: columns and values."""
    hashed = _hashed([weighted_features(document.features) for document in documents])
    return [(columns, values.astype(np.float32)) for columns, values in hashed]


def _selectives(documents: list[Document]) -> list[np.ndarray]:
    """Each document's selective features, hashed: columns."""
    hashed = _hashed([dict.fromkeys(document.features.selective, 1.0) for document in documents])
    return [columns for columns, _values in hashed]


def _hashed(features: list[dict[str, float]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each row's hashed columns and values (all at once: one call costs far more than one row)."""
    if not features:
        return []
    matrix = _hasher.transform(features)
    matrix.sort_indices()
    indices, bounds = matrix.indices.astype(np.int32), matrix.indptr
    # Copies: a view would keep the whole batch alive as long as one row lives.
    return [(indices[a:b].copy(), matrix.data[a:b]) for a, b in pairwise(bounds)]


def _csr(columns: list[np.ndarray], values: list[np.ndarray] | None) -> sparse.csr_matrix:
    """Rows of (columns, values) as one matrix; without values, every value is 1."""
    lengths = np.fromiter(map(len, columns), dtype=np.int64, count=len(columns))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.concatenate(columns) if columns else np.zeros(0, np.int32)
    data = (
        np.ones(len(indices), np.float32)
        if values is None
        else np.concatenate(values)
        if values
        else np.zeros(0, np.float32)
    )
    return sparse.csr_matrix((data, indices, indptr), shape=(len(columns), DIMENSIONS))


def _ranked(scored: dict[str, float], limit: int) -> list[tuple[str, float]]:
    return sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:limit]
