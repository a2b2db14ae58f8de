"""Which pairs the index takes to be the same work: a high score, or each among the other's
closest matches (`thresholds.MUTUAL_NEIGHBOURS`) from `thresholds.MUTUAL_SCORE` on."""

from app.analytics.overlaps import scoring, thresholds
from app.analytics.overlaps.features import Features


def document(key: str, owner: str, **words: float) -> scoring.Document:
    # The same bag as words and as letter grams: the score is (0.22 + 0.35) × their cosine.
    bag = dict(words)
    return scoring.Document(key, owner, Features({}, bag, bag, None, {}, frozenset(f"w:{word}" for word in bag)))


LONE = document("lone", "0001", a=1)
WIDE = document("wide", "0002", a=1, b=2)  # scores 0.255 against LONE: below SAME_WORK_SCORE
CROWD = [document(f"crowd{n}", f"10{n:02}", b=1) for n in range(thresholds.MUTUAL_NEIGHBOURS)]  # 0.51 against WIDE


def marks(index: scoring.Index, key: str) -> dict[str, bool]:
    return {other: same for other, _score, same in index.best_marked(key)}


def edges(index: scoring.Index) -> set[tuple[str, str]]:
    first, second, _scores = index.same_work_edges()
    return {
        tuple(sorted((index.key_at(a), index.key_at(b)))) for a, b in zip(first.tolist(), second.tolist(), strict=True)
    }


def test_a_weak_pair_is_the_same_work_while_each_is_among_the_others_closest():
    index = scoring.Index()
    index.apply([LONE, WIDE])
    (score,) = [value for other, value in index.best("lone") if other == "wide"]
    assert thresholds.MUTUAL_SCORE <= score < thresholds.SAME_WORK_SCORE
    assert marks(index, "lone") == {"wide": True} and marks(index, "wide") == {"lone": True}
    assert edges(index) == {("lone", "wide")}


def test_closer_matches_end_it_and_the_pair_is_marked_again_on_both_sides():
    index = scoring.Index()
    index.apply([LONE, WIDE])
    changed = index.apply(CROWD)
    # LONE's own list is unchanged (the crowd shares nothing with it), yet its mark changed.
    assert [other for other, _value in index.best("lone")] == ["wide"]
    assert "lone" in changed
    assert marks(index, "lone") == {"wide": False}
    assert marks(index, "wide") == {**{crowd.key: True for crowd in CROWD}, "lone": False}
    assert ("lone", "wide") not in edges(index)
    assert {(crowd.key, "wide") for crowd in CROWD} <= edges(index)
    index.apply([], removed=[document.key for document in CROWD])
    assert marks(index, "lone") == {"wide": True}


def test_a_pair_below_the_mutual_score_is_never_the_same_work():
    index = scoring.Index()
    index.apply([document("one", "0001", a=1), document("other", "0002", a=1, b=3)])  # 0.18
    assert marks(index, "one") == {"other": False} and edges(index) == set()
