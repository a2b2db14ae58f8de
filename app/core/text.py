"""Swedish text normalisation shared by search and analytics.

Words are case-folded (Å → å, keeping å, ä and ö distinct as Swedish does) and reduced
to their Snowball stem, so "tjänster", "tjänsten" and "tjänst" meet in one term.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

MAX_TERM_LENGTH = 64
_WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("swedish")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def words(text: str) -> list[str]:
    """Lower-case words of two or more characters; hyphens and punctuation split words."""
    return [word for word in _WORD.findall(normalise(text)) if len(word) > 1 and not word.isdigit()]


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)[:MAX_TERM_LENGTH]


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string after every string that starts with `prefix`, in code-point order."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
