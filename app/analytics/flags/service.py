"""Flags on initiatives (see `rules`), and an organisation's portfolio with the money behind each flag."""

import uuid
from collections.abc import Sequence
from functools import lru_cache

from app.analytics.clusters import service as cluster_service
from app.analytics.context import AnalyticsContext
from app.analytics.flags import rules
from app.analytics.flags.schemas import FlagSummary, PortfolioItemRead, PortfolioRead
from app.analytics.overlaps import corpus as overlap_corpus
from app.analytics.overlaps.corpus import Corpus
from app.core.enums import Flag, InitiativeStatus
from app.initiatives import reads as initiative_reads
from app.initiatives.schemas import FlagRead
from app.organisations.service import Profile


@lru_cache(maxsize=2)
def proven_matches(corpus: Corpus) -> dict[str, str]:
    """For every live pilot: a proven initiative of another owner in its cluster, if any; its
    best-scoring direct pair partner when it has one, else the cluster's largest realised
    benefit. By initiative id (as a string); once per corpus."""
    proven, status, owners, keys = (
        corpus.facts.is_proven,
        corpus.facts.status,
        corpus.index.owner_ids,
        corpus.index.keys,
    )
    found: dict[int, int] = {}
    pairs = corpus.pairs
    for pilot, other in ((pairs.first, pairs.second), (pairs.second, pairs.first)):
        chosen = (status[pilot] == InitiativeStatus.pilot) & proven[other]
        for position, match in zip(pilot[chosen].tolist(), other[chosen].tolist(), strict=True):
            found.setdefault(position, match)  # pairs come best first
    for members in cluster_service.groups(corpus):
        pilots = members[status[members] == InitiativeStatus.pilot]
        ranked = sorted(members[proven[members]].tolist(), key=lambda p: -corpus.facts.realised[p])
        for position in pilots.tolist():
            others = [p for p in ranked if owners[p] != owners[position]]
            if others:
                found.setdefault(position, others[0])
    return {str(keys[pilot]): str(keys[match]) for pilot, match in found.items()}


def proven_matches_now(context: AnalyticsContext) -> dict[str, str]:
    """`proven_matches` of the corpus as of now."""
    return proven_matches(overlap_corpus.current(context))


def flag_reads(flags: Sequence[Flag], proven_initiative_id: str | None) -> list[FlagRead]:
    """The flags an initiative meets as the API shows them; `pilot_of_proven` links to its match."""
    return [_flag_read(flag, proven_initiative_id if flag == Flag.pilot_of_proven else None) for flag in flags]


def pilot_ids(context: AnalyticsContext) -> list[uuid.UUID]:
    """Live pilots that have a proven initiative of another organisation in their cluster."""
    return [uuid.UUID(key) for key in proven_matches(overlap_corpus.current(context))]


def portfolio(context: AnalyticsContext, organisation: Profile) -> PortfolioRead:
    """The organisation's live initiatives with their flags, and each flag's count and budget."""
    owned = initiative_reads.owned(context.session, organisation.code)
    flags = {read.id: read.flags for read in initiative_reads.reads(context.session, [row.id for row in owned])}
    items = [
        PortfolioItemRead(
            id=row.id,
            title=row.title,
            status=row.status,
            category=row.category,
            budget_sek=row.budget_sek,
            flags=flags[row.id],
        )
        for row in owned
    ]
    return PortfolioRead(
        organisation=organisation.code,
        initiative_count=len(items),
        total_budget_sek=sum(item.budget_sek or 0 for item in items),
        flags=_summaries(items),
        initiatives=items,
    )


@lru_cache(maxsize=4096)
def _flag_read(flag: Flag, proven_initiative_id: str | None) -> FlagRead:
    """Shared, never changed: a page holds about three flags an initiative, nearly all alike."""
    proven = uuid.UUID(proven_initiative_id) if proven_initiative_id else None
    return FlagRead(flag=flag, explanation=rules.EXPLANATIONS[flag], proven_initiative_id=proven)


def _summaries(items: list[PortfolioItemRead]) -> list[FlagSummary]:
    summaries = []
    for kind in Flag:
        flagged = [item for item in items if any(found.flag == kind for found in item.flags)]
        if flagged:
            summaries.append(
                FlagSummary(flag=kind, count=len(flagged), budget_sek=sum(item.budget_sek or 0 for item in flagged))
            )
    return summaries
