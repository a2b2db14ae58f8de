"""A full build scores each text once however many initiatives hold it (`scoring.Index.rank_all`),
and so does a batch (`scoring.Index.apply`): both must still give every list what writing the
initiatives one by one gives."""

import random

from app.analytics.overlaps import scoring
from app.analytics.overlaps.features import Features, features

TEXTS = [
    ("Digital nattillsyn med kamera", "Brukare i hemtjänsten får tillsyn via kamera i stället för nattligt besök."),
    ("Digitala trygghetslarm", "Byte från analoga till digitala trygghetslarm i ordinärt boende."),
    ("E-faktura till leverantörer", "Leverantörsfakturor tas emot som e-faktura via Peppol."),
    ("E-tjänst för bygglov", "Ansökan om bygglov med ritningar digitalt."),
    ("Nattkameror i hemtjänsten", "Kameratillsyn nattetid för brukare som vill slippa besök."),
]


def registry(seed: int) -> list[scoring.Document]:
    rng = random.Random(seed)
    analysed = [features(title, summary, None, [], None) for title, summary in TEXTS]
    documents = [scoring.Document(f"t{n}", f"o{n}", analysed[n]) for n in range(len(TEXTS))]
    # Many twins of each text, one owner holding more of them than a list takes, so that a
    # list of that owner's twin must reach past the first of them by key.
    for n in range(160):
        text = n % len(TEXTS)
        owner = "o-many" if text == 0 and n < 125 else f"o{rng.randrange(30)}"
        documents.append(scoring.Document(f"k{rng.randrange(10**6):06d}-{n}", owner, analysed[text]))
    rng.shuffle(documents)
    return documents


def features_of(documents: list[scoring.Document], key: str) -> Features:
    return next(document.features for document in documents if document.key == key)


def lists(index: scoring.Index) -> dict[str, list[tuple[str, float]]]:
    return {key: index.best(key) for key in sorted(index.keys())}


def test_a_full_build_gives_each_twin_the_list_one_by_one_writing_gives():
    documents = registry(seed=4)
    one_by_one = scoring.Index()
    for document in documents:
        one_by_one.apply([document])
    built = scoring.Index()
    built.place(documents)
    built.rank_all()
    assert lists(built) == lists(one_by_one)
    many = [d.key for d in documents if d.owner_code == "o-many"]
    assert len(many) > scoring.NEIGHBOURS  # the case the head of a text's twins is for
    # Their twins of other owners come first, at the same score, wherever their keys sort.
    twins_elsewhere = sorted(
        d.key for d in documents if d.features == features_of(documents, many[0]) and d.key not in many
    )
    assert [other for other, _score in built.best(many[0])][: len(twins_elsewhere)] == twins_elsewhere


def test_a_full_build_after_removals_leaves_the_removed_out():
    documents = registry(seed=5)
    removed = [document.key for document in documents[::7]]
    built = scoring.Index()
    built.place(documents)
    built.remove(removed)
    built.rank_all()
    kept = scoring.Index()
    kept.apply([document for document in documents if document.key not in removed])
    assert lists(built) == lists(kept)
    assert not set(removed) & {other for listed in lists(built).values() for other, _score in listed}


def test_twins_written_in_one_batch_get_the_lists_a_full_build_gives():
    # `apply` scores the twins among a batch's initiatives once, each then leaving out its own owner.
    documents = registry(seed=6)
    half = len(documents) // 2
    in_batches = scoring.Index()
    in_batches.apply(documents[:half])
    in_batches.apply(documents[half:])
    built = scoring.Index()
    built.place(documents)
    built.rank_all()
    assert lists(in_batches) == lists(built)
