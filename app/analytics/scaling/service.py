"""Scaling candidates: proven initiatives, the organisations that are candidates for them
(`candidates`) and what each month of waiting costs (`estimates`), from the clusters the indexer
keeps. Worked out once per request (`cases`) and shared by the national list, an organisation's
candidates and the opportunity-cost KPI.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.adoptions import service as adoption_service
from app.analytics.clusters import store as cluster_store
from app.analytics.context import AnalyticsContext
from app.analytics.overlaps import judgements
from app.analytics.scaling import candidates as rules
from app.analytics.scaling import estimates
from app.analytics.scaling.candidates import Candidate, Member, Records
from app.analytics.scaling.schemas import (
    CandidateEvidence,
    CandidateQuery,
    Cost,
    CostInputs,
    Coverage,
    NationalCandidateQuery,
    NationalScalingCandidate,
    ScalingCandidate,
)
from app.core.enums import OPERATING_STATUSES, AdoptionStatus, Basis, OrganisationKind, Verdict
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.initiatives import reads as initiative_reads
from app.initiatives.records import Standing, status_on
from app.initiatives.schemas import InitiativeRead
from app.organisations.service import Profile

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Case:
    """One proven initiative and who it is a candidate for."""

    proven: Standing
    candidates: list[Candidate]
    judged_same: frozenset[str]  # own initiatives people judged the same work as the proven one


@dataclass(frozen=True)
class Estimate:
    case: Case
    candidate: Candidate
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


def reporting(context: AnalyticsContext) -> set[str]:
    """Organisations that registered an initiative in the last `candidates.REPORTING_YEARS` years."""
    since = datetime.now(UTC) - timedelta(days=rules.REPORTING_YEARS * DAYS_PER_YEAR)
    return context.once("reporting", lambda: initiative_reads.reporting_owners(context.session, since))


def cases(context: AnalyticsContext, as_of: date | None = None) -> list[Case]:
    """Every proven initiative with its candidates, once per request: today, or as they stood
    on the day `as_of` (see `_standing_on`)."""
    return context.once(f"scaling-cases:{as_of}", lambda: _cases(context, as_of))


@dataclass(frozen=True)
class _Facts:
    """What the cases of every day are worked out from, read once per request: the live
    initiatives with a realised benefit (the proven ones of any day are among them), the members
    of their clusters, the judgements of their pairs, and the members' adoptions and participants."""

    benefiting: list[Standing]
    mates: dict[str, list[str]]
    judged: dict[judgements.Pair, list]
    standing: dict[str, Standing]  # the members and the judged initiatives, as they are today
    adoptions: list[adoption_service.AdoptionFact]
    participants: dict[str, set[str]]


def _facts(context: AnalyticsContext) -> _Facts:
    def compute() -> _Facts:
        session = context.session
        benefiting = initiative_reads.benefiting(session)
        mates = cluster_store.mates(session, (str(p.id) for p in benefiting))
        member_ids = {uuid.UUID(key) for p in benefiting for key in mates.get(str(p.id), [str(p.id)])}
        judged = judgements.involving(session, (p.id for p in benefiting))
        judged_ids = {initiative_id for pair in judged for initiative_id in pair}
        standing = {str(s.id): s for s in initiative_reads.standings(session, member_ids | judged_ids)}
        participants: dict[str, set[str]] = {}
        for participation in initiative_reads.participations(session, member_ids, confirmed_only=True):
            participants.setdefault(str(participation.initiative_id), set()).add(participation.organisation_code)
        adoptions = adoption_service.facts(session, member_ids)
        return _Facts(benefiting, mates, judged, standing, adoptions, participants)

    return context.once("scaling-facts", compute)


def _cases(context: AnalyticsContext, as_of: date | None) -> list[Case]:
    facts = _facts(context)
    standing = _standing_on(context, facts, as_of)
    proven = [
        standing[str(p.id)]
        for p in facts.benefiting
        if str(p.id) in standing and standing[str(p.id)].status in OPERATING_STATUSES
    ]
    records = _records(context, facts, as_of)
    peers = _peers(context)
    found = []
    for p in proven:
        key = str(p.id)
        cluster = [_member(standing[m]) for m in facts.mates.get(key, [key]) if m in standing]
        different, same = _judged(facts.judged, p.id, standing)
        these = Records(
            records.adopters, records.operating_adopters, records.participants, different, records.federation_members
        )
        owner_kind = context.organisations.profiles[p.owner_code].kind
        chosen = rules.candidates(
            _member(p), cluster, these, peers.get(estimates.peer_kind(owner_kind), []), reporting(context)
        )
        found.append(Case(p, chosen, frozenset(same)))
    return found


def _standing_on(context: AnalyticsContext, facts: _Facts, as_of: date | None) -> dict[str, Standing]:
    """The initiatives with the status their dated history gives them on `as_of`; those without a
    status by then did not exist yet and are left out. Today's (`None`): as they are. Everything
    else (owner, realised benefit, the overlap pairs that make clusters, participants and
    judgements) is as it is today: the registry keeps no history of it."""
    if as_of is None:
        return facts.standing
    histories = context.once(
        "scaling-histories",
        lambda: initiative_reads.status_histories(context.session, (s.id for s in facts.standing.values())),
    )
    then = {key: (s, status_on(histories.get(s.id, []), as_of)) for key, s in facts.standing.items()}
    return {key: s._replace(status=status) for key, (s, status) in then.items() if status is not None}


def _records(context: AnalyticsContext, facts: _Facts, as_of: date | None) -> Records:
    """Adoptions and participations of the clusters' members; on `as_of`, only adoptions in use
    (or recorded) by then, with their status of today."""
    adopters: dict[str, set[str]] = {}
    operating: dict[str, set[str]] = {}
    for adoption in facts.adoptions:
        if as_of is not None and adoption.recorded_on > as_of:
            continue
        if adoption.status == AdoptionStatus.in_operation:
            operating.setdefault(str(adoption.initiative_id), set()).add(adoption.organisation_code)
        if adoption.status != AdoptionStatus.abandoned:
            adopters.setdefault(str(adoption.initiative_id), set()).add(adoption.organisation_code)
    return Records(adopters, operating, facts.participants, set(), context.organisations.members)


def _judged(
    judged: dict[judgements.Pair, list], proven_id: uuid.UUID, standing: dict[str, Standing]
) -> tuple[set[str], set[str]]:
    """Owners of initiatives judged different from the proven one; initiatives judged the same."""
    different, same = set(), set()
    for (first, second), these in judged.items():
        if proven_id not in (first, second):
            continue
        other = str(second if first == proven_id else first)
        verdict = judgements.verdict(these)
        if verdict == Verdict.different and other in standing:
            different.add(standing[other].owner_code)
        elif verdict == Verdict.same:
            same.add(other)
    return different, same


def _peers(context: AnalyticsContext) -> dict[OrganisationKind, list[str]]:
    peers: dict[OrganisationKind, list[str]] = {}
    for profile in sorted(context.organisations.profiles.values(), key=lambda p: p.code):
        peers.setdefault(profile.kind, []).append(profile.code)
    return peers


def _member(standing: Standing) -> Member:
    return Member(str(standing.id), standing.owner_code, standing.status)


def coverage(context: AnalyticsContext) -> Coverage:
    """How many of the municipalities and regions report to the registry."""
    counted = [
        code
        for code, profile in context.organisations.profiles.items()
        if profile.kind in (OrganisationKind.municipality, OrganisationKind.region)
    ]
    active = reporting(context)
    return Coverage(reporting_organisations=sum(code in active for code in counted), organisations=len(counted))


def _estimate(context: AnalyticsContext, case: Case, candidate: Candidate) -> Estimate:
    served = populations(context)
    cost = estimates.opportunity_cost(
        case.proven.realised_benefit_sek_per_year or 0,
        served.get(case.proven.owner_code),
        [served.get(candidate.organisation)],
    )
    return Estimate(case, candidate, cost)


def candidates_for(
    context: AnalyticsContext, organisation: Profile, query: CandidateQuery
) -> tuple[list[ScalingCandidate], str | None]:
    """The proven initiatives the organisation is a candidate for, with evidence, inputs and
    assumptions, most costly per month first (unknown costs last)."""
    ranked = sorted(
        (
            _estimate(context, case, candidate)
            for case in cases(context)
            for candidate in case.candidates
            if candidate.organisation == organisation.code and (query.basis is None or candidate.basis == query.basis)
        ),
        key=_order,
    )
    page, cursor = _page(ranked, query.limit, query.cursor)
    reads = _reads(context, [e.case.proven.id for e in page])
    served = populations(context)
    return [_candidate_read(e, reads[e.case.proven.id], organisation, served) for e in page], cursor


def _candidate_read(
    estimate: Estimate, proven: InitiativeRead, organisation: Profile, served: dict[str, int | None]
) -> ScalingCandidate:
    candidate, case = estimate.candidate, estimate.case
    realised = case.proven.realised_benefit_sek_per_year or 0
    here, there = served.get(organisation.code), served.get(case.proven.owner_code)
    return ScalingCandidate(
        initiative=proven,
        basis=candidate.basis,
        evidence=CandidateEvidence(
            own_initiative_id=uuid.UUID(candidate.own_initiative_id) if candidate.own_initiative_id else None,
            judged_same=candidate.own_initiative_id in case.judged_same,
            note=_note(candidate, organisation.name),
        ),
        cost=Cost(
            annual_sek=estimate.cost.estimated_annual_benefit_sek,
            monthly_sek=estimate.cost.monthly_opportunity_cost_sek,
        ),
        inputs=CostInputs(realised_benefit_sek_per_year=realised, owner_population=there, population=here),
        benefit_evidence=proven.benefit_evidence,
        assumptions=estimates.assumptions(realised, there, here),
        missing=list(estimate.cost.missing),
    )


def _note(candidate: Candidate, name: str) -> str:
    if candidate.basis == Basis.known_need:
        return f"{name} has an initiative of its own that does the same work and is not yet in operation."
    return (
        f"{name} reports to the registry and has recorded nothing like this; the registry does not know "
        "whether it already has a solution."
    )


def national_candidates(context: AnalyticsContext, query: NationalCandidateQuery) -> list[NationalScalingCandidate]:
    """Proven initiatives by the annual benefit their known needs forgo, largest first; potential
    candidates counted and costed apart."""
    profiles, served = context.organisations.profiles, populations(context)
    chosen = [
        case
        for case in cases(context)
        if case.candidates
        and (query.category is None or case.proven.category == query.category)
        and (query.county is None or query.county in profiles[case.proven.owner_code].county_codes)
    ]
    summaries = [(case, _sum(case, Basis.known_need, served), _sum(case, Basis.potential, served)) for case in chosen]
    summaries.sort(
        key=lambda s: (
            -(s[1].estimated_annual_benefit_sek or -1),
            -(s[2].estimated_annual_benefit_sek or -1),
            str(s[0].proven.id),
        )
    )
    top = summaries[: query.limit]
    reads = _reads(context, [case.proven.id for case, _known, _potential in top])
    return [
        NationalScalingCandidate(
            initiative=reads[case.proven.id],
            organisations_without=len(case.candidates),
            known_need_count=sum(c.basis == Basis.known_need for c in case.candidates),
            potential_count=sum(c.basis == Basis.potential for c in case.candidates),
            known_need_cost=_cost(known),
            potential_cost=_cost(potential),
            missing=sorted(set(known.missing) | set(potential.missing)),
        )
        for case, known, potential in top
    ]


def _sum(case: Case, basis: Basis, served: dict[str, int | None]) -> estimates.OpportunityCost:
    chosen = [c.organisation for c in case.candidates if c.basis == basis]
    if not chosen:
        return estimates.OpportunityCost(0, 0, ())
    return estimates.opportunity_cost(
        case.proven.realised_benefit_sek_per_year or 0,
        served.get(case.proven.owner_code),
        [served.get(code) for code in chosen],
    )


def _cost(found: estimates.OpportunityCost) -> Cost:
    return Cost(annual_sek=found.estimated_annual_benefit_sek, monthly_sek=found.monthly_opportunity_cost_sek)


@dataclass(frozen=True)
class KnownNeeds:
    """One organisation's known needs on a day: how many, and Σ their known annual estimates."""

    count: int = 0
    annual_sek: int = 0


def known_needs(context: AnalyticsContext, as_of: date | None = None) -> dict[str, KnownNeeds]:
    """Per organisation: its known needs (today, or on `as_of`) and Σ the estimated annual benefit
    of those whose estimate is known."""

    def compute() -> dict[str, KnownNeeds]:
        totals: dict[str, KnownNeeds] = {}
        for case in cases(context, as_of):
            for candidate in case.candidates:
                if candidate.basis == Basis.known_need:
                    annual = _estimate(context, case, candidate).cost.estimated_annual_benefit_sek
                    found = totals.get(candidate.organisation, KnownNeeds())
                    totals[candidate.organisation] = KnownNeeds(found.count + 1, found.annual_sek + (annual or 0))
        return totals

    return context.once(f"known-needs:{as_of}", compute)


def _reads(context: AnalyticsContext, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, InitiativeRead]:
    return {read.id: read for read in initiative_reads.reads(context.session, list(ids))}


def _order(estimate: Estimate) -> tuple[int, str]:
    """Most costly first; unknown costs last; then by id."""
    cost = estimate.cost.monthly_opportunity_cost_sek
    return -(cost if cost is not None else -1), str(estimate.case.proven.id)


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
    return page, encode_cursor([-_order(page[-1])[0], str(page[-1].case.proven.id)])
