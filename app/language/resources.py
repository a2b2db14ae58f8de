"""The Swedish word lists that text analysis reads, as compact tries on disk.

wordfreq's Swedish frequencies (340,815 words) and simplemma's Swedish dictionary (963,931 word
forms) take about 130 MB as Python dicts, in every process that reads text: each API worker and
the background process. As MARISA tries (`marisa-trie`) they take about 7 MB and answer the same.

Each trie is built once from the installed package's own data and kept in the cache directory
(`REGISTRY_LANGUAGE_CACHE_DIR`; by default the user's cache directory), named by the package's
version, so that an upgrade builds it again. The build runs in a child process: the dicts it
reads would otherwise stay in the building process's peak memory. A trie is written to a
temporary file and renamed, so processes that start together never read a half-written one.
Where the directory cannot be written, the tries are built in memory and a warning says why.

`python -m app.language.resources` builds them ahead (the container image does, as its user
cannot write its home).
"""

import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.metadata import version
from pathlib import Path

import marisa_trie

from app.core.settings import get_settings

logger = logging.getLogger(__name__)

LANGUAGE = "sv"
FREQUENCY_FORMAT = "<d"  # one float64 a word: wordfreq's own value, to the bit


def frequencies() -> marisa_trie.RecordTrie:
    """wordfreq's Swedish words, each with its frequency (occurrences per word of text)."""
    return _trie("frequencies")


@cache
def lemma_dictionary() -> Mapping[str, str]:
    """simplemma's Swedish dictionary: a word form's lemma, by the form."""
    return _Lemmas(_trie("lemmas"))


class SwedishDictionaryFactory:
    """simplemma's `DictionaryFactory`, answering from the lemma trie."""

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if lang != LANGUAGE:
            raise ValueError(f"only Swedish ({LANGUAGE}) is kept, not {lang}")
        return lemma_dictionary()


class _Lemmas(Mapping[str, str]):
    """The lemma trie as the mapping simplemma's strategies read."""

    def __init__(self, trie: marisa_trie.BytesTrie) -> None:
        self._trie = trie

    def __getitem__(self, form: str) -> str:
        found = self._trie.get(form)
        if not found:
            raise KeyError(form)
        return found[0].decode()

    def get(self, form: str, default=None):  # the hot path: no exception per miss
        found = self._trie.get(form)
        return found[0].decode() if found else default

    def __iter__(self) -> Iterator[str]:
        return self._trie.iterkeys()

    def __len__(self) -> int:
        return len(self._trie)


@cache
def _trie(kind: str) -> marisa_trie.RecordTrie | marisa_trie.BytesTrie:
    path = _path(cache_directory(), kind)
    try:
        return _load(kind, path)
    except (OSError, RuntimeError):  # not built yet, or damaged (marisa raises RuntimeError)
        _build_in_child(path.parent)
    try:
        return _load(kind, path)
    except (OSError, RuntimeError) as error:
        logger.warning("the %s trie cannot be kept in %s (%s): built in memory for this process", kind, path, error)
        return _BUILDERS[kind]()


def cache_directory() -> Path:
    configured = get_settings().language_cache_dir
    if configured is not None:
        return configured
    import platformdirs  # only when no directory is configured

    return Path(platformdirs.user_cache_dir("registret")) / "language"


def build(directory: Path) -> list[Path]:
    """Build every trie that `directory` does not hold whole; the paths of all."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [_path(directory, kind) for kind in _BUILDERS]
    for kind, path in zip(_BUILDERS, paths, strict=True):
        try:
            _load(kind, path)
        except (FileNotFoundError, RuntimeError):
            _save(_BUILDERS[kind](), path)
    return paths


def _path(directory: Path, kind: str) -> Path:
    source = _SOURCES[kind]
    return directory / f"{LANGUAGE}-{kind}-{source}-{version(source)}.marisa"


def _load(kind: str, path: Path) -> marisa_trie.RecordTrie | marisa_trie.BytesTrie:
    empty = marisa_trie.RecordTrie(FREQUENCY_FORMAT) if kind == "frequencies" else marisa_trie.BytesTrie()
    return empty.load(str(path))


def _build_in_child(directory: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "app.language.resources", str(directory)], capture_output=True, text=True
    )
    if built.returncode:
        logger.warning("building the word tries failed: %s", built.stderr.strip())


def _save(trie: marisa_trie.RecordTrie | marisa_trie.BytesTrie, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        trie.save(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep it from other users of the directory
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _build_frequencies() -> marisa_trie.RecordTrie:
    import wordfreq

    return marisa_trie.RecordTrie(
        FREQUENCY_FORMAT, ((word, (share,)) for word, share in wordfreq.get_frequency_dict(LANGUAGE).items())
    )


def _build_lemmas() -> marisa_trie.BytesTrie:
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    dictionary = DefaultDictionaryFactory().get_dictionary(LANGUAGE)
    return marisa_trie.BytesTrie((form, dictionary[form].encode()) for form in dictionary)


_BUILDERS = {"frequencies": _build_frequencies, "lemmas": _build_lemmas}
_SOURCES = {"frequencies": "wordfreq", "lemmas": "simplemma"}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else cache_directory()
    try:
        for built_path in build(target):
            print(built_path)
    except OSError as error:
        sys.exit(f"Cannot keep the word tries in {target}: {error.strerror}")
