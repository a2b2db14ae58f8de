"""A cluster labelled by its members' words writes the vocabulary's acronyms in capitals."""

from app.analytics.clusters.labels import label
from app.analytics.overlaps.profiles import Profile


def profile(*words: tuple[str, float]) -> Profile:
    return Profile(concepts=[], words=[[word, word, weight] for word, weight in words], solution=None)


def test_acronyms_are_written_in_capitals_and_the_label_starts_with_one():
    members = [profile(("rpa", 3.0), ("leverantörsreskontra", 1.0)) for _ in range(3)]
    assert label(members) == ("RPA, leverantörsreskontra", [])


def test_other_words_keep_their_case_and_the_first_is_capitalised():
    members = [profile(("skolskjuts", 2.0), ("planering", 1.0)) for _ in range(2)]
    assert label(members) == ("Skolskjuts, planering", [])
