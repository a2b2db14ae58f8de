"""Scaling: proven solutions an organisation still lacks, and what waiting for them costs.

A *proven* initiative is live (not archived, not withdrawn at its source), in operation or
scaled, and reports a realised benefit above 0 SEK per year.

An organisation *lacks* a proven initiative when it neither owns it, takes part in it, nor has
recorded an adoption of it (in any status: one that abandoned it has decided).

    estimated annual benefit = realised benefit per year × population here ÷ population there
    monthly opportunity cost = estimated annual benefit ÷ 12

Nationally, a proven initiative's cost of waiting is the sum over every peer that lacks it:
regions for a region's initiative, municipalities for anyone else's.

Benefit is assumed to scale with the people served. Populations are the latest reported; a
region serves its county's municipalities and a federation or company its members, unless
it reports a population of its own. Without both populations the estimate is unknown and the
missing input is named, never guessed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.core.enums import InitiativeStatus, OrganisationKind

PROVEN_STATUSES = (InitiativeStatus.in_operation, InitiativeStatus.scaled)
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class OpportunityCost:
    estimated_annual_benefit_sek: int | None
    monthly_opportunity_cost_sek: int | None
    missing: tuple[str, ...]


def is_proven(status: InitiativeStatus, realised_benefit_sek_per_year: int | None) -> bool:
    return status in PROVEN_STATUSES and bool(realised_benefit_sek_per_year)


def peer_kind(owner_kind: OrganisationKind) -> OrganisationKind:
    """Who could take an initiative over: regions take regions', municipalities everyone else's."""
    return OrganisationKind.region if owner_kind == OrganisationKind.region else OrganisationKind.municipality


def served_population(
    code: str, kind: OrganisationKind, county_code: str | None, populations: Mapping[str, int],
    municipalities_by_county: Mapping[str, Iterable[str]], members: Mapping[str, Iterable[str]],
) -> int | None:
    """Its own population; else a region's county, or a federation's members, summed. Unknown when none is known."""
    if code in populations:
        return populations[code]
    if kind == OrganisationKind.region:
        served = municipalities_by_county.get(county_code or "", [])
    else:
        served = members.get(code, [])
    known = [populations[member] for member in served if member in populations]
    return sum(known) if known else None


def opportunity_cost(realised_benefit_sek_per_year: int, population_there: int | None,
                     population_here: int | None) -> OpportunityCost:
    """Benefit scaled by population, per year and per month of waiting, in whole kronor."""
    missing = tuple(name for name, value in (("population", population_here), ("owner_population", population_there))
                    if not value)
    if missing:
        return OpportunityCost(None, None, missing)
    annual = realised_benefit_sek_per_year * population_here / population_there
    return OpportunityCost(round(annual), round(annual / MONTHS_PER_YEAR), ())
