"""Overlap: initiatives in different organisations that describe the same work.

The score of a pair is a weighted sum of two cosine similarities, so it runs from 0 (nothing
in common) to 1 (the same text):

    score = WORD_WEIGHT × cos(word vectors) + (1 − WORD_WEIGHT) × cos(character vectors)

- *Words*: the Snowball stems of the title (counted twice: a title says most), summary and
  description without Swedish function words; the parts of each compound that the corpus
  also uses on their own (`compound_parts`: fallsensorer → fall, sensor); one feature per tag
  (`#hemtjänst`) and one for the named solution (`=lifecare`), so two users of one product
  meet. Words that only say a project is digital (`GENERIC_STEMS`) weigh a quarter.
- *Characters*: the character trigrams of the title's, summary's and tags' stems, each stem
  padded with `<` and `>`. They join compounds the lexicon cannot split and survive typos
  (`nattilsyn` meets `nattillsyn`).
- Abbreviations and spelling variants are read in one form (`CANONICAL`), so "RPA" meets
  "robotiserad processautomatisering" and "e-underskrift" meets "e-signering".

Both spaces are TF-IDF: term frequency dampened (1 + ln tf), every feature weighted by its
smoothed inverse document frequency ln((1 + n) / (1 + df)) + 1 over the whole registry, so
words every initiative uses count for little. Each space is L2-normalised and scaled by the
square root of its weight before the two are placed side by side, so one sparse dot product
gives the weighted sum above.

The vocabulary, lexicon and document frequencies are fixed when the index is built; later
documents are vectorised with them (`update_index`), which keeps an update cheap.
"""

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sparse_dot_topn import sp_matmul_topn

from app.core.text import normalise, stem, words

TAG_PREFIX = "#"
SOLUTION_PREFIX = "="
TITLE_WEIGHT = 2
WORD_WEIGHT = 0.3
GRAM_LENGTH = 3  # trigrams beat 4- and 5-grams on the evaluation set
# Rows compared per sparse product.
CHUNK_ROWS = 4096
SAME_OWNER_MARGIN = 10
THREADS = os.cpu_count() or 1
CLOSEST_PER_DOCUMENT = 25
# The default threshold: from this score on two initiatives are taken to be the same work.
# Overlap lists without `min_score`, duplication clusters, the `pilot_of_proven` flag and
# scaling candidates all use it. Tuned for precision on tests/analytics/data/overlap_eval.json.
SAME_WORK_SCORE = 0.275
SCORE_DECIMALS = 4
SCORE_STEPS = 10**SCORE_DECIMALS
# Common Swedish function words (after Snowball's own list); they say nothing about the work.
STOP_WORDS = frozenset(
    """
alla allt andra att av bara bli blir blev de dem den denna deras dess dessa det detta dig din dina
ditt du där efter ej eller en er era ert ett från för genom ha hade han hans har henne hennes hon
honom hur här i icke ingen inom inte jag ju kan kunde man med mellan men mig min mina mitt mot
mycket ni nu när någon något några och om oss på samma sedan sig sin sina sitta själv skulle som
så sådan sådana till under upp ut utan vad var vara varför varit varje vars vart vem vi vid vilka
vilkas vilken vilket vår våra vårt än är åt över också samt ska kommer nya ny även inför via
""".split()
)
# Words that say a project is digital, or how it is run, but not what it is about: they weigh a quarter.
GENERIC_WEIGHT = 0.25
GENERIC_STEMS = frozenset(
    stem(word)
    for word in """
digital digitala digitalt digitalisering etjänst etjänster app system verktyg lösning införande
införa smart smarta kommun kommunens kommunerna projekt pilot ny nytt använda användning stöd
gemensam gemensamma gemensamt upphandling upphandla samverkan plattform region regionen
""".split()
)
MIN_PART = 3
# Words in more than a twentieth, and character grams in more than a tenth, of a large corpus
# ("kommun", "<di", "ing") are left out: they say little about the work, yet would make almost
# every pair of initiatives share something, and the all-pairs product costs the sum of the
# squares of the features' document frequencies. A small corpus keeps features up to 50.
WORD_MAX_DF = 0.05
GRAM_MAX_DF = 0.1
MAX_DF_FLOOR = 50
# Abbreviations and spelling variants common in Swedish public-sector portfolios, read as one
# form so that "RPA" meets "robotiserad processautomatisering" and "e-underskrift" "e-signering".
CANONICAL = {
    r"artificiell(?:a)? intelligens": "ai",
    r"sakernas internet|internet of things": "iot",
    r"robotiserad(?:e)? processautomati(?:sering|on)|mjukvarurobot(?:ar|en|arna)?": "rpa",
    r"e-?underskrift(?:er|en|erna)?|elektronisk(?:a)? underskrift(?:er)?|digital(?:a)? underskrift(?:er)?|"
    r"e-?signering(?:en)?|digital signering(?:en)?": "esignering",
    r"chat+bot(?:ar|en|arna)?": "chattbot",
    r"säbo": "särskilt boende",
    r"1:1|en-till-en": "entillen",
    r"e-(?=\w)": "e",
}
# One pass over the text: each pattern is a named alternative, its replacement found by name.
_CANONICAL = re.compile("|".join(rf"\b(?P<c{number}>{pattern})" for number, pattern in enumerate(CANONICAL)))
_REPLACEMENTS = {f"c{number}": replacement for number, replacement in enumerate(CANONICAL.values())}
_MARKERS = (TAG_PREFIX, SOLUTION_PREFIX)


@dataclass(frozen=True)
class Features:
    """One initiative's features: weighted words (stems, tags, solution), character grams, and
    the words as written, for splitting compounds."""

    words: tuple[str, ...]
    grams: tuple[str, ...]
    surfaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One initiative reduced to what overlap compares."""

    key: str
    owner_code: str
    features: Features


class Vectoriser:
    """The two TF-IDF spaces side by side, each scaled so one dot product is the weighted score.

    Fitting also learns the corpus's lexicon (every word stem that occurs on its own), so a
    compound is read with its parts as well (`compound_parts`)."""

    def __init__(self) -> None:
        self.words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
        self.grams = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
        self.lexicon: frozenset[str] = frozenset()
        self.word_weights: np.ndarray = np.array([])
        self._parts: dict[str, list[str]] = {}

    def fit_transform(self, documents: Sequence[Features]) -> sparse.csr_matrix:
        self.lexicon = frozenset(word for d in documents for word in (*d.surfaces, *d.words) if word[0] not in _MARKERS)
        words = _fit(self.words, [self._split(d) for d in documents], WORD_MAX_DF)
        names = self.words.get_feature_names_out()
        self.word_weights = np.array([GENERIC_WEIGHT if _is_generic(name) else 1.0 for name in names])
        grams = _fit(self.grams, [d.grams for d in documents], GRAM_MAX_DF)
        return self._joined(words, grams)

    def transform(self, documents: Sequence[Features]) -> sparse.csr_matrix:
        return self._joined(
            self.words.transform([self._split(d) for d in documents]),
            self.grams.transform([d.grams for d in documents]),
        )

    def vocabulary(self) -> np.ndarray:
        return np.concatenate([self.words.get_feature_names_out(), self.grams.get_feature_names_out()])

    def _split(self, document: Features) -> list[str]:
        return [*document.words, *(part for word in document.surfaces for part in self._stemmed_parts(word))]

    def _stemmed_parts(self, word: str) -> list[str]:
        if word not in self._parts:
            self._parts[word] = [stem(part) for part in compound_parts(word, self.lexicon)]
        return self._parts[word]

    def _joined(self, words: sparse.spmatrix, grams: sparse.spmatrix) -> sparse.csr_matrix:
        words = normalize(words @ sparse.diags(self.word_weights))
        return sparse.hstack(
            [words * np.sqrt(WORD_WEIGHT), grams * np.sqrt(1 - WORD_WEIGHT)], format="csr", dtype=np.float32
        )


def _fit(vectorizer: TfidfVectorizer, documents: Sequence[Sequence[str]], max_df_share: float) -> sparse.csr_matrix:
    """Fit without the features too common to tell initiatives apart; when every feature is that
    common (many near-identical texts), keep them all rather than fail: the texts are alike."""
    vectorizer.set_params(max_df=max(int(max_df_share * len(documents)), MAX_DF_FLOOR))
    try:
        return vectorizer.fit_transform(documents)
    except ValueError:  # scikit-learn: "After pruning, no terms remain"
        vectorizer.set_params(max_df=1.0)
        return vectorizer.fit_transform(documents)


def _is_generic(feature: str) -> bool:
    """A generic word, or a tag that is one (`#upphandling`)."""
    return feature in GENERIC_STEMS or (feature.startswith(TAG_PREFIX) and stem(feature[1:]) in GENERIC_STEMS)


def compound_parts(word: str, lexicon: frozenset[str]) -> list[str]:
    """The parts of a compound that occur on their own in the lexicon (words and stems), split recursively:
    fallsensor → fall, sensor; matsvinnsmätning → matsvinn (→ mat, svinn), mätning;
    nattillsyn → natt, tillsyn (Swedish drops the third of three equal consonants)."""
    if len(word) < 2 * MIN_PART:
        return []
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        if tail not in lexicon:
            continue
        for part in (head, head[:-1] if head.endswith("s") else None, head + head[-1]):
            if part and len(part) >= MIN_PART and part in lexicon:
                return [part, *compound_parts(part, lexicon), tail, *compound_parts(tail, lexicon)]
    return []


@dataclass(frozen=True, eq=False)
class OverlapIndex:
    """Every document's row (see the module docstring), for pairwise dot products.

    A document keeps its position for the index's life; a removed one keeps an empty row.
    """

    keys: np.ndarray
    owner_codes: tuple[str, ...]
    owner_ids: np.ndarray
    matrix: sparse.csr_matrix
    vectoriser: Vectoriser | None
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
) -> Features:
    """The features of one initiative, as the module docstring lists them."""
    tags = [normalise(tag) for tag in tags]
    title_words, summary_words = _words(title), _words(summary or "")
    surfaces = title_words * TITLE_WEIGHT + summary_words + _words(description or "")
    words = [stem(word) for word in surfaces] + [TAG_PREFIX + tag for tag in tags]
    if solution_name and solution_name.strip():
        words.append(SOLUTION_PREFIX + normalise(solution_name.strip()))
    grams = [
        gram
        for word in title_words + summary_words + _words(" ".join(tags))
        if stem(word) not in GENERIC_STEMS
        for gram in _grams(stem(word))
    ]
    return Features(tuple(words), tuple(grams), tuple(surfaces))


def build_index(documents: Sequence[Document]) -> OverlapIndex:
    """Documents are indexed in key order, so a pair of the built index names the smaller key first."""
    documents = sorted(documents, key=lambda document: document.key)
    keys = np.array([document.key for document in documents], dtype=object)
    owner_codes, owner_ids = np.unique(np.array([d.owner_code for d in documents], dtype=object), return_inverse=True)
    positions = {document.key: position for position, document in enumerate(documents)}
    # Both spaces need a vocabulary to be fitted; a corpus without one has nothing to compare.
    if not (any(d.features.words for d in documents) and any(d.features.grams for d in documents)):
        empty = sparse.csr_matrix((len(documents), 0), dtype=np.float32)
        return OverlapIndex(keys, tuple(owner_codes), owner_ids, empty, None, np.array([], dtype=object), positions)
    vectoriser = Vectoriser()
    matrix = vectoriser.fit_transform([document.features for document in documents])
    return OverlapIndex(keys, tuple(owner_codes), owner_ids, matrix, vectoriser, vectoriser.vocabulary(), positions)


def update_index(index: OverlapIndex, documents: Sequence[Document], removed: Iterable[str]) -> OverlapIndex:
    """The index with `documents` (new or changed) vectorised in its fixed vocabulary, and the
    `removed` keys' rows emptied. Costs one pass over the matrix, not a refit."""
    keys, positions = list(index.keys), dict(index.positions)
    owner_codes = list(index.owner_codes)
    for document in documents:
        if document.key not in positions:
            positions[document.key] = len(keys)
            keys.append(document.key)
        if document.owner_code not in owner_codes:
            owner_codes.append(document.owner_code)
    owner_ids = np.concatenate([index.owner_ids, np.zeros(len(keys) - len(index.keys), dtype=index.owner_ids.dtype)])
    for document in documents:
        owner_ids[positions[document.key]] = owner_codes.index(document.owner_code)
    changed = np.array([positions[d.key] for d in documents], dtype=np.int64)
    emptied = np.array([positions[key] for key in removed if key in positions], dtype=np.int64)
    rows = index.vectoriser.transform([d.features for d in documents]) if documents and index.vectoriser else None
    matrix = _replaced_rows(index.matrix, len(keys), np.concatenate([changed, emptied]), changed, rows)
    return OverlapIndex(
        np.array(keys, dtype=object),
        tuple(owner_codes),
        owner_ids,
        matrix,
        index.vectoriser,
        index.vocabulary,
        positions,
    )


def find_pairs(index: OverlapIndex, min_score: float) -> Pairs:
    """Pairs of documents with different owners scoring at least `min_score`, best first.

    A pair is kept when either document is among the other's `CLOSEST_PER_DOCUMENT` best
    matches: that bounds the list at n × CLOSEST_PER_DOCUMENT pairs even when hundreds of
    initiatives describe the same thing, yet every document keeps its closest matches.
    """
    return _sorted_unique(index, list(_blocks(index, np.arange(len(index.keys)), min_score)))


def update_pairs(index: OverlapIndex, pairs: Pairs, changed: np.ndarray, min_score: float) -> Pairs:
    """`pairs` with every pair of a `changed` position found again against the whole index.

    A changed document brings its own closest matches; an unchanged document's list of closest
    matches is not revisited, so after many updates a crowded topic may hold a few more or
    fewer pairs than a fresh `find_pairs` would (a rebuild restores it)."""
    untouched = pairs.select(~(np.isin(pairs.first, changed) | np.isin(pairs.second, changed)))
    return _sorted_unique(index, [untouched, *_blocks(index, changed, min_score)])


def neighbours(index: OverlapIndex, key: str, min_score: float) -> Pairs:
    """Documents of other owners that score at least `min_score` against `key`, best first."""
    position = index.position(key)
    if position is None or index.matrix.shape[1] == 0:
        return _NO_PAIRS
    column = (index.matrix @ index.matrix[position].T).tocoo()
    scores = _rounded(column.data)
    keep = (index.owner_ids[column.row] != index.owner_ids[position]) & (scores >= min_score) & (scores > 0)
    found = Pairs(np.full(keep.sum(), position), column.row[keep], scores[keep])
    return found.select(np.lexsort((index.keys[found.second].astype(str), -found.score)))


def shared_features(index: OverlapIndex, first: int, second: int) -> list[str]:
    """The word features two documents share, by their contribution to the score, heaviest first."""
    product = index.matrix[first].multiply(index.matrix[second]).tocoo()
    words = len(index.vectoriser.words.vocabulary_) if index.vectoriser else 0
    heaviest = sorted(
        ((weight, column) for weight, column in zip(product.data, product.col, strict=True) if column < words),
        key=lambda item: (-item[0], index.vocabulary[item[1]]),
    )
    return [str(index.vocabulary[column]) for _weight, column in heaviest]


def _words(text: str) -> list[str]:
    """Words without function words, abbreviations and spelling variants in one form (`CANONICAL`)."""
    text = _CANONICAL.sub(lambda found: _REPLACEMENTS[str(found.lastgroup)], normalise(text))
    return [word for word in words(text) if word not in STOP_WORDS]


@lru_cache(maxsize=200_000)
def _grams(word: str) -> tuple[str, ...]:
    padded = f"<{word}>"
    return tuple(padded[start : start + GRAM_LENGTH] for start in range(max(1, len(padded) - GRAM_LENGTH + 1)))


def _replaced_rows(
    matrix: sparse.csr_matrix, size: int, cleared: np.ndarray, placed: np.ndarray, rows: sparse.csr_matrix | None
) -> sparse.csr_matrix:
    """`matrix` grown to `size` rows, the `cleared` rows emptied and `rows` put at `placed`."""
    grown = sparse.vstack(
        [matrix, sparse.csr_matrix((size - matrix.shape[0], matrix.shape[1]))], format="csr", dtype=np.float32
    )
    keep = np.ones(size, dtype=np.float32)
    keep[cleared] = 0
    result = sparse.diags(keep, format="csr") @ grown
    if rows is not None and len(placed):
        scatter = sparse.csr_matrix(
            (np.ones(len(placed), dtype=np.float32), (placed, np.arange(len(placed)))), shape=(size, len(placed))
        )
        result = result + scatter @ rows
    result.eliminate_zeros()
    return result.tocsr()


def _blocks(index: OverlapIndex, positions: np.ndarray, min_score: float) -> Iterator[Pairs]:
    """Each chunk of the given rows against every row: their closest matches, as (smaller, larger) pairs.

    The product keeps only each row's best `CLOSEST_PER_DOCUMENT + SAME_OWNER_MARGIN` scores
    (sparse_dot_topn fuses the multiplication with that selection, on every core), so the cost
    stays near linear in the corpus even when hundreds of initiatives describe the same thing.
    The margin leaves room for the document itself and its own owner's others, dropped next."""
    if index.matrix.shape[1] == 0:
        return
    transposed = index.matrix.T.tocsr()
    for start in range(0, len(positions), CHUNK_ROWS):
        chosen = positions[start : start + CHUNK_ROWS]
        # Keep every score that could round up to `min_score`.
        block = sp_matmul_topn(
            index.matrix[chosen],
            transposed,
            top_n=CLOSEST_PER_DOCUMENT + SAME_OWNER_MARGIN,
            threshold=min_score - 5e-5,
            n_threads=THREADS,
        ).tocoo()
        rows, columns, scores = chosen[block.row], block.col, _rounded(block.data)
        # A different owner also rules out each document's pair with itself.
        keep = (scores >= min_score) & (index.owner_ids[rows] != index.owner_ids[columns])
        rows, columns, scores = rows[keep], columns[keep], scores[keep]
        best = _closest(rows, columns, scores, len(index.keys))
        yield Pairs(np.minimum(rows, columns)[best], np.maximum(rows, columns)[best], scores[best])


def _sorted_unique(index: OverlapIndex, blocks: list[Pairs]) -> Pairs:
    blocks = [block for block in blocks if len(block)] or [_NO_PAIRS]
    found = Pairs(
        *(
            np.concatenate([getattr(block, field) for block in blocks]).astype(dtype)
            for field, dtype in (("first", np.int64), ("second", np.int64), ("score", np.float64))
        )
    )
    # Both documents may have chosen the same pair: keep it once.
    found = found.select(np.unique(found.first * len(index.keys) + found.second, return_index=True)[1])
    return found.select(np.lexsort((found.second, found.first, -found.score)))


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
    # Four decimals: stable across engines and rebuilds.
    return np.round(np.minimum(scores.astype(np.float64), 1.0), SCORE_DECIMALS)


def _identity(document: tuple[str, ...]) -> tuple[str, ...]:
    return document


_NO_PAIRS = Pairs(np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=np.float64))
