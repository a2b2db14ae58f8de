"""A cluster's Swedish label: the most specific concept most of its members share.

Concepts rank by what they say about the work (a solution or a service before a technology,
a technology before a setting, a domain last), then by how many members name them (rather than
only suggest them by cues), then by depth in the vocabulary (a narrower concept before its
broader one), then by how many members share them. A cluster whose members share no concept is
labelled by the words most of them use.
"""

from collections import Counter

from app.analytics.overlaps.features import FACET_WEIGHTS
from app.analytics.overlaps.profiles import Profile
from app.language.vocabulary import Vocabulary, vocabulary

FACET_ORDER = {"solution": 0, "service": 0, "technology": 1, "setting": 2, "domain": 3}
CONCEPTS_KEPT = 5
WORDS_IN_LABEL = 3
MIN_CONCEPT_WEIGHT = 1.0  # a concept named or clearly suggested, not only a broader one's echo


def label(members: list[Profile], vocab: Vocabulary | None = None) -> tuple[str, list[str]]:
    """The label and the concepts it stands on (ids, best first)."""
    vocab = vocab or vocabulary()
    majority = len(members) / 2
    counts = Counter(
        concept for member in members for concept, weight in member.concepts if weight >= MIN_CONCEPT_WEIGHT
    )
    named = Counter(
        concept
        for member in members
        for concept, weight in member.concepts
        if weight >= FACET_WEIGHTS[vocab.concepts[concept].facet]
    )
    shared = [concept for concept, count in counts.items() if count >= majority]
    ranked = sorted(
        shared,
        key=lambda c: (FACET_ORDER[vocab.concepts[c].facet], -named[c], -len(vocab.ancestors(c)), -counts[c], c),
    )
    if ranked:
        return _capitalised(vocab.concepts[ranked[0]].pref_label), ranked[:CONCEPTS_KEPT]
    acronyms = _acronyms(vocab)
    written = [acronyms.get(word.lower(), word) for word in _shared_words(members)]
    return _capitalised(", ".join(written)) or "Samma arbete", []


def _shared_words(members: list[Profile]) -> list[str]:
    """The words most members use, heaviest first, as the first member to use each writes it."""
    weights: Counter[str] = Counter()
    users: Counter[str] = Counter()
    written: dict[str, str] = {}
    for member in members:
        for lemma, as_written, weight in member.words:
            weights[lemma] += weight
            users[lemma] += 1
            written.setdefault(lemma, as_written)
    common = [lemma for lemma in weights if users[lemma] >= max(2, len(members) / 2)]
    return [written[lemma] for lemma in sorted(common, key=lambda lemma: (-weights[lemma], lemma))[:WORDS_IN_LABEL]]


def _acronyms(vocab: Vocabulary) -> dict[str, str]:
    """The vocabulary's labels written in capitals (RPA, AI), by their lower case: a word-based
    label writes them so even when the members wrote "rpa"."""
    if vocab.digest not in _ACRONYMS:
        _ACRONYMS[vocab.digest] = {
            label.lower(): label
            for concept in vocab.concepts.values()
            for label in concept.labels
            if label.isupper() and " " not in label
        }
    return _ACRONYMS[vocab.digest]


_ACRONYMS: dict[str, dict[str, str]] = {}


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
