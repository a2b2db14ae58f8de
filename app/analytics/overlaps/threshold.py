"""The score from which two initiatives are taken to be the same work: the default of overlap
lists, and what clusters, flags and scaling candidates are made of. Kept apart from `scoring`
so that the API workers, which read stored pairs, need not load NumPy and scikit-learn."""

SAME_WORK_SCORE = 0.3
