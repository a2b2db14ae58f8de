"""What waiting for a proven solution costs (alternativkostnad), for the organisations that are
its candidates (`candidates`).

    estimated annual benefit for X = realised benefit per year × population(X) ÷ population(owner)
    monthly opportunity cost       = estimated annual benefit ÷ 12

Benefit is assumed to scale with the people served. Populations are the latest reported; a
region serves its county's municipalities and a federation or company its members, unless
it reports a population of its own. Without both populations the estimate is unknown and the
missing input is named, never guessed.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.core.enums import OrganisationKind

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class OpportunityCost:
    estimated_annual_benefit_sek: int | None
    monthly_opportunity_cost_sek: int | None
    missing: tuple[str, ...]


def peer_kind(owner_kind: OrganisationKind) -> OrganisationKind:
    """Who could take an initiative over: regions take regions', municipalities everyone else's."""
    return OrganisationKind.region if owner_kind == OrganisationKind.region else OrganisationKind.municipality


def served_population(
    code: str,
    kind: OrganisationKind,
    county_code: str | None,
    populations: Mapping[str, int],
    municipalities_by_county: Mapping[str, Iterable[str]],
    members: Mapping[str, Iterable[str]],
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


def opportunity_cost(
    realised_benefit_sek_per_year: int, population_there: int | None, populations_here: Sequence[int | None]
) -> OpportunityCost:
    """Benefit scaled by the populations of the organisations lacking it, summed, per year and
    per month of waiting, in whole kronor. Organisations without a population are left out of
    the sum and counted in `missing`; without the owner's population nothing is estimated."""
    known = [population for population in populations_here if population]
    missing = (("population",) if len(known) < len(populations_here) else ()) + (
        ("owner_population",) if not population_there else ()
    )
    if not population_there or not known:
        return OpportunityCost(None, None, missing)
    annual = realised_benefit_sek_per_year * sum(known) / population_there
    return OpportunityCost(round(annual), round(annual / MONTHS_PER_YEAR), missing)


def assumptions(
    realised_benefit_sek_per_year: int | None, population_there: int | None, population_here: int | None
) -> list[str]:
    """The assumptions behind one organisation's estimate, in words, with the numbers used."""
    return [
        "Benefit scales with the population served: realised benefit × population here ÷ population of the owner.",
        f"Realised benefit reported by the owner: {realised_benefit_sek_per_year} SEK per year.",
        f"Population of the owner: {population_there if population_there else 'unknown'}; "
        f"population here: {population_here if population_here else 'unknown'} (latest reported; a region "
        "serves its county's municipalities, a federation its members, unless it reports its own).",
        "Each month without the solution forgoes a twelfth of the annual benefit.",
    ]
