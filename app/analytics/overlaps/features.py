"""What overlap detection reads in an initiative: its concepts, its words and their letters.

An initiative becomes three weighted bags of features, each a function of its own text only,
so that two initiatives score the same whatever else the registry holds and in whatever order
it was written:

- *concepts* from the vocabulary (`app.language.vocabulary`), weighted by facet: a kind of
  solution or a service says what the work is, a technology less, a setting (who it is for)
  little, a domain almost nothing. Each concept's broader concepts count too, at a fraction
  of its weight, so "nattkamera" and "digital nattillsyn" (one concept) meet fully and two
  different alarms meet a little through "trygghetslarm".
- *words*: lemmas of the content words (`app.language.text`), each weighted by how much it
  tells (rare Swedish words more than common ones, by wordfreq's frequencies, the same for every
  registry) and by where it stands (the title counts twice, the description half); a
  compound's parts count at half weight; words that only say a project is digital weigh a
  quarter.
- *grams*: the character trigrams of those lemmas, sharing their word's weight, so a typo
  ("nattilsyn") or an unknown compound still meets its like.

The named solution (a product) is kept apart: two initiatives that use one product have much
in common.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from app.language.text import CACHED_WORDS, Word, common_grams, content_words, letter_grams, normalise, zipf
from app.language.vocabulary import Vocabulary, vocabulary

TITLE_WEIGHT = 2.0
SUMMARY_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 0.5
TAG_WEIGHT = 1.5
PART_WEIGHT = 0.5
GENERIC_WEIGHT = 0.25
# Information in a word: 7 less its Zipf frequency (7 is a word about once in ten thousand);
# an unknown word (a typo, a name, a rare compound) tells as much as a rare one.
MOST_COMMON = 7.0
MIN_INFORMATION = 0.5
MAX_INFORMATION = 6.0
MIN_GRAM_INFORMATION = 2.0  # common words give no grams: they would make everything meet
GRAM_FIELDS = (0, 1, 3)  # title, summary and tags: a description's letters say little more
# What makes a pair worth scoring: sharing a concept at this weight (a solution, a service or a
# technology, not its broader concepts), a word this informative, or a gram of such a word that
# is no commoner in Swedish than this ("ing", "att" and "ng>" are in most texts: pairs sharing
# only such grams share no work, and scoring them made a full build twice as slow).
SELECTIVE_CONCEPT = 1.0
SELECTIVE_WORD = 2.5
SELECTIVE_GRAM_WORD = 3.5
SELECTIVE_GRAM_ZIPF = 6.0
FACET_WEIGHTS = {"solution": 3.0, "service": 3.0, "technology": 1.2, "setting": 0.6, "domain": 0.15}
ANCESTOR_SHARE = 0.3
# Words that say a project is digital, or how it is run, not what it is about.
GENERIC_LEMMAS = frozenset(
    """
digital digitalisering digitalisera etjänst e-tjänst app system verktyg lösning införande införa smart
kommun kommunal region projekt pilot ny använda användning stöd gemensam upphandling upphandla samverkan
plattform tjänst arbete arbeta utveckla utveckling förbättra effektivisera effektiv syfte syfta insats
verksamhet genomföra genomförande ta fram skapa möjlighet minska öka behov del ska bli även också
""".split()
)


@dataclass(frozen=True)
class Features:
    """One initiative's features (see the module docstring)."""

    concepts: dict[str, float]
    words: dict[str, float]
    grams: dict[str, float]
    solution: str | None
    # Each word lemma as it first appears in the text, for explanations in the public's words.
    written: dict[str, str]
    # The features specific enough that sharing one makes a pair worth scoring (see `scoring.Index`).
    selective: frozenset[str] = frozenset()


def features(
    title: str,
    summary: str | None,
    description: str | None,
    tags: Iterable[str],
    solution_name: str | None,
    vocabulary_: Vocabulary | None = None,
) -> Features:
    vocab = vocabulary_ or vocabulary()
    fields = [
        (title, TITLE_WEIGHT),
        (summary or "", SUMMARY_WEIGHT),
        (description or "", DESCRIPTION_WEIGHT),
        (" ".join(tags), TAG_WEIGHT),
        (solution_name or "", SUMMARY_WEIGHT),
    ]
    words: dict[str, float] = defaultdict(float)
    grams: dict[str, float] = defaultdict(float)
    written: dict[str, str] = {}
    for number, (text, weight) in enumerate(fields):
        for word in content_words(text):
            _add_word(word, weight, words, grams if number in GRAM_FIELDS else None)
            written.setdefault(word.lemma, word.surface)
    concepts = _concepts(vocab, [text for text, _weight in fields if text])
    solution = normalise(" ".join(solution_name.split())) if solution_name and solution_name.strip() else None
    common = common_grams(SELECTIVE_GRAM_ZIPF)
    selective = frozenset(
        [f"c:{concept}" for concept, weight in concepts.items() if weight >= SELECTIVE_CONCEPT]
        + [f"w:{lemma}" for lemma in words if information(lemma) >= SELECTIVE_WORD and lemma not in GENERIC_LEMMAS]
        + [
            f"g:{gram}"
            for lemma in words
            if information(lemma) >= SELECTIVE_GRAM_WORD
            for gram in letter_grams(lemma)
            if gram not in common
        ]
        + ([f"s:{solution}"] if solution else [])
    )
    return Features(dict(concepts), dict(words), dict(grams), solution, written, selective)


def _add_word(word: Word, field_weight: float, words: dict[str, float], grams: dict[str, float] | None) -> None:
    weight = field_weight * information(word.lemma) * (GENERIC_WEIGHT if word.lemma in GENERIC_LEMMAS else 1.0)
    words[word.lemma] += weight
    for part in word.parts:
        if part != word.lemma and part not in GENERIC_LEMMAS:
            words[part] += weight * PART_WEIGHT
    if grams is not None and information(word.lemma) >= MIN_GRAM_INFORMATION and word.lemma not in GENERIC_LEMMAS:
        letters = letter_grams(word.lemma)
        for gram in letters:
            grams[gram] += weight / len(letters)


def _concepts(vocab: Vocabulary, texts: list[str]) -> dict[str, float]:
    mentioned: dict[str, float] = {}
    for text in texts:
        for concept_id, strength in vocab.mentions(text).items():
            mentioned[concept_id] = max(mentioned.get(concept_id, 0.0), strength)
    found: dict[str, float] = {}
    for concept_id, strength in mentioned.items():
        weight = FACET_WEIGHTS[vocab.concepts[concept_id].facet] * strength
        found[concept_id] = max(found.get(concept_id, 0.0), weight)
        for ancestor in vocab.ancestors(concept_id):
            share = min(weight * ANCESTOR_SHARE, FACET_WEIGHTS[vocab.concepts[ancestor].facet])
            found[ancestor] = max(found.get(ancestor, 0.0), share)
    return found


@lru_cache(maxsize=CACHED_WORDS)
def information(lemma: str) -> float:
    return min(MAX_INFORMATION, max(MIN_INFORMATION, MOST_COMMON - zipf(lemma)))


def norm(weights: dict[str, float]) -> float:
    return math.sqrt(sum(value * value for value in weights.values()))
