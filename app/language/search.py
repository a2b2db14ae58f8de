"""Swedish full-text search: the terms an initiative is found by, and what a query asks for.

An initiative's terms are every key of every word it writes (`text.Word.keys`: the word as
written, its lemma, a compound's parts and runs of parts), and `§` + the id of each concept it
names and of each broader concept. A query asks, word by word, for the word's lemma (a
compound's whole base form) as a prefix of a term: "larmet" asks for "larm", which finds
"larm", "larmcentral" and the part "larm" of "trygghetslarmsbytet"; "kameran" finds "kamera"
and "nattkamerorna". A query that names a concept ("IFO", "färdtjänst") also finds what is
annotated with it.
"""

from app.language.text import words
from app.language.vocabulary import Vocabulary, vocabulary

CONCEPT_PREFIX = "§"
MAX_TERM_LENGTH = 64
MAX_QUERY_TERMS = 10


def document_terms(text: str, vocab: Vocabulary | None = None) -> set[str]:
    """The terms an initiative with this text is found by."""
    vocab = vocab or vocabulary()
    terms = {key[:MAX_TERM_LENGTH] for word in words(text) if not word.is_stop_word for key in word.keys}
    return terms | {concept_term(concept) for concept in named_concepts(text, vocab, with_broader=True)}


def named_concepts(text: str, vocab: Vocabulary | None = None, *, with_broader: bool = False) -> list[str]:
    """The concepts the text names by a label, in order of first mention, with their broader
    concepts after them when asked."""
    vocab = vocab or vocabulary()
    named = vocab.annotate(text)
    if not with_broader:
        return named
    return list(dict.fromkeys([*named, *(broader for concept in named for broader in vocab.ancestors(concept))]))


def query_terms(q: str | None) -> list[str]:
    """What each word of a query asks for: its lemma, as a prefix of a term."""
    found = [word.lemma[:MAX_TERM_LENGTH] for word in words(q or "") if not word.is_stop_word and word.lemma]
    return list(dict.fromkeys(found))[:MAX_QUERY_TERMS]


def query_concepts(q: str | None) -> list[str]:
    """The terms of the concepts a query names: an initiative annotated with one matches too."""
    return [concept_term(concept) for concept in vocabulary().annotate(q or "")]


def concept_term(concept_id: str) -> str:
    return f"{CONCEPT_PREFIX}{concept_id}"
