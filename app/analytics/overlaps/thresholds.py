"""The scores that decide what an overlap is, apart from `scoring` so that the API workers, which
only read the indexer's tables, never import the scoring's numerical libraries (sklearn, scipy).
Chosen on the development part of the evaluation set; see docs/analytics/overlap.md."""

# Two initiatives are taken to be the same work (the default of overlap lists, and what
# clusters, flags and scaling candidates are made of) from this score on, or when each is among
# the other's MUTUAL_NEIGHBOURS closest matches (a text in its own words scores low against every
# text, its true partners included, yet they are still its closest).
SAME_WORK_SCORE = 0.45
MUTUAL_NEIGHBOURS = 5
MUTUAL_SCORE = 0.2
# Scores down to this are kept (and can be listed with `min_score`).
FLOOR = 0.1
