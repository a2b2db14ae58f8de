"""Queries that feed the analytics' pure functions, shaped for the API and the web pages alike."""

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import numpy as np
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.analytics import flags, kpis, overlap, scaling
from app.analytics.corpus import CORPUS, Corpus
from app.analytics.flags import Flag, FlagRead
from app.analytics.schemas import (
    CandidateQuery,
    CandidateRead,
    ClusterPage,
    ClusterQuery,
    ClusterRead,
    FlagSummary,
    InitiativeBrief,
    KpiReport,
    KpiReportList,
    KpiValueRead,
    Match,
    NationalScalingCandidate,
    OverlapExplanation,
    OverlapMatch,
    PortfolioItemRead,
    PortfolioRead,
    ScalingCandidate,
    SimilarQuery,
    SimilarRead,
)
from app.core.db import session_scope
from app.core.enums import OrganisationKind
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.core.problems import InvalidParameter, ValidationFailed
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative, StatusChange
from app.organisations import service as organisation_service
from app.organisations.models import Organisation, OrganisationYear

logger = logging.getLogger(__name__)

SHARED_TERMS_SHOWN = 8
LABEL_TERMS_SHOWN = 5
NATIONAL = "SE"


# Overlaps ------------------------------------------------------------------------------------


def warm_up(engine: Engine) -> None:
    """Build this worker's overlap index before it takes requests, so that no request waits for it.

    A database that is down or not yet migrated must not stop the server from starting: the
    index is then built by the first request that needs it.
    """
    try:
        with session_scope(engine, write=False) as session:
            CORPUS.get(session)
    except SQLAlchemyError as error:
        logger.warning("overlap index not built at start-up (%s); the first request will build it", error)


def list_similar(session: Session, initiative_id: uuid.UUID, query: SimilarQuery) -> list[SimilarRead]:
    """Other organisations' live initiatives most like this one, best first; without `min_score`
    only those at `overlap.SAME_WORK_SCORE` or more, which the service takes to be the same work."""
    corpus = CORPUS.get(session)
    found = _neighbours(corpus, initiative_id, query.min_score, query.limit)
    briefs = _briefs(session, corpus.index.keys[found.second])
    return [
        SimilarRead(initiative=briefs[corpus.index.keys[second]], **_match(corpus, first, second, score))
        for first, second, score in zip(found.first, found.second, found.score, strict=True)
    ]


def find_overlaps(
    session: Session, initiative_id: uuid.UUID, *, limit: int = 10, min_score: float | None = None
) -> list[OverlapMatch]:
    """As `list_similar`, each match as the full initiative with an explanation."""
    corpus = CORPUS.get(session)
    found = _neighbours(corpus, initiative_id, min_score, limit)
    keys = corpus.index.keys[found.second]
    reads = {
        str(read.id): read
        for read in initiative_service.to_read(
            session, initiative_service.load(session, [uuid.UUID(key) for key in keys])
        )
    }
    matches = []
    for first, second, score in zip(found.first, found.second, found.score, strict=True):
        match = _match(corpus, first, second, score)
        explanation = OverlapExplanation(
            shared_terms=list(dict.fromkeys(match["shared_tags"] + match["shared_terms"])),
            same_category=bool(corpus.facts.category[first] == corpus.facts.category[second]),
            same_solution=match["has_same_solution"],
            is_coordinated=match["is_coordinated"],
        )
        matches.append(
            OverlapMatch(initiative=reads[corpus.index.keys[second]], score=float(score), explanation=explanation)
        )
    return matches


def _neighbours(corpus: Corpus, initiative_id: uuid.UUID, min_score: float | None, limit: int) -> overlap.Pairs:
    threshold = overlap.SAME_WORK_SCORE if min_score is None else min_score
    found = overlap.neighbours(corpus.index, str(initiative_id), threshold)
    return found.select(np.arange(min(len(found), limit)))


def _match(corpus: Corpus, first: int, second: int, score: float) -> dict[str, Any]:
    index = corpus.index
    shared = overlap.shared_features(index, first, second)
    owners = [index.owner_codes[index.owner_ids[position]] for position in (first, second)]
    return Match(
        score=float(score),
        shared_tags=[feature[1:] for feature in shared if feature.startswith(overlap.TAG_PREFIX)],
        shared_terms=[feature for feature in shared if feature[0] not in (overlap.TAG_PREFIX, overlap.SOLUTION_PREFIX)][
            :SHARED_TERMS_SHOWN
        ],
        has_same_solution=any(feature.startswith(overlap.SOLUTION_PREFIX) for feature in shared),
        is_coordinated=(
            owners[1] in corpus.involved.get(index.keys[first], ())
            or owners[0] in corpus.involved.get(index.keys[second], ())
        ),
    ).model_dump()


# Duplication clusters --------------------------------------------------------------------------


class Group(NamedTuple):
    budget_sek: int
    first_key: str
    positions: np.ndarray


def list_clusters(session: Session, query: ClusterQuery) -> ClusterPage:
    """Clusters of initiatives doing the same work in at least `min_organisations` organisations,
    largest combined budget first. With a county or category, only initiatives that match
    are joined, so a cluster is one kind of work within the county."""
    corpus = CORPUS.get(session)
    groups = sorted(
        (
            _group(corpus, positions)
            for positions in _filtered_groups(session, corpus, query)
            if len(set(corpus.index.owner_ids[positions])) >= query.min_organisations
        ),
        key=lambda group: (-group.budget_sek, group.first_key),
    )
    remaining = _after_cluster_cursor(groups, query.cursor)
    page = remaining[: query.limit]
    briefs = _briefs(session, (corpus.index.keys[position] for group in page for position in group.positions))
    cursor = encode_cursor([page[-1].budget_sek, page[-1].first_key]) if len(remaining) > query.limit else None
    return ClusterPage(
        items=[_cluster_read(corpus, group, briefs) for group in page],
        next=cursor,
        total_count=len(groups),
        total_budget_sek=sum(group.budget_sek for group in groups),
    )


def _filtered_groups(session: Session, corpus: Corpus, query: ClusterQuery) -> list[np.ndarray]:
    if query.county is None and query.category is None:
        return corpus.groups
    wanted = np.ones(len(corpus.index.keys), dtype=bool)
    if query.county is not None:
        in_county = set(session.exec(select(Organisation.code).where(Organisation.county_code == query.county)))
        wanted &= np.array([code in in_county for code in corpus.index.owner_codes], dtype=bool)[corpus.index.owner_ids]
    if query.category is not None:
        wanted &= corpus.facts.category == query.category
    pairs = corpus.pairs
    return overlap.clusters(len(wanted), pairs.select(wanted[pairs.first] & wanted[pairs.second]))


def _group(corpus: Corpus, positions: np.ndarray) -> Group:
    return Group(int(corpus.facts.budget[positions].sum()), min(corpus.index.keys[positions]), positions)


def _after_cluster_cursor(groups: list[Group], cursor: str | None) -> list[Group]:
    if cursor is None:
        return groups
    budget, first = decode_cursor(cursor, 2)
    if not isinstance(budget, int) or not isinstance(first, str):
        raise invalid_cursor(cursor)
    return [group for group in groups if (-group.budget_sek, group.first_key) > (-budget, first)]


def _cluster_read(corpus: Corpus, group: Group, briefs: dict[str, InitiativeBrief]) -> ClusterRead:
    members = sorted(
        (briefs[corpus.index.keys[position]] for position in group.positions),
        key=lambda brief: (-(brief.budget_sek or 0), brief.title),
    )
    codes = sorted({member.owner for member in members})
    return ClusterRead(
        id=group.first_key,
        label_terms=overlap.label_features(corpus.index, group.positions, LABEL_TERMS_SHOWN),
        organisation_codes=codes,
        organisation_count=len(codes),
        combined_budget_sek=group.budget_sek,
        members=members,
    )


def _briefs(session: Session, keys: Iterable[str]) -> dict[str, InitiativeBrief]:
    ids = {uuid.UUID(key) for key in keys}
    if not ids:
        return {}
    columns = (
        Initiative.id,
        Initiative.title,
        Initiative.owner_code,
        Initiative.status,
        Initiative.category,
        Initiative.budget_sek,
        Initiative.realised_benefit_sek_per_year,
    )
    rows = list(session.exec(select(*columns).where(col(Initiative.id).in_(ids))))
    owners = organisation_service.names_by_code(session, (row.owner_code for row in rows))
    return {str(row.id): _brief(row, owners[row.owner_code]) for row in rows}


def _brief(row: Any, owner: Organisation) -> InitiativeBrief:
    return InitiativeBrief(
        id=row.id,
        title=row.title,
        owner=row.owner_code,
        owner_name=owner.name,
        county_code=owner.county_code,
        status=row.status,
        category=row.category,
        budget_sek=row.budget_sek,
        realised_benefit_sek_per_year=row.realised_benefit_sek_per_year,
    )


# Flags ---------------------------------------------------------------------------------------

FLAG_COLUMNS = (
    Initiative.id,
    Initiative.title,
    Initiative.status,
    Initiative.category,
    Initiative.budget_sek,
    Initiative.has_benefit_realisation_plan,
    Initiative.expected_benefit_sek_per_year,
    Initiative.solution,
    Initiative.strategy_refs,
)


def flags_of(session: Session, initiatives: Sequence[Any]) -> dict[uuid.UUID, list[FlagRead]]:
    """The flags of each initiative (see `flags`), from the `FLAG_COLUMNS` the initiatives carry
    (ORM objects or rows), with one corpus look-up for all."""
    if not initiatives:
        return {}
    corpus = CORPUS.get(session)
    return {initiative.id: _flag_reads(corpus, initiative) for initiative in initiatives}


def proven_pilot_ids(session: Session) -> frozenset[uuid.UUID]:
    """Live pilots that have a proven initiative of another organisation in their cluster."""
    corpus = CORPUS.get(session)
    return frozenset(uuid.UUID(corpus.index.keys[position]) for position in corpus.proven_matches)


def portfolio(session: Session, organisation: Organisation) -> PortfolioRead:
    """The organisation's live initiatives with their flags, and each flag's count and budget."""
    query = (
        select(*FLAG_COLUMNS)
        .where(Initiative.owner_code == organisation.code, col(Initiative.is_archived).is_(False))
        .order_by(Initiative.title)
    )
    corpus = CORPUS.get(session)
    items = [
        PortfolioItemRead(
            id=row.id,
            title=row.title,
            status=row.status,
            category=row.category,
            budget_sek=row.budget_sek,
            flags=_flag_reads(corpus, row),
        )
        for row in session.exec(query)
    ]
    return PortfolioRead(
        organisation=organisation.code,
        initiative_count=len(items),
        total_budget_sek=sum(item.budget_sek or 0 for item in items),
        flags=_flag_summaries(items),
        initiatives=items,
    )


def _flag_reads(corpus: Corpus, row: Any) -> list[FlagRead]:
    facts = flags.FlagFacts(
        status=row.status,
        has_benefit_realisation_plan=row.has_benefit_realisation_plan,
        expected_benefit_sek_per_year=row.expected_benefit_sek_per_year,
        solution=row.solution,
        strategy_refs=row.strategy_refs,
    )
    position = corpus.index.position(str(row.id))
    proven = corpus.proven_matches.get(position) if position is not None else None
    proven_key = str(corpus.index.keys[proven]) if proven is not None else None
    return [_flag_read(found.flag, found.proven_initiative_id) for found in flags.flags(facts, proven_key)]


@lru_cache(maxsize=4096)
def _flag_read(flag: Flag, proven_initiative_id: str | None) -> FlagRead:
    """Shared, never changed: a page holds about three flags an initiative, nearly all alike."""
    return FlagRead(flag=flag, explanation=flags.EXPLANATIONS[flag], proven_initiative_id=proven_initiative_id)


def _flag_summaries(items: list[PortfolioItemRead]) -> list[FlagSummary]:
    summaries = []
    for kind in Flag:
        flagged = [item for item in items if any(found.flag == kind for found in item.flags)]
        if flagged:
            summaries.append(
                FlagSummary(flag=kind, count=len(flagged), budget_sek=sum(item.budget_sek or 0 for item in flagged))
            )
    return summaries


# Scaling candidates and opportunity cost ---------------------------------------------------------


@dataclass(frozen=True)
class Registry:
    """What estimating opportunity costs needs about every organisation, read once per request."""

    organisations: dict[str, Organisation]
    populations: dict[str, int | None]
    members: dict[str, list[str]]
    peers: dict[OrganisationKind, list[str]]


@dataclass(frozen=True)
class Estimate:
    """One proven initiative against the organisations lacking it (one, for a target)."""

    position: int
    initiative_id: uuid.UUID
    owner: str
    lacking: tuple[str, ...]
    cost: scaling.OpportunityCost


def list_candidates(session: Session, query: CandidateQuery) -> tuple[list[CandidateRead], str | None]:
    """Proven initiatives and what not taking them over costs, most costly first (see `scaling`)."""
    corpus, registry = CORPUS.get(session), _registry(session)
    target = _target(registry, query.for_organisation)
    page, cursor = _candidate_page(_ranked_estimates(corpus, registry, query), query.limit, query.cursor)
    briefs = _briefs(session, (str(estimate.initiative_id) for estimate in page))
    reads = [
        CandidateRead(
            initiative=briefs[str(e.initiative_id)],
            lacking_count=len(e.lacking),
            estimated_annual_benefit_sek=e.cost.estimated_annual_benefit_sek,
            monthly_opportunity_cost_sek=e.cost.monthly_opportunity_cost_sek,
            own_related_initiative_id=_own_related(corpus, e.position, target),
            missing=list(e.cost.missing),
        )
        for e in page
    ]
    return reads, cursor


def scaling_candidates_for(
    session: Session, organisation: Organisation, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[ScalingCandidate], str | None]:
    """The organisation's scaling candidates with evidence and assumptions, most costly first, a page at a time."""
    corpus, registry = CORPUS.get(session), _registry(session)
    query = CandidateQuery(for_organisation=organisation.code)
    page, cursor = _candidate_page(_ranked_estimates(corpus, registry, query), limit, cursor)
    reads = _reads(session, [estimate.initiative_id for estimate in page])
    return [
        ScalingCandidate(
            initiative=reads[e.initiative_id],
            estimated_annual_benefit_sek=e.cost.estimated_annual_benefit_sek,
            monthly_opportunity_cost_sek=e.cost.monthly_opportunity_cost_sek,
            own_related_initiative_id=_own_related(corpus, e.position, organisation),
            evidence=reads[e.initiative_id].benefit_evidence,
            missing=list(e.cost.missing),
            assumptions=scaling.assumptions(
                reads[e.initiative_id].realised_benefit_sek_per_year,
                registry.populations.get(e.owner),
                registry.populations.get(organisation.code),
            ),
        )
        for e in page
    ], cursor


def _candidate_page(ranked: list["Estimate"], limit: int, cursor: str | None) -> tuple[list["Estimate"], str | None]:
    remaining = _after_candidate_cursor(ranked, cursor)
    page = remaining[:limit]
    if len(remaining) <= limit:
        return page, None
    return page, encode_cursor([-_candidate_order(page[-1])[0], str(page[-1].initiative_id)])


def national_scaling_candidates(session: Session, *, limit: int = 50) -> list[NationalScalingCandidate]:
    """Proven initiatives by the annual benefit lost over every organisation lacking them, largest first."""
    corpus, registry = CORPUS.get(session), _registry(session)
    ranked = _ranked_estimates(corpus, registry, CandidateQuery())[:limit]
    reads = _reads(session, [estimate.initiative_id for estimate in ranked])
    return [
        NationalScalingCandidate(
            initiative=reads[e.initiative_id],
            organisations_without=len(e.lacking),
            annual_opportunity_cost_sek=e.cost.estimated_annual_benefit_sek,
            monthly_opportunity_cost_sek=e.cost.monthly_opportunity_cost_sek,
            missing=list(e.cost.missing),
        )
        for e in ranked
    ]


def _reads(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    return {read.id: read for read in initiative_service.to_read(session, initiative_service.load(session, ids))}


def annual_opportunity_costs(session: Session, corpus: Corpus, registry: Registry) -> dict[str, int]:
    """Per organisation: Σ estimated annual benefit of its scaling candidates whose estimate is known."""
    totals: dict[str, float] = {}
    running = Running(corpus, registry)
    for position in np.flatnonzero(corpus.facts.is_proven):
        owner, lacking = _lacking(corpus, registry, running, position, None)
        there = registry.populations.get(owner)
        for code in lacking:
            here = registry.populations.get(code)
            if there and here:
                totals[code] = totals.get(code, 0.0) + corpus.facts.realised[position] * here / there
    return {code: round(total) for code, total in totals.items()}


def _ranked_estimates(corpus: Corpus, registry: Registry, query: CandidateQuery) -> list[Estimate]:
    target = _target(registry, query.for_organisation)
    chosen = corpus.facts.is_proven.copy()
    if query.category is not None:
        chosen &= corpus.facts.category == query.category
    if query.county is not None:
        in_county = np.array(
            [registry.organisations[code].county_code == query.county for code in corpus.index.owner_codes], dtype=bool
        )
        chosen &= in_county[corpus.index.owner_ids]
    running = Running(corpus, registry)
    estimates = (_estimate(corpus, registry, running, position, target) for position in np.flatnonzero(chosen))
    return sorted((estimate for estimate in estimates if estimate.lacking), key=_candidate_order)


def _registry(session: Session) -> Registry:
    organisations = {o.code: o for o in session.exec(select(Organisation))}
    members = organisation_service.member_codes(session, organisations)
    reported: dict[str, int] = {}
    query = (
        select(OrganisationYear.organisation_code, OrganisationYear.population)
        .where(col(OrganisationYear.population).is_not(None))
        .order_by(OrganisationYear.year)
    )
    for code, population in session.exec(query):
        reported[code] = population
    peers: dict[OrganisationKind, list[str]] = {}
    for o in organisations.values():
        peers.setdefault(o.kind, []).append(o.code)
    by_county: dict[str, list[str]] = {}
    for code in peers.get(OrganisationKind.municipality, []):
        by_county.setdefault(organisations[code].county_code or "", []).append(code)
    populations = {
        code: scaling.served_population(code, o.kind, o.county_code, reported, by_county, members)
        for code, o in organisations.items()
    }
    return Registry(organisations=organisations, populations=populations, members=members, peers=peers)


def _target(registry: Registry, code: str | None) -> Organisation | None:
    if code is None:
        return None
    if code not in registry.organisations:
        raise ValidationFailed(
            f"No organisation has the code {code!r}.",
            [InvalidParameter(property="for_organisation", reason="unknown organisation code", value=code)],
        )
    return registry.organisations[code]


def _cluster_of(corpus: Corpus, position: int) -> np.ndarray:
    label = corpus.group_of[position]
    return corpus.groups[label] if label >= 0 else np.array([position])


class Running(dict):
    """Per cluster (by group number), the organisations running something of it; each cluster
    is worked out once per request however many proven initiatives it holds."""

    def __init__(self, corpus: Corpus, registry: Registry) -> None:
        super().__init__()
        self.corpus, self.registry = corpus, registry

    def __missing__(self, label: int) -> set[str]:
        corpus, index = self.corpus, self.corpus.index
        members = corpus.groups[label] if label >= 0 else np.array([-1 - label])
        self[label] = scaling.running_organisations(
            [
                (index.owner_codes[index.owner_ids[p]], corpus.facts.status[p], corpus.running.get(index.keys[p], ()))
                for p in members.tolist()
            ],
            self.registry.members,
        )
        return self[label]


def _lacking(
    corpus: Corpus, registry: Registry, running: Running, position: int, target: Organisation | None
) -> tuple[str, list[str]]:
    """The proven initiative's owner, and the peers (or the target) that run nothing of its cluster."""
    owner = corpus.index.owner_codes[corpus.index.owner_ids[position]]
    kind = scaling.peer_kind(registry.organisations[owner].kind)
    if target is not None:
        peers = [target.code] if target.kind == kind else []
    else:
        peers = registry.peers.get(kind, [])
    runs = running[int(corpus.group_of[position])]
    return owner, [code for code in peers if code not in runs]


def _estimate(
    corpus: Corpus, registry: Registry, running: Running, position: int, target: Organisation | None
) -> Estimate:
    owner, lacking = _lacking(corpus, registry, running, position, target)
    realised = int(corpus.facts.realised[position])
    cost = scaling.opportunity_cost(
        realised, registry.populations.get(owner), [registry.populations.get(code) for code in lacking]
    )
    return Estimate(
        position=position,
        initiative_id=uuid.UUID(corpus.index.keys[position]),
        owner=owner,
        lacking=tuple(lacking),
        cost=cost,
    )


def _own_related(corpus: Corpus, position: int, target: Organisation | None) -> str | None:
    """The target's own initiative in the proven one's cluster, the best-scoring pair first."""
    if target is None:
        return None
    index, cluster = corpus.index, _cluster_of(corpus, position)
    owned = cluster[index.owner_ids[cluster] == index.owner_id(target.code)].tolist()
    if not owned:
        return None
    direct = overlap.neighbours(index, index.keys[position], 0.0).second
    ranked = sorted(owned, key=lambda p: (np.flatnonzero(direct == p)[:1].tolist() or [len(direct)])[0])
    return str(index.keys[ranked[0]])


def _candidate_order(estimate: Estimate) -> tuple[int, str]:
    """Most costly first; unknown costs last; then by id."""
    cost = estimate.cost.monthly_opportunity_cost_sek
    return -(cost if cost is not None else -1), str(estimate.initiative_id)


def _after_candidate_cursor(ranked: list[Estimate], cursor: str | None) -> list[Estimate]:
    if cursor is None:
        return ranked
    cost, last_id = decode_cursor(cursor, 2)
    if not isinstance(cost, int) or not isinstance(last_id, str):
        raise invalid_cursor(cursor)
    return [estimate for estimate in ranked if _candidate_order(estimate) > (-cost, last_id)]


# KPIs ----------------------------------------------------------------------------------------


def kpis_for(session: Session, organisation: Organisation, year: int | None, today: date) -> KpiReport:
    """The seven KPIs of one organisation for `year` (default: the latest year with figures)."""
    year = year or _latest_year(session, [organisation.code], today)
    values = _kpi_values(session, [organisation.code], year, today)[organisation.code]
    return _report("organisation", organisation.code, organisation.name, year, values)


def kpi_history(session: Session, organisation: Organisation, today: date) -> list[KpiReport]:
    """One report per year the organisation has figures for, oldest first."""
    return [
        kpis_for(session, organisation, figures.year, today)
        for figures in organisation_service.list_figures(session, organisation.code)
    ]


def kpi_reports(session: Session, organisation: Organisation, today: date) -> KpiReportList:
    """The organisation's KPI history as a list, for the web pages' charts."""
    return KpiReportList(items=kpi_history(session, organisation, today))


def kpis_aggregate(
    session: Session, *, level: Literal["county", "national"], year: int | None, today: date, county: str | None = None
) -> list[KpiReport]:
    """The KPIs summed over a county's organisations (each county, or one), or over the country.
    Each ratio is Σ numerators ÷ Σ denominators of the organisations whose value is known."""
    organisations = list(session.exec(select(Organisation).order_by(Organisation.code)))
    year = year or _latest_year(session, [o.code for o in organisations], today)
    values = _kpi_values(session, [o.code for o in organisations], year, today)
    if level == "national":
        return [_report("national", NATIONAL, "Sverige", year, kpis.aggregate(list(values.values())))]
    counties: dict[str, list[str]] = {}
    for o in organisations:
        if o.county_code and (county is None or o.county_code == county):
            counties.setdefault(o.county_code, []).append(o.code)
    names = {o.county_code: o.name for o in organisations if o.kind == OrganisationKind.region}
    return [
        _report("county", code, names.get(code, code), year, kpis.aggregate([values[c] for c in members]))
        for code, members in sorted(counties.items())
    ]


def _latest_year(session: Session, codes: list[str], today: date) -> int:
    query = select(func.max(OrganisationYear.year)).where(col(OrganisationYear.organisation_code).in_(codes))
    return session.exec(query).one() or today.year


def _kpi_values(session: Session, codes: list[str], year: int, today: date) -> dict[str, list[kpis.KpiValue]]:
    """Every KPI of each organisation for the year, in a fixed number of queries."""
    figures = {
        row.organisation_code: row
        for row in session.exec(
            select(OrganisationYear).where(
                OrganisationYear.year == year, col(OrganisationYear.organisation_code).in_(codes)
            )
        )
    }
    portfolios: dict[str, list[kpis.PortfolioItem]] = {}
    for row in session.exec(_portfolio_select(codes)):
        if kpis.ran_during(year, row.start_date, row.end_date, row.created_at.date()):
            portfolios.setdefault(row.owner_code, []).append(
                kpis.PortfolioItem(status=row.status, budget_sek=row.budget_sek, digital_share=row.digital_share)
            )
    started = _operation_starts(session, codes, year)
    registry = _registry(session)
    costs = annual_opportunity_costs(session, CORPUS.get(session), registry)
    return {
        code: kpis.compute_kpis(
            kpis.KpiInputs(
                figures=_figures(figures.get(code)),
                portfolio=portfolios.get(code, []),
                services_put_into_operation=started.get(code, 0),
                months=kpis.months_counted(year, today),
                opportunity_cost_sek=costs.get(code, 0) if registry.populations.get(code) else None,
                opportunity_cost_missing=("population",),
            )
        )
        for code in codes
    }


def _portfolio_select(codes: list[str]):
    columns = (
        Initiative.owner_code,
        Initiative.status,
        Initiative.budget_sek,
        Initiative.digital_share,
        Initiative.start_date,
        Initiative.end_date,
        Initiative.created_at,
    )
    return select(*columns).where(col(Initiative.owner_code).in_(codes), col(Initiative.is_archived).is_(False))


def _operation_starts(session: Session, codes: list[str], year: int) -> dict[str, int]:
    """Per owner: live initiatives that first went into operation (or straight to scaled) during the year."""
    first = (
        select(Initiative.owner_code, func.min(StatusChange.changed_date).label("day"))
        .join(Initiative, col(Initiative.id) == col(StatusChange.initiative_id))
        .where(
            col(Initiative.owner_code).in_(codes),
            col(Initiative.is_archived).is_(False),
            col(StatusChange.status).in_(kpis.OPERATING),
        )
        .group_by(Initiative.owner_code, StatusChange.initiative_id)
    ).subquery()
    query = (
        select(first.c.owner_code, func.count())
        .where(first.c.day >= date(year, 1, 1), first.c.day <= date(year, 12, 31))
        .group_by(first.c.owner_code)
    )
    return dict(session.exec(query).all())


def _figures(row: OrganisationYear | None) -> kpis.Figures:
    if row is None:
        return kpis.Figures()
    return kpis.Figures(
        total_turnover_sek=row.total_turnover_sek,
        datasets_held=row.datasets_held,
        datasets_used=row.datasets_used,
        kpi_set_size=row.kpi_set_size,
        kpis_added=row.kpis_added,
        kpis_retired=row.kpis_retired,
    )


def _report(level: str, code: str, name: str, year: int, values: list[kpis.KpiValue]) -> KpiReport:
    definitions = {definition.key: definition for definition in kpis.KPI_DEFINITIONS}
    return KpiReport(
        level=level,
        code=code,
        name=name,
        year=year,
        kpis=[
            KpiValueRead(
                key=value.key,
                name=definitions[value.key].name,
                definition=definitions[value.key].definition,
                unit=definitions[value.key].unit,
                value=value.value,
                inputs=value.inputs,
                missing_inputs=list(value.missing_inputs),
            )
            for value in values
        ],
    )
