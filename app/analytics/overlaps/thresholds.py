"""The scores that decide what an overlap is, apart from `scoring` so that the API workers, which
only read the indexer's tables, never import the scoring's numerical libraries (sklearn, scipy).
Chosen on the development part of the evaluation set; see docs/analytics/overlap.md."""

# From this score on two initiatives are taken to be the same work: the default of overlap
# lists, and what clusters, flags and scaling candidates are made of.
SAME_WORK_SCORE = 0.3
# Scores down to this are kept (and can be listed with `min_score`).
FLOOR = 0.1
