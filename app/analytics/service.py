"""Queries that feed the analytics' pure functions, shaped for the API and the web pages alike."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.analytics import flags, kpis, overlap, scaling
from app.analytics.corpus import CORPUS, Corpus, involvement_statements
from app.analytics.schemas import (
    CandidateQuery, CandidateRead, ClusterPage, ClusterQuery, ClusterRead, FlagRead, FlagSummary, InitiativeBrief,
    KpiDefinitionRead, KpiReport, KpiReportList, KpiValueRead, Match, OverlapQuery, OverlapRead, PortfolioItemRead,
    PortfolioRead, SimilarQuery, SimilarRead,
)
from app.core.enums import InitiativeStatus, OrganisationKind
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.core.problems import InvalidParameter, ValidationFailed
from app.initiatives.models import Initiative, StatusChange
from app.organisations import service as organisation_service
from app.organisations.models import Organisation, OrganisationYear

SHARED_TERMS_SHOWN = 8
LABEL_TERMS_SHOWN = 5


# Overlaps ------------------------------------------------------------------------------------

def list_overlaps(session: Session, query: OverlapQuery) -> tuple[list[OverlapRead], str | None]:
    """Pairs of live initiatives with different owners, best score first, filtered and paged."""
    corpus = CORPUS.get(session)
    chosen = np.flatnonzero(_pair_filter(session, corpus, query) & _after_overlap_cursor(corpus, query.cursor))
    page = chosen[: query.limit]
    pairs = corpus.pairs.select(page)
    briefs = _briefs(session, corpus.index.keys[np.concatenate([pairs.first, pairs.second])])
    reads = [
        OverlapRead(initiatives=[briefs[corpus.index.keys[first]], briefs[corpus.index.keys[second]]],
                    **_match(corpus.index, first, second, score, coordinated))
        for first, second, score, coordinated in zip(pairs.first, pairs.second, pairs.score,
                                                     corpus.is_coordinated[page])
    ]
    return reads, _overlap_cursor(corpus.index, pairs) if len(chosen) > query.limit else None


def list_similar(session: Session, initiative_id: uuid.UUID, query: SimilarQuery) -> list[SimilarRead]:
    """Other organisations' live initiatives most like this one, best first."""
    corpus = CORPUS.get(session)
    found = overlap.neighbours(corpus.index, str(initiative_id), query.min_score)
    found = found.select(np.arange(min(len(found), query.limit)))
    marks = overlap.coordinated(corpus.index, found, corpus.involvement)
    briefs = _briefs(session, corpus.index.keys[found.second])
    return [
        SimilarRead(initiative=briefs[corpus.index.keys[second]], **_match(corpus.index, first, second, score, mark))
        for first, second, score, mark in zip(found.first, found.second, found.score, marks)
    ]


class Group(NamedTuple):
    budget_sek: int
    first_key: str
    positions: np.ndarray


def list_clusters(session: Session, query: ClusterQuery) -> ClusterPage:
    """Groups of initiatives doing the same work in several organisations, largest combined budget first."""
    corpus = CORPUS.get(session)
    chosen = _pair_filter(session, corpus, OverlapQuery(min_score=overlap.SAME_WORK_SCORE, county=query.county))
    if query.category is not None:
        # Both members in the category, unlike the overlap list's "either": a group is about one kind of work.
        categories, pairs = corpus.categories, corpus.pairs
        chosen &= (categories[pairs.first] == query.category) & (categories[pairs.second] == query.category)
    groups = sorted((Group(int(corpus.budgets[positions].sum()), str(corpus.index.keys[positions[0]]), positions)
                     for positions in overlap.clusters(corpus.index, corpus.pairs.select(chosen))),
                    key=lambda group: (-group.budget_sek, group.first_key))
    remaining = _after_cluster_cursor(groups, query.cursor)
    page = remaining[: query.limit]
    briefs = _briefs(session, (corpus.index.keys[position] for group in page for position in group.positions))
    cursor = encode_cursor([page[-1].budget_sek, page[-1].first_key]) if len(remaining) > query.limit else None
    return ClusterPage(items=[_cluster_read(corpus, group.positions, briefs) for group in page], next=cursor,
                       total_count=len(groups), total_budget_sek=sum(group.budget_sek for group in groups))


def _pair_filter(session: Session, corpus: Corpus, query: OverlapQuery) -> np.ndarray:
    """The query's filters as one mask over the corpus's pairs."""
    pairs, index = corpus.pairs, corpus.index
    firsts, seconds = index.owner_ids[pairs.first], index.owner_ids[pairs.second]
    chosen = pairs.score >= query.min_score
    if query.organisation is not None:
        wanted = index.owner_id(query.organisation)
        chosen &= (firsts == wanted) | (seconds == wanted)
    if query.county is not None:
        in_county = _owners_in_county(session, index, query.county)
        chosen &= in_county[firsts] & in_county[seconds]
    if query.category is not None:
        categories = corpus.categories
        chosen &= (categories[pairs.first] == query.category) | (categories[pairs.second] == query.category)
    if not query.include_coordinated:
        chosen &= ~corpus.is_coordinated
    return chosen


def _owners_in_county(session: Session, index: overlap.OverlapIndex, county: str) -> np.ndarray:
    in_county = set(session.exec(select(Organisation.code).where(Organisation.county_code == county)))
    return np.array([code in in_county for code in index.owner_codes], dtype=bool)


def _match(index: overlap.OverlapIndex, first: int, second: int, score: float, is_coordinated: bool) -> dict[str, Any]:
    shared = overlap.shared_features(index, first, second)
    return Match(
        score=float(score),
        shared_tags=[feature[1:] for feature in shared if feature.startswith(overlap.TAG_PREFIX)],
        shared_terms=[feature for feature in shared if feature[0] not in (overlap.TAG_PREFIX, overlap.SOLUTION_PREFIX)
                      ][:SHARED_TERMS_SHOWN],
        has_same_solution=any(feature.startswith(overlap.SOLUTION_PREFIX) for feature in shared),
        is_coordinated=bool(is_coordinated),
    ).model_dump()


def _overlap_cursor(index: overlap.OverlapIndex, page: overlap.Pairs) -> str:
    return encode_cursor([float(page.score[-1]), str(index.keys[page.first[-1]]), str(index.keys[page.second[-1]])])


def _after_overlap_cursor(corpus: Corpus, cursor: str | None) -> np.ndarray | bool:
    """Pairs after the cursor's in (score descending, first key, second key) order.

    Documents sit in key order, so "key after k" is "position at or after k's insertion point"
    even when k's initiative has left the index since the cursor was issued.
    """
    if cursor is None:
        return True
    score, first, second = decode_cursor(cursor, 3)
    # Scores are always issued as floats; a huge integer would overflow numpy's comparison.
    if not isinstance(score, float) or not isinstance(first, str) or not isinstance(second, str):
        raise invalid_cursor(cursor)
    pairs, keys = corpus.pairs, corpus.index.keys
    first_after, second_after = (np.searchsorted(keys, key, side="right") for key in (first, second))
    first_same = (pairs.first == first_after - 1) & (keys[first_after - 1] == first if first_after else False)
    later = (pairs.first >= first_after) | (first_same & (pairs.second >= second_after))
    return (pairs.score < score) | ((pairs.score == score) & later)


def _after_cluster_cursor(groups: list[Group], cursor: str | None) -> list[Group]:
    if cursor is None:
        return groups
    budget, first = decode_cursor(cursor, 2)
    if not isinstance(budget, int) or not isinstance(first, str):
        raise invalid_cursor(cursor)
    return [group for group in groups if (-group.budget_sek, group.first_key) > (-budget, first)]


def _cluster_read(corpus: Corpus, group: np.ndarray, briefs: dict[str, InitiativeBrief]) -> ClusterRead:
    members = sorted((briefs[corpus.index.keys[position]] for position in group),
                     key=lambda brief: (-(brief.budget_sek or 0), brief.title))
    return ClusterRead(
        id=corpus.index.keys[group[0]], label_terms=overlap.label_features(corpus.index, group, LABEL_TERMS_SHOWN),
        organisation_count=len(set(corpus.index.owner_ids[group])),
        combined_budget_sek=int(corpus.budgets[group].sum()), members=members,
    )


def _briefs(session: Session, keys: Iterable[str]) -> dict[str, InitiativeBrief]:
    ids = {uuid.UUID(key) for key in keys}
    if not ids:
        return {}
    columns = (Initiative.id, Initiative.title, Initiative.owner_code, Initiative.status, Initiative.category,
               Initiative.budget_sek, Initiative.realised_benefit_sek_per_year)
    rows = list(session.exec(select(*columns).where(col(Initiative.id).in_(ids))))
    owners = organisation_service.names_by_code(session, (row.owner_code for row in rows))
    return {str(row.id): _brief(row, owners[row.owner_code]) for row in rows}


def _brief(row: Any, owner: Organisation) -> InitiativeBrief:
    return InitiativeBrief(
        id=row.id, title=row.title, owner=row.owner_code, owner_name=owner.name, county_code=owner.county_code,
        status=row.status, category=row.category, budget_sek=row.budget_sek,
        realised_benefit_sek_per_year=row.realised_benefit_sek_per_year,
    )


# Flags ---------------------------------------------------------------------------------------

FLAG_COLUMNS = (Initiative.id, Initiative.title, Initiative.status, Initiative.category, Initiative.budget_sek,
                Initiative.has_benefit_realisation_plan, Initiative.expected_benefit_sek_per_year,
                Initiative.solution, Initiative.strategy_refs)


def initiative_flags(session: Session, initiative_id: uuid.UUID) -> list[FlagRead]:
    """The flags of one initiative (see `flags`)."""
    row = session.exec(select(*FLAG_COLUMNS).where(Initiative.id == initiative_id)).one()
    return _flag_reads(CORPUS.get(session), row)


def portfolio(session: Session, organisation: Organisation) -> PortfolioRead:
    """The organisation's live initiatives with their flags, and each flag's count and budget."""
    query = (select(*FLAG_COLUMNS).where(Initiative.owner_code == organisation.code,
                                         col(Initiative.is_archived).is_(False)).order_by(Initiative.title))
    corpus = CORPUS.get(session)
    items = [PortfolioItemRead(id=row.id, title=row.title, status=row.status, category=row.category,
                               budget_sek=row.budget_sek, flags=_flag_reads(corpus, row))
             for row in session.exec(query)]
    return PortfolioRead(organisation=organisation.code, initiative_count=len(items),
                         total_budget_sek=sum(item.budget_sek or 0 for item in items),
                         flags=_flag_summaries(items), initiatives=items)


def _flag_reads(corpus: Corpus, row: Any) -> list[FlagRead]:
    facts = flags.FlagFacts(status=row.status, has_benefit_realisation_plan=row.has_benefit_realisation_plan,
                            expected_benefit_sek_per_year=row.expected_benefit_sek_per_year, solution=row.solution,
                            strategy_refs=row.strategy_refs)
    proven = corpus.best_match(str(row.id), proven=True) if row.status == InitiativeStatus.pilot else None
    return [FlagRead(flag=found.flag, explanation=flags.EXPLANATIONS[found.flag],
                     proven_initiative_id=found.proven_initiative_id) for found in flags.flags(facts, proven)]


def _flag_summaries(items: list[PortfolioItemRead]) -> list[FlagSummary]:
    summaries = []
    for kind in flags.FlagKind:
        flagged = [item for item in items if any(found.flag == kind for found in item.flags)]
        if flagged:
            summaries.append(FlagSummary(flag=kind, count=len(flagged),
                                         budget_sek=sum(item.budget_sek or 0 for item in flagged)))
    return summaries


# Scaling candidates and opportunity cost ---------------------------------------------------------

@dataclass(frozen=True)
class Registry:
    """What estimating opportunity costs needs about every organisation, read once per request."""

    organisations: dict[str, Organisation]
    populations: dict[str, int | None]
    members: dict[str, list[str]]
    statements: dict[str, set[str]]
    peers: dict[OrganisationKind, list[str]]

    def having(self, initiative_id: str, owner: str) -> set[str]:
        """Who has it: the owner, its participants and adopters (any status), and the owner's members."""
        return {owner, *self.statements.get(initiative_id, ()), *self.members.get(owner, ())}


@dataclass(frozen=True)
class Estimate:
    cost: scaling.OpportunityCost
    initiative_id: uuid.UUID
    lacking_count: int


def list_candidates(session: Session, query: CandidateQuery) -> tuple[list[CandidateRead], str | None]:
    """Proven initiatives and what not taking them over costs, most costly first."""
    registry = _registry(session)
    target = _target(registry, query.for_organisation)
    estimates = [_estimate(registry, row, target) for row in session.exec(_proven_select(query))]
    ranked = sorted(filter(None, estimates), key=_candidate_order)
    remaining = _after_candidate_cursor(ranked, query.cursor)
    page = remaining[: query.limit]
    briefs = _briefs(session, (str(estimate.initiative_id) for estimate in page))
    # Only the page's own related initiatives are looked up: each is a search of the corpus.
    corpus = CORPUS.get(session) if target is not None else None
    reads = [CandidateRead(initiative=briefs[str(e.initiative_id)], lacking_count=e.lacking_count,
                           estimated_annual_benefit_sek=e.cost.estimated_annual_benefit_sek,
                           monthly_opportunity_cost_sek=e.cost.monthly_opportunity_cost_sek,
                           own_related_initiative_id=_own_related(corpus, target, e), missing=list(e.cost.missing))
             for e in page]
    if len(remaining) <= query.limit:
        return reads, None
    return reads, encode_cursor([-_candidate_order(page[-1])[0], str(page[-1].initiative_id)])


def annual_opportunity_cost(session: Session, organisation: Organisation) -> scaling.OpportunityCost:
    """Σ estimated annual benefit of every proven initiative the organisation lacks."""
    registry = _registry(session)
    if registry.populations.get(organisation.code) is None:
        return scaling.OpportunityCost(None, None, ("population",))
    found = filter(None, (_estimate(registry, row, organisation)
                          for row in session.exec(_proven_select(CandidateQuery()))))
    annual = sum(estimate.cost.estimated_annual_benefit_sek or 0 for estimate in found)
    return scaling.OpportunityCost(annual, round(annual / scaling.MONTHS_PER_YEAR), ())


def _registry(session: Session) -> Registry:
    organisations = {o.code: o for o in session.exec(select(Organisation))}
    members = organisation_service.member_codes(session, organisations)
    reported: dict[str, int] = {}
    query = (select(OrganisationYear.organisation_code, OrganisationYear.population)
             .where(col(OrganisationYear.population).is_not(None)).order_by(OrganisationYear.year))
    for code, population in session.exec(query):
        reported[code] = population
    peers: dict[OrganisationKind, list[str]] = {}
    for o in organisations.values():
        peers.setdefault(o.kind, []).append(o.code)
    by_county: dict[str, list[str]] = {}
    for code in peers.get(OrganisationKind.municipality, []):
        by_county.setdefault(organisations[code].county_code or "", []).append(code)
    statements: dict[str, set[str]] = {}
    for initiative_id, code in involvement_statements(session):
        statements.setdefault(initiative_id, set()).add(code)
    populations = {code: scaling.served_population(code, o.kind, o.county_code, reported, by_county, members)
                   for code, o in organisations.items()}
    return Registry(organisations=organisations, populations=populations, members=members, statements=statements,
                    peers=peers)


def _target(registry: Registry, code: str | None) -> Organisation | None:
    if code is None:
        return None
    if code not in registry.organisations:
        raise ValidationFailed(f"No organisation has the code {code!r}.", [
            InvalidParameter(property="for_organisation", reason="unknown organisation code", value=code)])
    return registry.organisations[code]


def _proven_select(query: CandidateQuery):
    statement = select(Initiative.id, Initiative.owner_code, Initiative.realised_benefit_sek_per_year).where(
        col(Initiative.is_archived).is_(False), col(Initiative.is_withdrawn_at_source).is_(False),
        col(Initiative.status).in_(scaling.PROVEN_STATUSES), col(Initiative.realised_benefit_sek_per_year) > 0,
    )
    if query.category:
        statement = statement.where(Initiative.category == query.category)
    if query.county:
        statement = statement.where(col(Initiative.owner_code).in_(
            select(Organisation.code).where(Organisation.county_code == query.county)))
    return statement


def _estimate(registry: Registry, row: Any, target: Organisation | None) -> Estimate | None:
    """What lacking one proven initiative costs the target, or every peer; None when none of them lacks it."""
    kind = scaling.peer_kind(registry.organisations[row.owner_code].kind)
    having = registry.having(str(row.id), row.owner_code)
    candidates = ([target.code] if target.kind == kind else []) if target is not None else registry.peers.get(kind, [])
    lacking = [code for code in candidates if code not in having]
    if not lacking:
        return None
    known = [registry.populations[code] for code in lacking if registry.populations[code]]
    cost = scaling.opportunity_cost(row.realised_benefit_sek_per_year, registry.populations[row.owner_code],
                                    sum(known) if known else None)
    return Estimate(cost=cost, initiative_id=row.id, lacking_count=len(lacking))


def _own_related(corpus: Corpus | None, target: Organisation | None, estimate: Estimate) -> str | None:
    if corpus is None or target is None:
        return None
    return corpus.best_match(str(estimate.initiative_id), owner=target.code)


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

def kpi_reports(session: Session, organisation: Organisation, today: date) -> KpiReportList:
    """The seven KPIs for every year the organisation has figures for, oldest first."""
    years = organisation_service.list_figures(session, organisation.code)
    portfolio_rows = list(session.exec(_portfolio_select(organisation.code)))
    started = _operation_starts(session, organisation.code)
    cost = annual_opportunity_cost(session, organisation)
    reports = [
        KpiReport(year=figures.year, kpis=[_kpi_read(value) for value in kpis.compute_kpis(kpis.KpiInputs(
            figures=_figures(figures), portfolio=_portfolio_of(portfolio_rows, figures.year),
            services_put_into_operation=sum(day.year == figures.year for day in started),
            months=kpis.months_counted(figures.year, today), opportunity_cost_sek=cost.estimated_annual_benefit_sek,
            opportunity_cost_missing=cost.missing,
        ))])
        for figures in years
    ]
    return KpiReportList(organisation=organisation.code, kind=organisation.kind, items=reports)


def kpi_definitions() -> list[KpiDefinitionRead]:
    return [KpiDefinitionRead(key=d.key, name=d.name, unit=d.unit, formula=d.formula) for d in kpis.KPI_DEFINITIONS]


def _portfolio_select(code: str):
    columns = (Initiative.status, Initiative.budget_sek, Initiative.digital_share, Initiative.start_date,
               Initiative.end_date, Initiative.created_at)
    return select(*columns).where(Initiative.owner_code == code, col(Initiative.is_archived).is_(False))


def _portfolio_of(rows: list[Any], year: int) -> list[kpis.PortfolioItem]:
    return [kpis.PortfolioItem(status=row.status, budget_sek=row.budget_sek, digital_share=row.digital_share)
            for row in rows if kpis.ran_during(year, row.start_date, row.end_date, row.created_at.date())]


def _operation_starts(session: Session, code: str) -> list[date]:
    """The day each of the organisation's live initiatives first went into operation (or straight to scaled)."""
    query = (select(func.min(StatusChange.changed_date))
             .join(Initiative, col(Initiative.id) == col(StatusChange.initiative_id))
             .where(Initiative.owner_code == code, col(Initiative.is_archived).is_(False),
                    col(StatusChange.status).in_(kpis.OPERATING))
             .group_by(StatusChange.initiative_id))
    return list(session.exec(query))


def _figures(row: OrganisationYear) -> kpis.Figures:
    return kpis.Figures(total_turnover_sek=row.total_turnover_sek, datasets_held=row.datasets_held,
                        datasets_used=row.datasets_used, kpi_set_size=row.kpi_set_size, kpis_added=row.kpis_added,
                        kpis_retired=row.kpis_retired)


def _kpi_read(value: kpis.KpiValue) -> KpiValueRead:
    return KpiValueRead(key=value.key, value=value.value, numerator=value.numerator, denominator=value.denominator,
                        missing_inputs=list(value.missing_inputs))
