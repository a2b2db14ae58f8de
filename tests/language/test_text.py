"""Swedish words as search and overlap detection read them."""

import pytest

from app.language.text import analyse, compound_parts, content_words, lemmatise


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("larmet", "larm"),
        ("kameran", "kamera"),
        ("kamerorna", "kamera"),
        ("tjänsterna", "tjänst"),
        ("timmar", "timme"),
        ("beslutet", "beslut"),
        ("dator", "dator"),  # the dictionary reads it as a form of "data"
        ("datorer", "dator"),
        ("data", "data"),
        ("kurs", "kurs"),  # not "kur"
        ("boende", "boende"),  # not "bo"
    ],
)
def test_lemmas_where_they_help_and_never_merging_two_words(word, lemma):
    assert lemmatise(word) == lemma


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("trygghetslarmsbyte", ("trygghets", "larms", "byte")),
        ("nattillsyn", ("natt", "tillsyn")),
        ("elevhälsojournal", ("elev", "hälso", "journal")),
    ],
)
def test_rare_compounds_split_into_common_parts(word, parts):
    assert compound_parts(word) == parts


def test_common_words_and_short_ones_are_not_split():
    assert compound_parts("kommunen") == () and compound_parts("hemtjänst") == ()


def test_a_compound_is_found_by_its_parts_and_runs_of_them():
    keys = analyse("trygghetslarmsbytet").keys
    assert {"trygghet", "larm", "byte", "trygghetslarm", "larmsbyte", "trygghetslarmsbyte"} <= set(keys)


def test_an_unknown_compound_is_read_in_its_base_form():
    assert analyse("nattkamerorna").lemma == "nattkamera"


def test_content_words_drop_function_words_and_numbers():
    assert [word.lemma for word in content_words("Vi har 3 kameror för nattillsyn och larm")] == [
        "kamera",
        "nattillsyn",
        "larm",
    ]
