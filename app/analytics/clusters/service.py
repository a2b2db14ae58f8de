"""The national duplication report: clusters of initiatives doing the same work in several
organisations, largest combined budget first."""

import uuid
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from app.analytics.briefs import briefs
from app.analytics.clusters import grouping
from app.analytics.clusters.schemas import ClusterPage, ClusterQuery, ClusterRead
from app.analytics.context import AnalyticsContext
from app.analytics.overlaps import corpus as overlap_corpus
from app.analytics.overlaps.corpus import Corpus
from app.analytics.schemas import InitiativeBrief
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor

LABEL_TERMS_SHOWN = 5


class Group(NamedTuple):
    budget_sek: int
    first_key: str
    positions: np.ndarray


@lru_cache(maxsize=2)
def groups(corpus: Corpus) -> list[np.ndarray]:
    """Duplication groups over the whole registry, once per corpus (a corpus never changes)."""
    return grouping.clusters(len(corpus.index.keys), corpus.pairs)


@lru_cache(maxsize=2)
def group_numbers(corpus: Corpus) -> np.ndarray:
    """Each position's group number; a position in no group is a group of its own (−1 − position)."""
    labels = -1 - np.arange(len(corpus.index.keys))
    for number, members in enumerate(groups(corpus)):
        labels[members] = number
    return labels


def cluster_of(corpus: Corpus, position: int) -> np.ndarray:
    """The positions in `position`'s group (itself alone when it is in none)."""
    number = group_numbers(corpus)[position]
    return groups(corpus)[number] if number >= 0 else np.array([position])


def list_clusters(context: AnalyticsContext, query: ClusterQuery) -> ClusterPage:
    """Clusters of initiatives doing the same work in at least `min_organisations` organisations,
    largest combined budget first. With a county or category, only initiatives that match
    are joined, so a cluster is one kind of work within the county."""
    corpus = overlap_corpus.current(context)
    found = sorted(
        (
            _group(corpus, positions)
            for positions in _filtered_groups(context, corpus, query)
            if len(set(corpus.index.owner_ids[positions])) >= query.min_organisations
        ),
        key=lambda group: (-group.budget_sek, group.first_key),
    )
    remaining = _after_cursor(found, query.cursor)
    page = remaining[: query.limit]
    shown = briefs(context.session, (corpus.index.keys[position] for group in page for position in group.positions))
    cursor = encode_cursor([page[-1].budget_sek, page[-1].first_key]) if len(remaining) > query.limit else None
    return ClusterPage(
        items=[_cluster_read(corpus, group, shown) for group in page],
        next=cursor,
        total_count=len(found),
        total_budget_sek=sum(group.budget_sek for group in found),
    )


def _filtered_groups(context: AnalyticsContext, corpus: Corpus, query: ClusterQuery) -> list[np.ndarray]:
    if query.county is None and query.category is None:
        return groups(corpus)
    wanted = np.ones(len(corpus.index.keys), dtype=bool)
    if query.county is not None:
        profiles = context.organisations.profiles
        in_county = np.array(
            [profiles[code].county_code == query.county for code in corpus.index.owner_codes], dtype=bool
        )
        wanted &= in_county[corpus.index.owner_ids]
    if query.category is not None:
        wanted &= corpus.facts.category == query.category
    pairs = corpus.pairs
    return grouping.clusters(len(wanted), pairs.select(wanted[pairs.first] & wanted[pairs.second]))


def _group(corpus: Corpus, positions: np.ndarray) -> Group:
    return Group(int(corpus.facts.budget[positions].sum()), min(corpus.index.keys[positions]), positions)


def _after_cursor(found: list[Group], cursor: str | None) -> list[Group]:
    if cursor is None:
        return found
    budget, first = decode_cursor(cursor, 2)
    if not isinstance(budget, int) or not isinstance(first, str):
        raise invalid_cursor(cursor)
    return [group for group in found if (-group.budget_sek, group.first_key) > (-budget, first)]


def _cluster_read(corpus: Corpus, group: Group, shown: dict[str, InitiativeBrief]) -> ClusterRead:
    members = sorted(
        (shown[corpus.index.keys[position]] for position in group.positions),
        key=lambda brief: (-(brief.budget_sek or 0), brief.title),
    )
    codes = sorted({member.owner for member in members})
    return ClusterRead(
        id=uuid.UUID(group.first_key),
        label_terms=grouping.label_features(corpus.index, group.positions, LABEL_TERMS_SHOWN),
        organisation_codes=codes,
        organisation_count=len(codes),
        combined_budget_sek=group.budget_sek,
        members=members,
    )
