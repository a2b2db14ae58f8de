"""What overlap detection reads in a text, and which of it makes a pair worth scoring."""

from app.analytics.overlaps.features import SELECTIVE_GRAM_ZIPF, features
from app.language.text import gram_zipf


def test_grams_common_in_swedish_count_in_the_score_but_select_no_pair():
    read = features("Snöröjningsrobot för gångbanor", None, None, [], None)
    common = {gram for gram in read.grams if gram_zipf(gram) > SELECTIVE_GRAM_ZIPF}
    rare = set(read.grams) - common
    assert {"ing", "nin"} <= common and {"röj", "snö"} <= rare
    assert {f"g:{gram}" for gram in common}.isdisjoint(read.selective)
    assert {"g:röj", "g:snö", "w:snöröjningsrobot"} <= read.selective


def test_gram_frequencies_come_from_swedish_words():
    assert gram_zipf("ing") > gram_zipf("röj") > gram_zipf("<rp") > 0
    assert gram_zipf("qzx") == 0.0
