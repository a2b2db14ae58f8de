import numpy as np
import pytest

from app.analytics import overlap
from app.analytics.overlap import (
    Document, build_index, clusters, coordinated, features, find_pairs, involvement_codes, label_features, neighbours,
    shared_features,
)

NIGHT = "Digital nattillsyn i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"
SIGNING = "Digital signering av avtal"


def document(key: str, owner: str, title: str, tags: tuple[str, ...] = (), solution: str | None = None) -> Document:
    return Document(key, owner, features(title, None, None, tags, solution))


def corpus(*documents: Document) -> overlap.OverlapIndex:
    return build_index(list(documents))


def keyed(index: overlap.OverlapIndex, pairs: overlap.Pairs) -> list[tuple[str, str]]:
    return [(str(index.keys[first]), str(index.keys[second])) for first, second in zip(pairs.first, pairs.second)]


class TestFeatures:
    def test_title_counts_twice_and_stop_words_are_dropped(self):
        found = features("Kameror för nattillsyn", "Kameror och", None, [], None)
        assert found.count(overlap.stem("kameror")) == 3
        assert overlap.stem("för") not in found and "och" not in found

    def test_inflections_meet_in_one_stem(self):
        assert set(features("tjänsten", None, None, [], None)) == set(features("tjänster", None, None, [], None))

    def test_tags_and_solution_become_their_own_features(self):
        found = features("Larm", None, None, ["Hemtjänst"], " LifeCare ")
        assert "#hemtjänst" in found and "=lifecare" in found

    def test_blank_solution_adds_nothing(self):
        assert not any(feature.startswith("=") for feature in features("Larm", None, None, [], "  "))


class TestFindPairs:
    def test_alike_initiatives_of_different_owners_pair_up_best_first(self):
        index = corpus(document("a", "2281", NIGHT, ("nattillsyn",)),
                       document("b", "0180", NIGHT_AGAIN, ("nattillsyn",)), document("c", "1480", SIGNING))
        pairs = find_pairs(index, 0.01)
        assert keyed(index, pairs) == [("a", "b"), ("a", "c")]  # a and c share "digital"
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
            ("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]

    def test_pairs_across_chunk_boundaries_are_found(self, monkeypatch):
        monkeypatch.setattr(overlap, "CHUNK_ROWS", 2)
        documents = [document(f"k{i}", f"o{i}", NIGHT if i in (0, 4) else f"Ämne{i} projekt{i}") for i in range(5)]
        index = build_index(documents)
        assert keyed(index, find_pairs(index, 0.9)) == [("k0", "k4")]

    def test_each_document_brings_only_its_closest_matches(self, monkeypatch):
        monkeypatch.setattr(overlap, "CLOSEST_PER_DOCUMENT", 1)
        index = corpus(*(document(key, key, NIGHT) for key in ("a", "b", "c")))
        # Ties go to the smaller key: a picks b, b picks a, c picks a; b–c is nobody's pick.
        assert keyed(index, find_pairs(index, 0.5)) == [("a", "b"), ("a", "c")]

    @pytest.mark.parametrize("documents", [[], [Document("a", "2281", ())]])
    def test_empty_corpus_has_no_pairs(self, documents):
        assert len(find_pairs(build_index(documents), 0.0)) == 0


class TestNeighbours:
    def test_lists_other_owners_best_first(self):
        index = corpus(document("a", "2281", NIGHT), document("b", "0180", NIGHT),
                       document("c", "1480", NIGHT_AGAIN), document("d", "2281", NIGHT))
        assert keyed(index, neighbours(index, "a", 0.01)) == [("a", "b"), ("a", "c")]

    def test_unknown_key_has_none(self):
        assert len(neighbours(corpus(document("a", "2281", NIGHT)), "missing", 0.0)) == 0


class TestSharedFeatures:
    def test_only_shared_features_heaviest_first(self):
        index = corpus(document("a", "2281", NIGHT, ("kamera",)), document("b", "0180", NIGHT_AGAIN, ("kamera",)),
                       document("c", "1480", "Kamera i skolan", ("kamera",)))
        shared = shared_features(index, index.position("a"), index.position("b"))
        assert set(shared) == {overlap.stem("nattillsyn"), overlap.stem("hemtjänsten"), "#kamera"}
        assert shared[-1] == "#kamera"  # in every document, so it weighs least


class TestCoordinated:
    def flags(self, involvement: list[tuple[str, str]]) -> list[bool]:
        index = corpus(document("a", "2281", NIGHT), document("b", "0180", NIGHT), document("c", "1480", SIGNING))
        return coordinated(index, find_pairs(index, 0.5), involvement_codes(index, involvement)).tolist()

    def test_participation_or_adoption_in_either_direction_counts(self):
        assert self.flags([("a", "0180")]) == [True]
        assert self.flags([("b", "2281")]) == [True]

    def test_other_statements_do_not(self):
        assert self.flags([("a", "2281"), ("c", "0180"), ("a", "9999"), ("gone", "0180")]) == [False]
        assert self.flags([]) == [False]

    def test_codes_skip_what_cannot_matter(self):
        index = corpus(document("a", "2281", NIGHT))
        assert involvement_codes(index, [("gone", "2281"), ("a", "9999")]).tolist() == []
        assert np.issubdtype(involvement_codes(index, [("a", "2281")]).dtype, np.integer)


class TestClusters:
    def test_pairs_join_documents_into_groups_through_others(self):
        index = corpus(*(document(key, key, NIGHT) for key in "abcdef"))
        chain = overlap.Pairs(np.array([3, 0, 1]), np.array([4, 1, 2]), np.array([0.5, 0.9, 0.4]))
        groups = [[str(index.keys[p]) for p in group] for group in clusters(index, chain)]
        assert groups == [["a", "b", "c"], ["d", "e"]]  # a and c through b; f pairs with nobody

    def test_no_pairs_no_groups(self):
        index = corpus(document("a", "a", NIGHT))
        assert clusters(index, find_pairs(index, 0.5)) == []


class TestLabelFeatures:
    def test_tags_first_then_words_without_solutions(self):
        index = corpus(document("a", "2281", NIGHT, ("kamera",), "Tillsyn"), document("b", "0180", NIGHT, ("kamera",)))
        labels = label_features(index, np.array([0, 1]), 3)
        assert labels[0] == "kamera" and len(labels) == 3
        assert not any(label.startswith(("#", "=")) for label in labels)
