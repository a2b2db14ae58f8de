"""Overlap quality on the labelled evaluation set (`data/eval/`): texts written by others, in
varied styles, with hard negatives from the same domains, split once into a development part
(every weight and threshold is chosen on it) and a test part that is never tuned on
(`data/eval/split.py`). See docs/analytics/overlap.md for the figures and what they mean.

The floors are what the method reaches on each part, rounded down: a change to the analysis or
the scoring that lowers them fails here. They are far from the issue's targets (pairwise F1 and
precision 0.90, hit@5 0.95, B-cubed F 0.85 on the test part), and the docs say so.
"""

from pathlib import Path

import numpy as np
import pytest

from app.analytics import evaluation

DATA = Path(__file__).parent / "data" / "eval"
FLOORS = {
    "dev": {"f1": 0.74, "precision": 0.79, "hit_at_5": 0.97, "bcubed_f": 0.83},
    "test": {"f1": 0.46, "precision": 0.58, "hit_at_5": 0.87, "bcubed_f": 0.63},
}


@pytest.fixture(scope="module", params=["dev", "test"])
def measured(request) -> tuple[str, evaluation.Quality]:
    return request.param, evaluation.measure(evaluation.load(DATA / f"overlap_{request.param}.json"))


def test_the_set_is_as_large_and_varied_as_the_issue_asks():
    parts = [evaluation.load(DATA / f"overlap_{part}.json") for part in ("dev", "test")]
    texts = [text for part in parts for text in part]
    groups = {text.group for text in texts if text.group}
    assert len(texts) >= 600 and len(groups) >= 80
    assert sum(text.group is None for text in texts) >= 100
    assert not {t.group for t in parts[0] if t.group} & {t.group for t in parts[1] if t.group}, "a group in both"


def test_quality_stays_at_its_floors(measured):
    part, quality = measured
    for metric, floor in FLOORS[part].items():
        assert getattr(quality, metric) >= floor, (part, metric, quality)


def test_a_draw_of_every_group_once_gives_the_figures_and_the_intervals_hold_them(measured):
    part, quality = measured
    texts = evaluation.load(DATA / f"overlap_{part}.json")
    counts = evaluation.unit_counts(texts)
    assert counts.figures(np.ones(len(counts.possible))) == pytest.approx(
        (quality.precision, quality.recall, quality.f1), abs=1e-12
    )
    intervals = evaluation.pairwise_intervals(texts, rounds=400)
    for metric, (low, high) in intervals.items():
        assert low < getattr(quality, metric) < high, (part, metric, low, high)
