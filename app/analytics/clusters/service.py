"""The national duplication report: clusters of initiatives doing the same work in several
organisations, largest combined budget first, read from the tables the indexer keeps."""

import uuid
from typing import NamedTuple

from app.analytics.briefs import briefs
from app.analytics.clusters import store
from app.analytics.clusters.schemas import ClusterPage, ClusterQuery, ClusterRead
from app.analytics.context import AnalyticsContext
from app.analytics.schemas import InitiativeBrief
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.initiatives import reads as initiative_reads
from app.initiatives.records import Standing
from app.language.schemas import ConceptRef
from app.language.vocabulary import vocabulary


class Group(NamedTuple):
    budget_sek: int
    id: uuid.UUID
    label: str
    concepts: list[str]
    members: list[Standing]


def list_clusters(context: AnalyticsContext, query: ClusterQuery) -> ClusterPage:
    """Clusters of initiatives doing the same work in at least `min_organisations` organisations,
    largest combined budget first. With a county or category only the members that match count,
    so a cluster is one kind of work within the county."""
    found = sorted(_groups(context, query), key=lambda group: (-group.budget_sek, str(group.id)))
    remaining = _after_cursor(found, query.cursor)
    page = remaining[: query.limit]
    shown = briefs(context.session, (str(member.id) for group in page for member in group.members))
    cursor = encode_cursor([page[-1].budget_sek, str(page[-1].id)]) if len(remaining) > query.limit else None
    return ClusterPage(
        items=[_cluster_read(group, shown) for group in page],
        next=cursor,
        total_count=len(found),
        total_budget_sek=sum(group.budget_sek for group in found),
    )


def _groups(context: AnalyticsContext, query: ClusterQuery) -> list[Group]:
    clusters = store.all_clusters(context.session)
    standing = {
        s.id: s
        for s in initiative_reads.standings(
            context.session, [i for _l, _c, members in clusters.values() for i in members]
        )
    }
    profiles = context.organisations.profiles
    groups = []
    for cluster_id, (label, concepts, member_ids) in clusters.items():
        members = [
            standing[i]
            for i in member_ids
            if i in standing
            and (query.category is None or standing[i].category == query.category)
            and (query.county is None or query.county in profiles[standing[i].owner_code].county_codes)
        ]
        if len({member.owner_code for member in members}) >= query.min_organisations:
            budget = sum(member.budget_sek or 0 for member in members)
            groups.append(Group(budget, cluster_id, label, concepts, members))
    return groups


def _after_cursor(found: list[Group], cursor: str | None) -> list[Group]:
    if cursor is None:
        return found
    budget, first = decode_cursor(cursor, 2)
    if not isinstance(budget, int) or not isinstance(first, str):
        raise invalid_cursor(cursor)
    return [group for group in found if (-group.budget_sek, str(group.id)) > (-budget, first)]


def _cluster_read(group: Group, shown: dict[str, InitiativeBrief]) -> ClusterRead:
    members = sorted(
        (shown[str(member.id)] for member in group.members),
        key=lambda brief: (-(brief.budget_sek or 0), brief.title),
    )
    codes = sorted({member.owner for member in members})
    concepts = vocabulary().concepts
    return ClusterRead(
        id=group.id,
        label=group.label,
        concepts=[ConceptRef(id=c, label=concepts[c].pref_label) for c in group.concepts if c in concepts],
        organisation_codes=codes,
        organisation_count=len(codes),
        combined_budget_sek=group.budget_sek,
        members=members,
    )
