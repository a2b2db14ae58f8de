"""The Swedish word lists kept as tries: the same answers as the packages' own data, built once
where every process can read them, and never a half-written or missing file taken for a list."""

import logging
import os
import stat

import pytest
import simplemma
import wordfreq
from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

from app.core.settings import get_settings
from app.language import resources, text

# Words the registry's texts hold, forms the dictionary reads in several ways, and words no list has.
WORDS = ["larmet", "kameran", "kamerorna", "datorer", "dator", "beslutet", "nattillsyn", "qzxv", "ai-verktyg"]


@pytest.fixture
def cache_in(monkeypatch, tmp_path):
    """Point the cache at a directory of the test's own; the process's tries are read again after."""

    def use(directory):
        monkeypatch.setenv("REGISTRY_LANGUAGE_CACHE_DIR", str(directory))
        _forget()
        return directory

    yield use
    monkeypatch.undo()
    _forget()


def _forget():
    get_settings.cache_clear()
    resources._trie.cache_clear()
    resources.lemma_dictionary.cache_clear()


def test_the_tries_answer_as_the_packages_own_data_does():
    shares = wordfreq.get_frequency_dict("sv")
    sample = [*list(shares)[::97], *WORDS]
    kept = resources.frequencies()
    for word in sample:
        found = kept.get(word)
        assert (found[0][0] if found else None) == shares.get(word)  # the same float, to the bit

    forms = DefaultDictionaryFactory().get_dictionary("sv")
    lemmas = resources.lemma_dictionary()
    for form in [*list(forms)[::211], *WORDS]:
        assert lemmas.get(form) == forms.get(form)
    assert len(lemmas) == len(forms)
    for word in sample[::5]:
        assert text._lemmatiser()(word, lang="sv") == simplemma.lemmatize(word, lang="sv")
        assert text.is_dictionary_word(word) == simplemma.is_known(word, lang="sv")


def test_each_trie_is_built_once_readable_by_every_user(tmp_path):
    paths = resources.build(tmp_path)

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(path.name for path in paths)  # no leftovers
    assert {stat.S_IMODE(path.stat().st_mode) for path in paths} == {0o644}
    assert {path.name.split("-")[2] for path in paths} == {"wordfreq", "simplemma"}  # named by the source's version
    written = {path: path.stat().st_mtime_ns for path in paths}
    resources.build(tmp_path)
    assert {path: path.stat().st_mtime_ns for path in paths} == written


def test_a_damaged_trie_is_built_again(tmp_path):
    paths = resources.build(tmp_path)
    paths[0].write_bytes(paths[0].read_bytes()[:1000])

    resources.build(tmp_path)

    assert resources._load("frequencies", paths[0]).get("larm")


def test_a_process_has_the_tries_built_by_a_child(cache_in, tmp_path, monkeypatch):
    directory = cache_in(tmp_path / "cache")
    # Built here, the dicts read would stay in this process's peak memory: the builders must not run.
    monkeypatch.setattr(resources, "_BUILDERS", dict.fromkeys(resources._BUILDERS))

    assert resources.frequencies().get("larm")[0][0] == wordfreq.get_frequency_dict("sv")["larm"]
    assert resources.lemma_dictionary().get("larmet") == "larm"
    assert len(list(directory.glob("*.marisa"))) == 2


def test_a_damaged_trie_in_the_cache_is_made_again(cache_in, tmp_path):
    directory = cache_in(tmp_path / "cache")
    paths = resources.build(directory)
    paths[1].write_bytes(b"not a trie")

    assert resources.lemma_dictionary().get("kameran") == "kamera"
    assert resources._load("lemmas", paths[1]).get("kameran")


def test_a_directory_that_cannot_be_written_leaves_the_lists_in_memory(cache_in, tmp_path, caplog):
    (tmp_path / "a-file").write_text("")
    cache_in(tmp_path / "a-file" / "language")  # a directory below a file cannot be made

    with caplog.at_level(logging.WARNING, logger="app.language.resources"):
        assert resources.lemma_dictionary().get("kameran") == "kamera"

    assert "built in memory" in caplog.text and "a-file" in caplog.text
    assert not os.path.isdir(tmp_path / "a-file")
