import numpy as np
import pytest

from app.analytics.clusters import grouping
from app.analytics.overlaps import scoring
from app.analytics.overlaps.scoring import (
    Document,
    build_index,
    features,
    find_pairs,
    neighbours,
    shared_features,
    update_index,
    update_pairs,
)

NIGHT = "Digital nattillsyn i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"
SIGNING = "Digital signering av avtal"


def document(key: str, owner: str, title: str, tags: tuple[str, ...] = (), solution: str | None = None) -> Document:
    return Document(key, owner, features(title, None, None, tags, solution))


def corpus(*documents: Document) -> scoring.OverlapIndex:
    return build_index(list(documents))


def keyed(index: scoring.OverlapIndex, pairs: scoring.Pairs) -> list[tuple[str, str]]:
    return [
        (str(index.keys[first]), str(index.keys[second]))
        for first, second in zip(pairs.first, pairs.second, strict=True)
    ]


class TestFeatures:
    def test_title_counts_twice_and_stop_words_are_dropped(self):
        found = features("Kameror för nattillsyn", "Kameror och", None, [], None).words
        assert found.count(scoring.stem("kameror")) == 3
        assert scoring.stem("för") not in found and "och" not in found

    def test_inflections_meet_in_one_stem(self):
        assert set(features("tjänsten", None, None, [], None).words) == set(
            features("tjänster", None, None, [], None).words
        )

    def test_tags_and_solution_become_their_own_features(self):
        found = features("Larm", None, None, ["Hemtjänst"], " LifeCare ").words
        assert "#hemtjänst" in found and "=lifecare" in found

    def test_blank_solution_adds_nothing(self):
        assert not any(feature.startswith("=") for feature in features("Larm", None, None, [], "  ").words)

    @pytest.mark.parametrize(
        ("text", "form"),
        [
            ("Robotiserad processautomatisering", "rpa"),
            ("Mjukvarurobotar", "rpa"),
            ("Artificiell intelligens", "ai"),
            ("Sakernas internet", "iot"),
            ("E-underskrift", "esignering"),
            ("Chatbot", "chattbot"),
            ("E-tjänst", "etjänst"),
        ],
    )
    def test_abbreviations_and_variants_are_read_in_one_form(self, text, form):
        assert features(text, None, None, [], None).words == (form, form)

    def test_compounds_share_character_grams_with_their_parts(self):
        compound = set(features("Nattillsyn", None, None, [], None).grams)
        parts = set(features("Tillsyn nattetid", None, None, [], None).grams)
        assert {"til", "lsy", "syn", "yn>"} <= compound & parts


class TestCompoundParts:
    LEXICON = frozenset({"fall", "sensorer", "matsvinn", "mätning", "mat", "svinn", "natt", "tillsyn", "kamera"})

    @pytest.mark.parametrize(
        ("word", "parts"),
        [
            ("fallsensorer", ["fall", "sensorer"]),
            ("matsvinnsmätning", ["matsvinn", "mat", "svinn", "mätning"]),
            ("nattillsyn", ["natt", "tillsyn"]),
            ("kameratillsyn", ["kamera", "tillsyn"]),
        ],
    )
    def test_splits_into_known_words_recursively(self, word, parts):
        assert scoring.compound_parts(word, self.LEXICON) == parts

    @pytest.mark.parametrize("word", ["trygghetslarm", "fall", "sensorerx"])
    def test_unknown_parts_or_short_words_stay_whole(self, word):
        assert scoring.compound_parts(word, self.LEXICON) == []


class TestFindPairs:
    def test_alike_initiatives_of_different_owners_pair_up_best_first(self):
        index = corpus(
            document("a", "2281", NIGHT, ("nattillsyn",)),
            document("b", "0180", NIGHT_AGAIN, ("nattillsyn",)),
            document("c", "1480", "Digital signering i hemtjänsten"),
        )
        pairs = find_pairs(index, 0.01)
        assert keyed(index, pairs) == [("a", "b"), ("a", "c"), ("b", "c")]  # all three share "hemtjänst"
        assert 1 > pairs.score[0] > pairs.score[1] > 0.01

    def test_same_owner_is_never_an_overlap(self):
        index = corpus(document("a", "2281", NIGHT), document("b", "2281", NIGHT))
        assert len(find_pairs(index, 0.0)) == 0

    def test_identical_texts_score_one(self):
        index = corpus(document("a", "2281", NIGHT), document("b", "0180", NIGHT), document("c", "1480", SIGNING))
        assert find_pairs(index, 0.5).score.tolist() == [1.0]

    def test_threshold_leaves_out_weaker_pairs(self):
        index = corpus(document("a", "2281", NIGHT), document("b", "0180", NIGHT_AGAIN), document("c", "1480", SIGNING))
        score = find_pairs(index, 0.0).score[0]
        assert len(find_pairs(index, score + 0.0001)) == 0

    def test_pairs_name_the_smaller_key_first_whatever_the_input_order(self):
        index = corpus(document("z", "2281", NIGHT), document("a", "0180", NIGHT))
        assert keyed(index, find_pairs(index, 0.0)) == [("a", "z")]

    def test_equal_scores_are_in_key_order(self):
        index = corpus(*(document(key, key, NIGHT) for key in ("d", "b", "c", "a")))
        assert keyed(index, find_pairs(index, 0.5)) == [
            ("a", "b"),
            ("a", "c"),
            ("a", "d"),
            ("b", "c"),
            ("b", "d"),
            ("c", "d"),
        ]

    def test_pairs_across_chunk_boundaries_are_found(self, monkeypatch):
        monkeypatch.setattr(scoring, "CHUNK_ROWS", 2)
        documents = [document(f"k{i}", f"o{i}", NIGHT if i in (0, 4) else f"Ämne{i} projekt{i}") for i in range(5)]
        index = build_index(documents)
        assert keyed(index, find_pairs(index, 0.9)) == [("k0", "k4")]

    def test_each_document_brings_only_its_closest_matches(self, monkeypatch):
        monkeypatch.setattr(scoring, "CLOSEST_PER_DOCUMENT", 1)
        index = corpus(*(document(key, key, NIGHT) for key in ("a", "b", "c")))
        # Ties go to the smaller key: a picks b, b picks a, c picks a; b–c is nobody's pick.
        assert keyed(index, find_pairs(index, 0.5)) == [("a", "b"), ("a", "c")]

    @pytest.mark.parametrize("documents", [[], [Document("a", "2281", scoring.Features((), ()))]])
    def test_empty_corpus_has_no_pairs(self, documents):
        assert len(find_pairs(build_index(documents), 0.0)) == 0


class TestNeighbours:
    def test_lists_other_owners_best_first(self):
        index = corpus(
            document("a", "2281", NIGHT),
            document("b", "0180", NIGHT),
            document("c", "1480", NIGHT_AGAIN),
            document("d", "2281", NIGHT),
        )
        assert keyed(index, neighbours(index, "a", 0.01)) == [("a", "b"), ("a", "c")]

    def test_unknown_key_has_none(self):
        assert len(neighbours(corpus(document("a", "2281", NIGHT)), "missing", 0.0)) == 0


class TestSharedFeatures:
    def test_only_shared_features_heaviest_first(self):
        index = corpus(
            document("a", "2281", NIGHT, ("kamera",)),
            document("b", "0180", NIGHT_AGAIN, ("kamera",)),
            document("c", "1480", "Kamera i skolan", ("kamera",)),
        )
        shared = shared_features(index, index.position("a"), index.position("b"))
        assert set(shared) == {scoring.stem("nattillsyn"), scoring.stem("hemtjänsten"), "#kamera"}
        assert shared[-1] == "#kamera"  # in every document, so it weighs least


class TestUpdateIndex:
    def test_a_changed_document_is_compared_in_the_fixed_vocabulary(self):
        index = corpus(document("a", "2281", NIGHT), document("b", "0180", SIGNING))
        updated = update_index(index, [document("b", "0180", NIGHT_AGAIN)], [])
        assert keyed(updated, neighbours(updated, "a", 0.1)) == [("a", "b")]
        assert len(neighbours(index, "a", 0.1)) == 0

    def test_new_documents_are_appended_and_removed_ones_emptied(self):
        index = corpus(document("a", "2281", NIGHT), document("b", "0180", NIGHT))
        updated = update_index(index, [document("c", "1480", NIGHT)], ["b"])
        assert updated.position("c") == 2 and updated.owner_codes[updated.owner_ids[2]] == "1480"
        assert keyed(updated, neighbours(updated, "a", 0.5)) == [("a", "c")]
        assert index.matrix.shape[0] == 2  # the old index is untouched


class TestUpdatePairs:
    def test_pairs_of_changed_documents_are_found_again(self):
        index = corpus(document("a", "2281", NIGHT), document("b", "0180", NIGHT), document("c", "1480", SIGNING))
        pairs = find_pairs(index, 0.5)
        updated = update_index(index, [document("c", "1480", NIGHT), document("b", "0180", SIGNING)], [])
        changed = np.array([updated.position("b"), updated.position("c")])
        assert keyed(updated, update_pairs(updated, pairs, changed, 0.5)) == [("a", "c")]
        assert keyed(updated, update_pairs(updated, pairs, changed, 0.5)) == keyed(updated, find_pairs(updated, 0.5))


class TestClusters:
    def test_pairs_join_documents_into_groups_through_others(self):
        index = corpus(*(document(key, key, NIGHT) for key in "abcdef"))
        chain = scoring.Pairs(np.array([3, 0, 1]), np.array([4, 1, 2]), np.array([0.5, 0.9, 0.4]))
        groups = [[str(index.keys[p]) for p in group] for group in grouping.clusters(len(index.keys), chain)]
        assert groups == [["a", "b", "c"], ["d", "e"]]  # a and c through b; f pairs with nobody

    def test_no_pairs_no_groups(self):
        index = corpus(document("a", "a", NIGHT))
        assert grouping.clusters(len(index.keys), find_pairs(index, 0.5)) == []


class TestLabelFeatures:
    def test_tags_first_then_words_without_solutions(self):
        index = corpus(document("a", "2281", NIGHT, ("kamera",), "Tillsyn"), document("b", "0180", NIGHT, ("kamera",)))
        labels = grouping.label_features(index, np.array([0, 1]), 3)
        assert labels[0] == "kamera" and len(labels) == 3
        assert not any(label.startswith(("#", "=")) for label in labels)
