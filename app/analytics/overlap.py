"""Overlap: initiatives in different organisations that describe the same work.

The score of a pair is the cosine similarity of the two initiatives' TF-IDF vectors, so it
runs from 0 (nothing in common) to 1 (the same words in the same proportions). An
initiative's features are:

- the Snowball stems of its title (counted twice: a title says most), summary and description,
  without Swedish function words ("och", "för", "som" …);
- one feature per tag (`#hemtjänst`), so a shared tag weighs like a shared rare word;
- one feature for the named solution (`=lifecare`), so two users of one product meet.

Term frequency is dampened (1 + ln tf) and every feature is weighted by its smoothed
inverse document frequency ln((1 + n) / (1 + df)) + 1 over the whole registry, so words
that every initiative uses ("digital", "kommun") count for little.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from app.core.text import normalise, stem, stems

TAG_PREFIX = "#"
SOLUTION_PREFIX = "="
TITLE_WEIGHT = 2
# Rows compared per sparse product: bounds memory to about CHUNK_ROWS × corpus size.
CHUNK_ROWS = 512
CLOSEST_PER_DOCUMENT = 25
# From this score on, two initiatives are taken to be the same work: duplication groups,
# the `pilot_of_proven` flag and an organisation's own related initiative all use it.
SAME_WORK_SCORE = 0.3
SCORE_DECIMALS = 4
SCORE_STEPS = 10**SCORE_DECIMALS
# Common Swedish function words (after Snowball's own list); they say nothing about the work.
STOP_WORDS = frozenset("""
alla allt andra att av bara bli blir blev de dem den denna deras dess dessa det detta dig din dina
ditt du där efter ej eller en er era ert ett från för genom ha hade han hans har henne hennes hon
honom hur här i icke ingen inom inte jag ju kan kunde man med mellan men mig min mina mitt mot
mycket ni nu när någon något några och om oss på samma sedan sig sin sina sitta själv skulle som
så sådan sådana till under upp ut utan vad var vara varför varit varje vars vart vem vi vid vilka
vilkas vilken vilket vår våra vårt än är åt över också samt ska kommer nya ny även inför via
""".split())
STOP_STEMS = frozenset(stem(word) for word in STOP_WORDS)


@dataclass(frozen=True)
class Document:
    """One initiative reduced to what overlap compares."""

    key: str
    owner_code: str
    features: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class OverlapIndex:
    """Every document's L2-normalised TF-IDF row, for pairwise cosine products.

    Documents sit in key order, so comparing two positions compares their keys.
    """

    keys: np.ndarray
    owner_codes: tuple[str, ...]
    owner_ids: np.ndarray
    matrix: sparse.csr_matrix
    vocabulary: np.ndarray
    positions: dict[str, int]

    def position(self, key: str) -> int | None:
        return self.positions.get(key)

    def owner_id(self, code: str) -> int | None:
        return self.owner_codes.index(code) if code in self.owner_codes else None


@dataclass(frozen=True, eq=False)
class Pairs:
    """Pairs of documents as parallel arrays: positions `first` < `second` (or `first` the one
    asked about, for neighbours) and their scores, best score first."""

    first: np.ndarray
    second: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.score)

    def select(self, chosen: np.ndarray) -> "Pairs":
        return Pairs(self.first[chosen], self.second[chosen], self.score[chosen])


def features(
    title: str, summary: str | None, description: str | None, tags: Iterable[str], solution_name: str | None
) -> tuple[str, ...]:
    """The features of one initiative, as the module docstring lists them."""
    words = stems(title) * TITLE_WEIGHT + stems(summary or "") + stems(description or "")
    found = [word for word in words if word not in STOP_STEMS]
    found += [TAG_PREFIX + normalise(tag) for tag in tags]
    if solution_name and solution_name.strip():
        found.append(SOLUTION_PREFIX + normalise(solution_name.strip()))
    return tuple(found)


def build_index(documents: Sequence[Document]) -> OverlapIndex:
    """Documents are indexed in key order, so a pair always names the smaller key first."""
    documents = sorted(documents, key=lambda document: document.key)
    keys = np.array([document.key for document in documents], dtype=str)
    owner_codes, owner_ids = np.unique(np.array([d.owner_code for d in documents], dtype=object), return_inverse=True)
    positions = {document.key: position for position, document in enumerate(documents)}
    if not any(document.features for document in documents):
        empty = sparse.csr_matrix((len(documents), 0))
        return OverlapIndex(keys, tuple(owner_codes), owner_ids, empty, np.array([], dtype=object), positions)
    vectoriser = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
    matrix = vectoriser.fit_transform([document.features for document in documents]).tocsr()
    return OverlapIndex(keys, tuple(owner_codes), owner_ids, matrix, vectoriser.get_feature_names_out(), positions)


def find_pairs(index: OverlapIndex, min_score: float) -> Pairs:
    """Pairs of documents with different owners scoring at least `min_score`, best first.

    A pair is kept when either document is among the other's `CLOSEST_PER_DOCUMENT` best
    matches: that bounds the list at n × CLOSEST_PER_DOCUMENT pairs even when hundreds of
    initiatives describe the same thing, yet every document keeps its closest matches.
    """
    blocks = list(_blocks(index, min_score)) or [_NO_PAIRS]
    found = Pairs(*(np.concatenate([getattr(block, field) for block in blocks])
                    for field in ("first", "second", "score")))
    # Both documents may have chosen the same pair: keep it once.
    found = found.select(np.unique(found.first.astype(np.int64) * len(index.keys) + found.second,
                                   return_index=True)[1])
    return found.select(np.lexsort((found.second, found.first, -found.score)))


def neighbours(index: OverlapIndex, key: str, min_score: float) -> Pairs:
    """Documents of other owners that score at least `min_score` against `key`, best first."""
    position = index.position(key)
    if position is None or index.matrix.shape[1] == 0:
        return _NO_PAIRS
    row = (index.matrix[position] @ index.matrix.T).tocoo()
    scores = _rounded(row.data)
    keep = (index.owner_ids[row.col] != index.owner_ids[position]) & (scores >= min_score)
    found = Pairs(np.full(keep.sum(), position), row.col[keep], scores[keep])
    return found.select(np.lexsort((found.second, -found.score)))


def shared_features(index: OverlapIndex, first: int, second: int) -> list[str]:
    """The features two documents share, by their contribution to the score, heaviest first."""
    product = index.matrix[first].multiply(index.matrix[second]).tocoo()
    heaviest = sorted(zip(product.data, product.col), key=lambda item: (-item[0], index.vocabulary[item[1]]))
    return [str(index.vocabulary[column]) for _weight, column in heaviest]


def involvement_codes(index: OverlapIndex, involvement: Iterable[tuple[str, str]]) -> np.ndarray:
    """(document, organisation) statements as numbers, for `coordinated`; only owners can matter."""
    width = len(index.owner_codes)
    owner_ids = {code: number for number, code in enumerate(index.owner_codes)}
    return np.array([index.positions[key] * width + owner_ids[code] for key, code in involvement
                     if key in index.positions and code in owner_ids], dtype=np.int64)


def coordinated(index: OverlapIndex, pairs: Pairs, involvement: np.ndarray) -> np.ndarray:
    """For each pair: does either owner take part in, or has it recorded an adoption of, the other's initiative?"""
    width = len(index.owner_codes)
    forward = pairs.first.astype(np.int64) * width + index.owner_ids[pairs.second]
    backward = pairs.second.astype(np.int64) * width + index.owner_ids[pairs.first]
    return np.isin(forward, involvement) | np.isin(backward, involvement)


def clusters(index: OverlapIndex, pairs: Pairs) -> list[np.ndarray]:
    """Groups of documents joined, directly or through others, by the given pairs; each group's
    positions ascending, groups in order of their first position. Lone documents form none."""
    size = len(index.keys)
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs.first, pairs.second)), shape=(size, size))
    _count, labels = connected_components(graph, directed=False)
    linked = np.unique(np.concatenate([pairs.first, pairs.second]))
    # A stable sort by group keeps each group's positions ascending; split where the group changes.
    ordered = linked[np.argsort(labels[linked], kind="stable")]
    groups = np.split(ordered, np.flatnonzero(np.diff(labels[ordered])) + 1) if len(ordered) else []
    return sorted(groups, key=lambda members: members[0])


def label_features(index: OverlapIndex, members: np.ndarray, limit: int) -> list[str]:
    """The features that weigh most across a group (Σ of its rows), tags before words, no solutions."""
    weights = np.asarray(index.matrix[members].sum(axis=0)).ravel()
    heaviest = [str(index.vocabulary[column]) for column in np.argsort(-weights, kind="stable") if weights[column] > 0]
    tags = [feature[1:] for feature in heaviest if feature.startswith(TAG_PREFIX)]
    words = [feature for feature in heaviest if feature[0] not in (TAG_PREFIX, SOLUTION_PREFIX)]
    return (tags + words)[:limit]


def _blocks(index: OverlapIndex, min_score: float) -> Iterator[Pairs]:
    """Each chunk of rows against every row: its documents' closest matches, as (smaller, larger) position pairs."""
    transposed = index.matrix.T.tocsc()
    for start in range(0, len(index.keys), CHUNK_ROWS):
        block = (index.matrix[start:start + CHUNK_ROWS] @ transposed).tocoo()
        # Cheapest cut first, keeping every score that could round up to `min_score`.
        keep = block.data >= min_score - 5e-5
        rows, columns, scores = block.row[keep] + start, block.col[keep], _rounded(block.data[keep])
        # A different owner also rules out each document's pair with itself.
        keep = (scores >= min_score) & (index.owner_ids[rows] != index.owner_ids[columns])
        rows, columns, scores = rows[keep], columns[keep], scores[keep]
        best = _closest(rows, columns, scores, len(index.keys))
        yield Pairs(np.minimum(rows, columns)[best], np.maximum(rows, columns)[best], scores[best])


def _closest(rows: np.ndarray, columns: np.ndarray, scores: np.ndarray, width: int) -> np.ndarray:
    """Indexes of each row's `CLOSEST_PER_DOCUMENT` best scores (ties to the smaller column)."""
    # One int64 sort key (row, then score descending in its four decimals, then column) sorts
    # far faster than a three-key lexsort over millions of candidates.
    descending = SCORE_STEPS - np.rint(scores * SCORE_STEPS).astype(np.int64)
    order = np.argsort((rows.astype(np.int64) * (SCORE_STEPS + 1) + descending) * width + columns)
    ordered_rows = rows[order]
    rank = np.arange(len(order)) - np.searchsorted(ordered_rows, ordered_rows, side="left")
    return order[rank < CLOSEST_PER_DOCUMENT]


def _rounded(scores: np.ndarray) -> np.ndarray:
    # Four decimals: stable across engines and rebuilds, so cursors over scores stay valid.
    return np.round(np.minimum(scores, 1.0), SCORE_DECIMALS)


def _identity(document: tuple[str, ...]) -> tuple[str, ...]:
    return document


_NO_PAIRS = Pairs(np.array([], dtype=np.int32), np.array([], dtype=np.int32), np.array([], dtype=np.float64))
