"""The registry's concept vocabulary (SKOS) and annotating texts with its concepts.

The vocabulary lives in `vocabulary/*.toml`: `scheme.toml` names the scheme, its version and the
top concepts (the domains of public-sector work); the other files hold the concepts, each with a
Swedish preferred label, alternative labels (synonyms, abbreviations, product and brand names),
hidden labels (misspellings), broader and related concepts, a facet and a definition.

A text mentions a concept when one of its labels occurs in it, compared word by word in the
form `app.language.text` reads words: "nattkamerorna" and "digitala nattillsynen" meet
"nattkamera" and "digital nattillsyn", and a compound contains its parts ("trygghetslarmsbytet"
contains "trygghetslarm"). Texts written by others often describe a concept without naming it
("a camera in the room lets the night staff look in without waking her"), so each concept also
has cues: words that, two or more of them in different words of one text, suggest it
(`CUES_NEEDED`); such a mention is weaker (`CUE_STRENGTH`).
"""

import hashlib
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import count
from operator import attrgetter
from pathlib import Path
from typing import Literal

from app.language.text import Word, is_dictionary_word, words, written_words

DIRECTORY = Path(__file__).parent / "vocabulary"
SCHEME_FILE = "scheme.toml"
Facet = Literal["domain", "setting", "service", "solution", "technology"]
FACETS: tuple[Facet, ...] = ("domain", "setting", "service", "solution", "technology")
SHORT_ABBREVIATION = 2
# How labels match text: raise it when that changes, as the digest of the files does not, so that
# annotations are made again (`registry migrate`) and the overlap index is built again.
MATCHING = "2"
CUES_NEEDED = 2
CUE_STRENGTH = 0.8


@dataclass(frozen=True)
class Concept:
    id: str
    pref_label: str
    facet: Facet
    alt_labels: tuple[str, ...] = ()
    hidden_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    definition: str | None = None
    cues: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.pref_label, *self.alt_labels, *self.hidden_labels)


@dataclass(frozen=True)
class Scheme:
    id: str
    uri: str
    version: str
    title: str
    description: str
    language: str
    license: str


@dataclass(frozen=True)
class _Label:
    concept_id: str
    keys: tuple[str, ...]  # per word of the label: the key a text's word must have
    order: int  # in the vocabulary: which of a word's labels is tried first
    # An abbreviation counts only in capitals when in lower case it is usually another word or a
    # slip: one of two letters ("PA", "AI": "pa" for "på"), or a word of the Swedish dictionary
    # ("VISS", the water database: "vissa brukare"; "BUS", "LOD", "FREDA").
    is_capitals_only: bool = False


@dataclass(eq=False)  # compared (and hashed) by identity: `_annotated` caches per vocabulary
class Vocabulary:
    scheme: Scheme
    concepts: dict[str, Concept]
    digest: str = ""  # of the files it was read from and `MATCHING`: what was annotated with which vocabulary
    _labels: dict[str, list[_Label]] = field(default_factory=dict)  # one-word labels, by their word's key
    _phrases: dict[tuple[str, str], list[_Label]] = field(default_factory=dict)  # others, by their first two
    _cues: dict[str, list[str]] = field(default_factory=dict)  # a cue's lemma: the concepts it suggests

    def __post_init__(self) -> None:
        index: dict[str, list[_Label]] = defaultdict(list)
        phrases: dict[tuple[str, str], list[_Label]] = defaultdict(list)
        cues: dict[str, list[str]] = defaultdict(list)
        order = count()
        for concept in self.concepts.values():
            for label in concept.labels:
                keys = tuple(word.lemma for word in words(label))
                is_capitals_only = label.isupper() and (len(label) <= SHORT_ABBREVIATION or is_dictionary_word(label))
                entry = _Label(concept.id, keys, next(order), is_capitals_only)
                if len(keys) == 1:
                    index[keys[0]].append(entry)
                elif keys:
                    phrases[keys[0], keys[1]].append(entry)
            for key in dict.fromkeys(word.lemma for cue in concept.cues for word in words(cue)):
                cues[key].append(concept.id)
        self._labels, self._phrases, self._cues = dict(index), dict(phrases), dict(cues)

    @property
    def top_concepts(self) -> list[Concept]:
        return [concept for concept in self.concepts.values() if not concept.broader]

    def annotate(self, text: str) -> list[str]:
        """The ids of the concepts the text names by a label, in order of first mention."""
        return list(_annotated(self, text))

    def mentions(self, text: str) -> dict[str, float]:
        """The concepts the text names (strength 1) or suggests by cues (`CUE_STRENGTH`)."""
        tokens = words(text)
        found = dict.fromkeys(self._labelled(tokens, written_words(text)), 1.0)
        for concept_id in self._cued(tokens):
            found.setdefault(concept_id, CUE_STRENGTH)
        return found

    def _cued(self, tokens: list[Word]) -> list[str]:
        """Concepts of which at least `CUES_NEEDED` different cues occur, in different words."""
        cues: dict[str, set[str]] = defaultdict(set)
        positions: dict[str, set[int]] = defaultdict(set)
        for position, word in enumerate(tokens):
            for key in word.keys:
                for concept_id in self._cues.get(key, ()):
                    cues[concept_id].add(key)
                    positions[concept_id].add(position)
        return [
            concept_id
            for concept_id, found in cues.items()
            if len(found) >= CUES_NEEDED and len(positions[concept_id]) >= CUES_NEEDED
        ]

    def _labelled(self, tokens: list[Word], written: list[str]) -> dict[str, None]:
        found: dict[str, None] = {}
        for position, word in enumerate(tokens):
            # A one-word label may be any part of a compound ("trygghetslarmsbytet" has
            # "trygghetslarm"); a label of several words matches word for word.
            following = tokens[position + 1].lemma if position + 1 < len(tokens) else ""
            for key in word.keys:
                labels = self._labels.get(key, [])
                if key == word.lemma and (key, following) in self._phrases:
                    labels = sorted(labels + self._phrases[key, following], key=attrgetter("order"))
                for label in labels:
                    if label.concept_id in found:
                        continue
                    if label.is_capitals_only and not any(piece.isupper() for piece in written[position].split("-")):
                        continue
                    if _follows(label.keys, tokens, position):
                        found[label.concept_id] = None
        return found

    def ancestors(self, concept_id: str) -> list[str]:
        """Every broader concept, nearest first, each once."""
        seen: dict[str, None] = {}
        frontier = list(self.concepts[concept_id].broader)
        while frontier:
            current = frontier.pop(0)
            if current not in seen and current in self.concepts:
                seen[current] = None
                frontier.extend(self.concepts[current].broader)
        return list(seen)

    def narrower(self, concept_id: str) -> list[str]:
        return [concept.id for concept in self.concepts.values() if concept_id in concept.broader]


@lru_cache(maxsize=1_024)
def _annotated(vocab: Vocabulary, text: str) -> tuple[str, ...]:
    # A write annotates one text twice (its document and its search terms): the second is free.
    return tuple(vocab._labelled(words(text), written_words(text)))


def _follows(keys: tuple[str, ...], tokens: list[Word], position: int) -> bool:
    """Whether the label's words after its first follow in the text from `position` on."""
    if position + len(keys) > len(tokens):
        return False
    return all(keys[offset] == tokens[position + offset].lemma for offset in range(1, len(keys)))


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary in `vocabulary/`, loaded once."""
    return load(DIRECTORY)


@cache
def vocabulary_digest() -> str:
    """`vocabulary().digest` without loading it (which lemmatises every label, seconds of work):
    what `registry serve` compares the stored annotations with at each start."""
    return _digest(_texts(DIRECTORY))


def load(directory: Path) -> Vocabulary:
    """Read and check a vocabulary: unique ids and labels, every reference resolved, no cycles."""
    texts = _texts(directory)
    scheme_document = tomllib.loads(texts[SCHEME_FILE])
    scheme = Scheme(**scheme_document["scheme"])
    entries = list(scheme_document.get("concept", []))
    for name, text in texts.items():
        if name != SCHEME_FILE:
            entries += tomllib.loads(text)["concept"]
    concepts: dict[str, Concept] = {}
    for entry in entries:
        concept = _concept(entry)
        if concept.id in concepts:
            raise ValueError(f"the concept id {concept.id!r} is defined twice")
        concepts[concept.id] = concept
    _check(concepts.values(), concepts)
    return Vocabulary(scheme, concepts, _digest(texts))


def _texts(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.toml"))}


def _digest(texts: dict[str, str]) -> str:
    return hashlib.sha256((MATCHING + "".join(texts.values())).encode()).hexdigest()[:16]


def _concept(entry: dict) -> Concept:
    if entry.get("facet") not in FACETS:
        raise ValueError(f"concept {entry.get('id')!r}: facet must be one of {', '.join(FACETS)}")
    return Concept(
        id=entry["id"],
        pref_label=entry["pref_label"],
        facet=entry["facet"],
        alt_labels=tuple(entry.get("alt_labels", ())),
        hidden_labels=tuple(entry.get("hidden_labels", ())),
        broader=tuple(entry.get("broader", ())),
        related=tuple(entry.get("related", ())),
        definition=entry.get("definition"),
        cues=tuple(entry.get("cues", ())),
    )


def _check(concepts: Iterable[Concept], by_id: dict[str, Concept]) -> None:
    labels: dict[str, str] = {}
    for concept in concepts:
        for reference in (*concept.broader, *concept.related):
            if reference not in by_id:
                raise ValueError(f"concept {concept.id!r} refers to {reference!r}, which is not defined")
        for cue in concept.cues:
            if len(cue.split()) != 1:
                # A cue is read word by word: "höjd beredskap" would be two cues, each too common.
                raise ValueError(f"the cue {cue!r} of {concept.id!r} is not one word")
        for label in concept.labels:
            key = " ".join(word.lemma for word in words(label))
            if key in labels and labels[key] != concept.id:
                raise ValueError(f"the label {label!r} of {concept.id!r} is also a label of {labels[key]!r}")
            labels[key] = concept.id
    for concept in by_id.values():
        _check_acyclic(concept.id, by_id, ())


def _check_acyclic(concept_id: str, by_id: dict[str, Concept], path: tuple[str, ...]) -> None:
    if concept_id in path:
        raise ValueError(f"broader concepts form a cycle: {' → '.join((*path, concept_id))}")
    for broader in by_id[concept_id].broader:
        _check_acyclic(broader, by_id, (*path, concept_id))
