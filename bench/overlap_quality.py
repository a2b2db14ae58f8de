"""Overlap quality on the labelled evaluation set: the development part (weights and thresholds
are chosen on it) and the test part (never tuned on), side by side, with 95 % intervals of the
pairwise figures.

    python bench/overlap_quality.py
"""

from pathlib import Path

from app.analytics import evaluation

DATA = Path(__file__).parent.parent / "tests" / "analytics" / "data" / "eval"
COLUMNS = ("texts", "groups", "precision", "recall", "f1", "hit_at_5", "bcubed_precision", "bcubed_recall", "bcubed_f")


def main() -> None:
    print("| part | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    parts = {part: evaluation.load(DATA / f"overlap_{part}.json") for part in ("dev", "test")}
    for part, texts in parts.items():
        quality = evaluation.measure(texts)
        values = [getattr(quality, column) for column in COLUMNS]
        print(f"| {part} | " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in values) + " |")
    print("\n95 % intervals, groups drawn with replacement (`evaluation.pairwise_intervals`):\n")
    print("| part | precision | recall | f1 |\n|---|---|---|---|")
    for part, texts in parts.items():
        intervals = evaluation.pairwise_intervals(texts)
        print(f"| {part} | " + " | ".join(f"{low:.2f}–{high:.2f}" for low, high in intervals.values()) + " |")


if __name__ == "__main__":
    main()
