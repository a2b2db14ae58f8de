"""Scaling candidates: proven initiatives and the organisations that lack them, with what each
month of waiting costs (see `estimates` for the rules and the formula).

Who lacks which proven initiative is worked out once per request (`lacking`) and shared by the
national list, an organisation's candidates and the opportunity-cost KPI.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.analytics.briefs import briefs
from app.analytics.clusters import service as cluster_service
from app.analytics.context import AnalyticsContext
from app.analytics.overlaps import corpus as overlap_corpus
from app.analytics.overlaps import service as overlap_service
from app.analytics.overlaps.corpus import Corpus
from app.analytics.scaling import estimates
from app.analytics.scaling.schemas import CandidateQuery, CandidateRead, NationalScalingCandidate, ScalingCandidate
from app.core.enums import OrganisationKind
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.core.problems import InvalidParameter, ValidationFailed
from app.initiatives import reads as initiative_reads
from app.organisations.service import Profile


@dataclass(frozen=True)
class Lacking:
    """One proven initiative, its owner and the peer organisations that run nothing of its cluster."""

    position: int
    initiative_id: uuid.UUID
    owner: str
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class Estimate:
    """One proven initiative against the organisations lacking it (one, for a target)."""

    lacking: Lacking
    organisations: tuple[str, ...]
    cost: estimates.OpportunityCost


def populations(context: AnalyticsContext) -> dict[str, int | None]:
    """Each organisation's served population (see `estimates.served_population`), once per request."""

    def compute() -> dict[str, int | None]:
        organisations = context.organisations
        by_county: dict[str, list[str]] = {}
        for profile in organisations.profiles.values():
            if profile.kind == OrganisationKind.municipality:
                by_county.setdefault(profile.county_code or "", []).append(profile.code)
        return {
            code: estimates.served_population(
                code,
                profile.kind,
                profile.county_code,
                organisations.reported_populations,
                by_county,
                organisations.members,
            )
            for code, profile in organisations.profiles.items()
        }

    return context.once("populations", compute)


def lacking(context: AnalyticsContext) -> list[Lacking]:
    """Every proven initiative with the peers that lack it, once per request."""

    def compute() -> list[Lacking]:
        corpus = overlap_corpus.current(context)
        profiles = context.organisations.profiles
        peers: dict[OrganisationKind, list[str]] = {}
        for profile in profiles.values():
            peers.setdefault(profile.kind, []).append(profile.code)
        running: dict[int, set[str]] = {}
        found = []
        for position in np.flatnonzero(corpus.facts.is_proven).tolist():
            owner = corpus.owner_of(position)
            number = int(cluster_service.group_numbers(corpus)[position])
            if number not in running:
                running[number] = _running(context, corpus, position)
            kind = estimates.peer_kind(profiles[owner].kind)
            without = tuple(code for code in peers.get(kind, []) if code not in running[number])
            found.append(Lacking(position, uuid.UUID(corpus.index.keys[position]), owner, without))
        return found

    return context.once("lacking", compute)


def list_candidates(context: AnalyticsContext, query: CandidateQuery) -> tuple[list[CandidateRead], str | None]:
    """Proven initiatives and what not taking them over costs, most costly first."""
    target = _target(context, query.for_organisation)
    page, cursor = _page(_ranked(context, query, target), query.limit, query.cursor)
    shown = briefs(context.session, (str(estimate.lacking.initiative_id) for estimate in page))
    corpus = overlap_corpus.current(context)
    return [
        CandidateRead(
            initiative=shown[str(e.lacking.initiative_id)],
            lacking_count=len(e.organisations),
            estimated_annual_benefit_sek=e.cost.estimated_annual_benefit_sek,
            monthly_opportunity_cost_sek=e.cost.monthly_opportunity_cost_sek,
            own_related_initiative_id=_own_related(corpus, e.lacking.position, target),
            missing=list(e.cost.missing),
        )
        for e in page
    ], cursor


def candidates_for(
    context: AnalyticsContext, organisation: Profile, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[ScalingCandidate], str | None]:
    """The organisation's scaling candidates with evidence and assumptions, most costly first."""
    ranked = _ranked(context, CandidateQuery(for_organisation=organisation.code), organisation)
    page, next_cursor = _page(ranked, limit, cursor)
    reads = _reads(context, [estimate.lacking.initiative_id for estimate in page])
    corpus, served = overlap_corpus.current(context), populations(context)
    return [
        ScalingCandidate(
            initiative=reads[e.lacking.initiative_id],
            estimated_annual_benefit_sek=e.cost.estimated_annual_benefit_sek,
            monthly_opportunity_cost_sek=e.cost.monthly_opportunity_cost_sek,
            own_related_initiative_id=_own_related(corpus, e.lacking.position, organisation),
            evidence=reads[e.lacking.initiative_id].benefit_evidence,
            missing=list(e.cost.missing),
            assumptions=estimates.assumptions(
                reads[e.lacking.initiative_id].realised_benefit_sek_per_year,
                served.get(e.lacking.owner),
                served.get(organisation.code),
            ),
        )
        for e in page
    ], next_cursor


def national_candidates(context: AnalyticsContext, *, limit: int = 50) -> list[NationalScalingCandidate]:
    """Proven initiatives by the annual benefit lost over every organisation lacking them, largest first."""
    ranked = _ranked(context, CandidateQuery(), None)[:limit]
    reads = _reads(context, [estimate.lacking.initiative_id for estimate in ranked])
    return [
        NationalScalingCandidate(
            initiative=reads[e.lacking.initiative_id],
            organisations_without=len(e.organisations),
            annual_opportunity_cost_sek=e.cost.estimated_annual_benefit_sek,
            monthly_opportunity_cost_sek=e.cost.monthly_opportunity_cost_sek,
            missing=list(e.cost.missing),
        )
        for e in ranked
    ]


def annual_opportunity_costs(context: AnalyticsContext) -> dict[str, int]:
    """Per organisation: Σ estimated annual benefit of its scaling candidates whose estimate is known."""

    def compute() -> dict[str, int]:
        corpus, served = overlap_corpus.current(context), populations(context)
        totals: dict[str, float] = {}
        for found in lacking(context):
            there = served.get(found.owner)
            for code in found.organisations:
                here = served.get(code)
                if there and here:
                    totals[code] = totals.get(code, 0.0) + corpus.facts.realised[found.position] * here / there
        return {code: round(total) for code, total in totals.items()}

    return context.once("annual_opportunity_costs", compute)


def _ranked(context: AnalyticsContext, query: CandidateQuery, target: Profile | None) -> list[Estimate]:
    corpus, served, profiles = overlap_corpus.current(context), populations(context), context.organisations.profiles
    chosen = []
    for found in lacking(context):
        if query.category is not None and corpus.facts.category[found.position] != query.category:
            continue
        if query.county is not None and profiles[found.owner].county_code != query.county:
            continue
        organisations = (
            found.organisations if target is None else tuple(c for c in found.organisations if c == target.code)
        )
        if organisations:
            cost = estimates.opportunity_cost(
                int(corpus.facts.realised[found.position]),
                served.get(found.owner),
                [served.get(c) for c in organisations],
            )
            chosen.append(Estimate(found, organisations, cost))
    return sorted(chosen, key=_order)


def _running(context: AnalyticsContext, corpus: Corpus, position: int) -> set[str]:
    """Who runs something of `position`'s cluster."""
    index = corpus.index
    return estimates.running_organisations(
        [
            (corpus.owner_of(p), corpus.facts.status[p], corpus.running.get(index.keys[p], ()))
            for p in cluster_service.cluster_of(corpus, position).tolist()
        ],
        context.organisations.members,
    )


def _target(context: AnalyticsContext, code: str | None) -> Profile | None:
    if code is None:
        return None
    profiles = context.organisations.profiles
    if code not in profiles:
        raise ValidationFailed(
            f"No organisation has the code {code!r}.",
            [InvalidParameter(property="for_organisation", reason="unknown organisation code", value=code)],
        )
    return profiles[code]


def _own_related(corpus: Corpus, position: int, target: Profile | None) -> uuid.UUID | None:
    """The target's own initiative in the proven one's cluster, the best-scoring pair first."""
    if target is None:
        return None
    index, cluster = corpus.index, cluster_service.cluster_of(corpus, position)
    owned = cluster[index.owner_ids[cluster] == index.owner_id(target.code)].tolist()
    if not owned:
        return None
    direct = overlap_service.direct_partners(corpus, position)
    ranked = sorted(owned, key=lambda p: (np.flatnonzero(direct == p)[:1].tolist() or [len(direct)])[0])
    return uuid.UUID(index.keys[ranked[0]])


def _reads(context: AnalyticsContext, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    session = context.session
    return {read.id: read for read in initiative_reads.reads(session, ids)}


def _order(estimate: Estimate) -> tuple[int, str]:
    """Most costly first; unknown costs last; then by id."""
    cost = estimate.cost.monthly_opportunity_cost_sek
    return -(cost if cost is not None else -1), str(estimate.lacking.initiative_id)


def _page(ranked: list[Estimate], limit: int, cursor: str | None) -> tuple[list[Estimate], str | None]:
    remaining = ranked
    if cursor is not None:
        cost, last_id = decode_cursor(cursor, 2)
        if not isinstance(cost, int) or not isinstance(last_id, str):
            raise invalid_cursor(cursor)
        remaining = [estimate for estimate in ranked if _order(estimate) > (-cost, last_id)]
    page = remaining[:limit]
    if len(remaining) <= limit:
        return page, None
    return page, encode_cursor([-_order(page[-1])[0], str(page[-1].lacking.initiative_id)])
