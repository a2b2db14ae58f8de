"""Swedish text as search and overlap detection read it: words reduced to what they mean.

- Text is NFC-normalised and case-folded (Å → å, with å, ä and ö kept distinct).
- Each word is lemmatised with simplemma's Swedish dictionary: "larmet" → "larm", "kameran" →
  "kamera", "tjänsterna" → "tjänst". A lemma is taken only when the word is that lemma with an
  inflection ending (Swedish inflects at the end) and is not a base form itself (a headword of
  the dictionary), which keeps "dator" apart from "data", "kurs" from "kur" and "boende" from
  "bo", where the dictionary would merge them.
- A word that is rare or unknown is split into the parts it is compounded of, using wordfreq's
  Swedish word frequencies: "trygghetslarmsbyte" → trygghets|larms|byte, "nattillsyn" →
  natt|tillsyn (Swedish drops the third of three equal consonants). Its `keys` are its lemma,
  each part, and each run of parts ("trygghetslarm", "larm", "byte"), so "larm" finds it.
- A hyphenated word keeps its parts as keys too: "AI-verktyg" → "ai-verktyg", "ai", "verktyg";
  "e-arkivet" → "e-arkiv" (the last part is lemmatised).

The dictionaries are loaded on first use, so a process that never reads text never pays for
them; they are kept as compact tries (`app.language.resources`).
"""

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

from app.language import resources

# How many words each of the analysis's caches keeps. In running Swedish text (tokens drawn by
# wordfreq's frequencies), 65,536 words answer 96.7 % of lookups and 200,000 answer 96.9 %, the
# rest being words met for the first time; a full cache costs per entry, and in every process.
CACHED_WORDS = 65_536
MIN_PART = 3
GRAM_LENGTH = 3
MAX_PARTS = 4
# A word at least this frequent (wordfreq's Zipf scale: 3 is about once per million words) is
# read as the word it is; rarer ones may be compounds. Parts of a compound must be this common,
# and each part costs: the reading with fewer, commoner parts wins.
RARE_WORD = 2.6
KNOWN_PART = 2.0
KNOWN_FINAL_PART = 2.0
PART_COST = 4.0
SHORT_PART_COST = 1.5
# Endings that are words of their own too ("het" is hot), yet in a long word make it a derivation,
# not a compound: "trygghet" is not "trygg" + "het".
SUFFIXES = frozenset("het ing ning are tor ande ende lig isk ism ist ell ion tion skap dom else ig ning bar".split())
LINKS = ("s", "e", "")
# What Swedish nouns, adjectives and verbs add to their base form; a lemma is trusted only when
# the word is the lemma and one of these.
INFLECTIONS = frozenset(
    "n en et t na ns ens ets s ar er or r arna erna orna rna ts e a are ast aste at ade de te d".split()
) | {""}
A_PLURALS = frozenset({"or", "orna", "ors", "ornas"})
E_PLURALS = frozenset({"ar", "arna", "ars", "arnas"})
_LONGEST_INFLECTION = max(map(len, INFLECTIONS))
# Endings whose forms tell a base form: a word is one when a form with one of them is its form.
PROBE_ENDINGS = (
    "er",
    "ar",
    "or",
    "en",
    "n",
    "et",
    "t",
    "s",
    "na",
    "ns",
    "ens",
    "ets",
    "arna",
    "erna",
    "orna",
    "e",
    "a",
)
_TOKEN = re.compile(r"\w+(?:-\w+)*-?")
STOP_WORDS = frozenset(
    """
alla allt andra att av bara bli blir blev de dem den denna deras dess dessa det detta dig din dina
ditt du där efter ej eller en er era ert ett från för genom ha hade han hans har henne hennes hon
honom hur här i icke ingen inom inte jag ju kan kunde man med mellan men mig min mina mitt mot
mycket ni nu när någon något några och om oss på samma sedan sig sin sina sitta själv skulle som
så sådan sådana till under upp ut utan vad var vara varför varit varje vars vart vem vi vid vilka
vilkas vilken vilket vår våra vårt än är åt över också samt ska kommer även inför via alltså
därför både cirka ca bl a t ex dvs mm etc samtliga flera olika genom vilket enligt
hos bland kring runt per trots utom medan eftersom dock redan dessutom tills innan bakom
""".split()
)


@dataclass(frozen=True)
class Word:
    """One word of a text: as written (case-folded), its lemma, and every key it matches by."""

    surface: str
    lemma: str
    keys: tuple[str, ...]  # each once, lemma first: the same order in every process
    parts: tuple[str, ...] = ()

    @property
    def is_stop_word(self) -> bool:
        return self.surface in STOP_WORDS or self.lemma in STOP_WORDS


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def words(text: str) -> list[Word]:
    """The text's words in order."""
    return [analyse(token) for token in _TOKEN.findall(normalise(text))]


def written_words(text: str) -> list[str]:
    """The text's words as written, case kept, in the order of `words`."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text))


def content_words(text: str) -> list[Word]:
    """The words that say what a text is about: no function words, no numbers, nothing under two letters."""
    return [word for word in words(text) if not word.is_stop_word and len(word.lemma) > 1 and not word.lemma.isdigit()]


@lru_cache(maxsize=CACHED_WORDS)
def analyse(token: str) -> Word:
    """One case-folded token as a `Word` (see the module docstring)."""
    if token.endswith("-"):  # "hälso- och sjukvård": the first half of a shared compound
        return Word(token, token, (token,))
    if "-" in token:
        return _hyphenated(token)
    lemma = lemmatise(token)
    parts = compound_parts(token)
    if not parts:
        return Word(token, lemma, _unique(lemma, token))
    if lemma == token:  # a compound the dictionary does not know: inflected in its last part
        lemma = token[: len(token) - len(parts[-1])] + lemmatise(parts[-1])
    return Word(
        token,
        lemma,
        _unique(lemma, token, *_runs(parts)),
        (*(_base(p) for p in parts[:-1]), lemmatise(parts[-1])),
    )


def _hyphenated(token: str) -> Word:
    pieces = token.split("-")
    last = lemmatise(pieces[-1])
    lemma = "-".join([*pieces[:-1], last])
    return Word(token, lemma, _unique(lemma, token, *pieces[:-1], last), (*pieces[:-1], last))


def _unique(*keys: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(keys))


@lru_cache(maxsize=CACHED_WORDS)
def lemmatise(word: str) -> str:
    """The word's base form when the dictionary knows it as an inflection of it; else the word."""
    lemma = _lemmatiser()(word, lang="sv")
    if lemma == word or _is_base_form(word):
        return word
    if word.startswith(lemma) and word[len(lemma) :] in INFLECTIONS:
        return lemma
    # Nouns in -a and -e change it in the plural: kamera → kameror, timme → timmar.
    stem, ending = lemma[:-1], word[len(lemma) - 1 :]
    if word.startswith(stem) and (lemma[-1], ending) in _CHANGED_PLURALS:
        return lemma
    # The dictionary read it as another word ("beslutet" as a form of "besluta"): the longest
    # inflection ending that leaves a base form.
    for cut in range(min(len(word) - MIN_PART, _LONGEST_INFLECTION), 0, -1):
        if word[-cut:] in INFLECTIONS and _is_base_form(word[:-cut]):
            return word[:-cut]
    return word


@lru_cache(maxsize=CACHED_WORDS)
def compound_parts(word: str) -> tuple[str, ...]:
    """The parts of a compound as written (a non-final part with its linking letter), or () for a
    word that is common, short or cannot be split into common parts."""
    if len(word) < 2 * MIN_PART or zipf(word) >= RARE_WORD:
        return ()
    best = _best_split(word, MAX_PARTS)
    return best[1] if best and len(best[1]) > 1 else ()


def _best_split(word: str, parts_left: int) -> tuple[float, tuple[str, ...]] | None:
    """The best way to read `word` as at most `parts_left` parts: the parts' frequencies summed,
    less a cost per part (see `PART_COST`)."""
    found: list[tuple[float, tuple[str, ...]]] = []
    if _is_part(word, KNOWN_FINAL_PART):
        found.append((_part_score(word, KNOWN_FINAL_PART), (word,)))
    if parts_left > 1:
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            rest = _best_split(tail, parts_left - 1)
            if rest is None:
                continue
            for base in _bases(head):
                if _is_part(base, KNOWN_PART):
                    found.append((_part_score(base, KNOWN_PART) + rest[0], (head, *rest[1])))
            # Swedish drops the third of three equal consonants: natt + tillsyn → nattillsyn.
            doubled = head + head[-1]
            if tail[0] == head[-1] and _is_part(doubled, KNOWN_PART):
                found.append((_part_score(doubled, KNOWN_PART) + rest[0], (doubled, *rest[1])))
    return max(found, key=lambda item: item[0]) if found else None


def _is_part(word: str, floor: float) -> bool:
    return len(word) >= MIN_PART and word not in SUFFIXES and word not in STOP_WORDS and zipf(word) >= floor


def _part_score(part: str, floor: float) -> float:
    return zipf(part) - floor - PART_COST - (SHORT_PART_COST if len(part) == MIN_PART else 0.0)


def _bases(head: str) -> list[str]:
    """What a non-final part may be as a word of its own: without its linking letter
    ("trygghets" → "trygghet"), with the -a that a linking -o or -u replaces ("elevhälso" →
    "elevhälsa", "gatu" → "gata"), or with the final -e it drops ("medborgar" → "medborgare")."""
    bases = [
        head[: len(head) - len(link)] for link in LINKS if head.endswith(link) and len(head) - len(link) >= MIN_PART
    ]
    if head[-1] in "ou" and len(head) > MIN_PART:
        bases.append(head[:-1] + "a")
    bases.append(head + "e")
    return bases


def _base(part: str) -> str:
    """A non-final part as the word it is: its most frequent reading without a linking letter."""
    return max(_bases(part), key=zipf)


def _runs(parts: tuple[str, ...]) -> list[str]:
    """Each run of consecutive parts as one word, its last part in base form: "trygghets",
    "larms", "byte" → trygghet, trygghetslarm, trygghetslarmsbyte, larm, larmsbyte, byte."""
    runs = []
    for start in range(len(parts)):
        for end in range(start, len(parts)):
            last = parts[end]
            last = lemmatise(last) if end == len(parts) - 1 else _base(last)
            runs.append("".join(parts[start:end]) + last)
    return runs


@lru_cache(maxsize=CACHED_WORDS)
def zipf(word: str) -> float:
    """wordfreq's Zipf value (log10 of occurrences per billion words), 0 for unknown words."""
    found = resources.frequencies().get(word)
    return math.log10(found[0][0]) + 9 if found else 0.0


@lru_cache(maxsize=CACHED_WORDS)
def letter_grams(word: str) -> tuple[str, ...]:
    """The word's letter trigrams, "<" and ">" marking where it starts and ends: "larm" → "<la",
    "lar", "arm", "rm>"."""
    padded = f"<{word}>"
    return tuple(padded[start : start + GRAM_LENGTH] for start in range(max(1, len(padded) - GRAM_LENGTH + 1)))


def gram_zipf(gram: str) -> float:
    """How common a letter gram is in Swedish text, on wordfreq's Zipf scale: the frequencies of
    the words it occurs in, summed ("ing" 7.1, "<rp" 3.5); 0 for a gram in no known word."""
    frequency = _gram_frequencies().get(gram, 0.0)
    return math.log10(frequency) + 9 if frequency > 0 else 0.0


@cache
def common_grams(above: float) -> frozenset[str]:
    """The letter grams commoner in Swedish than Zipf `above` (`gram_zipf`): one set lookup
    instead of a frequency's logarithm for every gram of every text."""
    return frozenset(gram for gram in _gram_frequencies() if gram_zipf(gram) > above)


@cache
def _gram_frequencies() -> dict[str, float]:
    frequencies: dict[str, float] = defaultdict(float)
    for word, (frequency,) in resources.frequencies().items():
        for gram in letter_grams.__wrapped__(word):  # not cached: these are every word wordfreq knows
            frequencies[gram] += frequency
    return dict(frequencies)


_CHANGED_PLURALS = frozenset({*(("a", ending) for ending in A_PLURALS), *(("e", ending) for ending in E_PLURALS)})


@cache
def _lemmatiser():
    from simplemma import Lemmatizer  # loaded on first use: see the module docstring
    from simplemma.strategies import DefaultStrategy

    strategy = DefaultStrategy(dictionary_factory=resources.SwedishDictionaryFactory())
    return Lemmatizer(lemmatization_strategy=strategy).lemmatize


@cache
def _dictionary_lookup():
    from simplemma.strategies import DictionaryLookupStrategy

    return DictionaryLookupStrategy(resources.SwedishDictionaryFactory())


def is_dictionary_word(word: str) -> bool:
    """Whether the Swedish dictionary knows the word, in lower case ("viss" and "bus" it knows,
    "lss" not)."""
    return _dictionary_lookup().get_lemma(normalise(word), "sv") is not None


@lru_cache(maxsize=CACHED_WORDS)
def _is_base_form(word: str) -> bool:
    """Whether the dictionary knows an inflected form of `word` as a form of it (a headword):
    "datorer" is a form of "dator", so "dator" is a base form even though the dictionary reads
    "dator" itself as a form of "data"."""
    lemmatise_ = _lemmatiser()
    return any(lemmatise_(word + ending, lang="sv") == word for ending in PROBE_ENDINGS)


def warm_up() -> None:
    """Load the dictionaries now, so that no request waits for them."""
    resources.frequencies()
    _lemmatiser()("hus", lang="sv")


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string after every string that starts with `prefix`, in code-point order."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
