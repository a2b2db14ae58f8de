"""Why two initiatives overlap, in the public's words.

The indexer keeps each initiative's profile: its concepts and its heaviest words, each word in
the form the initiative writes it. A pair's explanation is what the two profiles share: concepts
by their Swedish label, most telling first, then words, each side's own form ("kameran" /
"kamerorna"). Never stems, never filler: words that only say a project is digital or how it is
run (`features.GENERIC_LEMMAS`) are left out, as are words a shared concept already names.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.analytics.overlaps.features import GENERIC_LEMMAS, Features
from app.language.text import words
from app.language.vocabulary import Vocabulary

WORDS_KEPT = 30
CONCEPTS_SHOWN = 5
WORDS_SHOWN = 8
DECIMALS = 3


@dataclass(frozen=True)
class Profile:
    concepts: list[list[Any]]  # [concept id, weight], heaviest first
    words: list[list[Any]]  # [lemma, as written, weight], heaviest first
    solution: str | None


@dataclass(frozen=True)
class SharedWord:
    word: str  # as the first initiative writes it
    other_word: str  # as the other writes it


@dataclass(frozen=True)
class Explanation:
    concepts: list[str]  # concept ids, most telling first
    words: list[SharedWord]
    same_solution: bool


def profile(features: Features) -> Profile:
    concepts = sorted(features.concepts.items(), key=lambda item: (-item[1], item[0]))
    kept = sorted(
        ((lemma, weight) for lemma, weight in features.words.items() if lemma not in GENERIC_LEMMAS),
        key=lambda item: (-item[1], item[0]),
    )[:WORDS_KEPT]
    return Profile(
        concepts=[[concept, round(weight, DECIMALS)] for concept, weight in concepts],
        words=[[lemma, features.written.get(lemma, lemma), round(weight, DECIMALS)] for lemma, weight in kept],
        solution=features.solution,
    )


def explain(one: Profile, other: Profile, vocabulary: Vocabulary) -> Explanation:
    """What the two profiles share, `one`'s side first."""
    mine, theirs = dict(one.concepts), dict(other.concepts)
    concepts = sorted(
        (concept for concept in mine if concept in theirs),
        key=lambda concept: (-min(mine[concept], theirs[concept]), concept),
    )[:CONCEPTS_SHOWN]
    named = {lemma for concept in concepts for lemma in _lemmas(vocabulary.concepts[concept].pref_label)}
    their_words = {lemma: (written, weight) for lemma, written, weight in other.words}
    shared = sorted(
        (
            (weight * their_words[lemma][1], lemma, written, their_words[lemma][0])
            for lemma, written, weight in one.words
            if lemma in their_words and lemma not in named
        ),
        key=lambda item: (-item[0], item[1]),
    )[:WORDS_SHOWN]
    return Explanation(
        concepts=concepts,
        words=[SharedWord(written, other_written) for _value, _lemma, written, other_written in shared],
        same_solution=one.solution is not None and one.solution == other.solution,
    )


@lru_cache(maxsize=4_096)
def _lemmas(label: str) -> frozenset[str]:
    return frozenset(word.lemma for word in words(label))
