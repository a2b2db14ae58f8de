"""The seven KPIs (nyckeltal för omställning) of organisations, counties and the country.

Each request reads the inputs once for every organisation it reports on (figures of every
year, the live initiatives with their budgets and dated status histories, the known needs as
they stood at the end of each year) and computes each year from the state at that year's end
(see `years` and `indicators`).
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.analytics.context import AnalyticsContext
from app.analytics.kpis import indicators, years
from app.analytics.kpis.schemas import KpiReport, KpiValueRead
from app.analytics.scaling import service as scaling_service
from app.core.enums import OrganisationKind
from app.initiatives import reads as initiative_reads
from app.initiatives.records import DatedStatus, Spend
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresRead
from app.organisations.service import Profile

NATIONAL = "SE"


@dataclass(frozen=True)
class Inputs:
    """Everything the KPIs of a set of organisations are computed from, for every year."""

    figures: dict[str, dict[int, FiguresRead]]
    spending: dict[str, list[Spend]]
    histories: dict[uuid.UUID, list[DatedStatus]]


def kpis_for(context: AnalyticsContext, organisation: Profile, year: int | None, today: date) -> KpiReport:
    """The seven KPIs of one organisation for `year` (default: the latest year with figures)."""
    inputs = _inputs(context, [organisation.code])
    year = year or _latest_year(inputs, today)
    values = _values(context, inputs, [organisation.code], year, today)[organisation.code]
    return _report("organisation", organisation.code, organisation.name, year, values)


def kpi_history(context: AnalyticsContext, organisation: Profile, today: date) -> list[KpiReport]:
    """One report per year the organisation has figures for, oldest first."""
    years = sorted(_inputs(context, [organisation.code]).figures.get(organisation.code, {}))
    return [kpis_for(context, organisation, year, today) for year in years]


def kpis_aggregate(
    context: AnalyticsContext,
    *,
    level: Literal["county", "national"],
    year: int | None,
    today: date,
    county: str | None = None,
) -> list[KpiReport]:
    """The KPIs summed over a county's organisations (each county, or one), or over the country.
    Each ratio is Σ numerators ÷ Σ denominators of the organisations whose value is known."""
    year, values = _everyone(context, year, today)
    if level == "national":
        return [_national(values, year)]
    return _counties(context, values, year, None if county is None else {county})


@dataclass(frozen=True)
class Aggregates:
    """Every county's KPIs and the country's for one year: what each organisation is compared with."""

    counties: dict[str, KpiReport]
    national: KpiReport


def kpi_aggregates(context: AnalyticsContext, year: int, today: date) -> Aggregates:
    """Every county's and the country's KPIs of `year`: reads every organisation's inputs, so
    pages keep it while the data stays the same (`app.core.read_cache.VersionedMemo`)."""
    year, values = _everyone(context, year, today)
    counties = {report.code: report for report in _counties(context, values, year, None)}
    return Aggregates(counties, _national(values, year))


def kpi_comparison(aggregates: Aggregates, organisation: Profile) -> list[KpiReport]:
    """What an organisation's KPIs are compared with: its county (each of them, for a federation
    whose members span counties) and the country."""
    counties = [aggregates.counties[code] for code in sorted(organisation.county_codes) if code in aggregates.counties]
    return [*counties, aggregates.national]


def _everyone(
    context: AnalyticsContext, year: int | None, today: date
) -> tuple[int, dict[str, list[indicators.KpiValue]]]:
    codes = sorted(context.organisations.profiles)
    inputs = _inputs(context, codes)
    year = year or _latest_year(inputs, today)
    return year, _values(context, inputs, codes, year, today)


def _national(values: dict[str, list[indicators.KpiValue]], year: int) -> KpiReport:
    return _report("national", NATIONAL, "Sverige", year, indicators.aggregate(list(values.values())))


def _counties(
    context: AnalyticsContext, values: dict[str, list[indicators.KpiValue]], year: int, chosen: set[str] | None
) -> list[KpiReport]:
    profiles = context.organisations.profiles
    counties: dict[str, list[str]] = {}
    for code in sorted(values):
        county_code = profiles[code].county_code
        if county_code and (chosen is None or county_code in chosen):
            counties.setdefault(county_code, []).append(code)
    names = {p.county_code: p.name for p in profiles.values() if p.kind == OrganisationKind.region}
    return [
        _report("county", code, names.get(code, code), year, indicators.aggregate([values[c] for c in members]))
        for code, members in sorted(counties.items())
    ]


def _inputs(context: AnalyticsContext, codes: Sequence[str]) -> Inputs:
    def compute() -> Inputs:
        session = context.session
        figures: dict[str, dict[int, FiguresRead]] = defaultdict(dict)
        for row in organisation_service.yearly_figures(session, codes):
            figures[row.organisation_code][row.year] = row
        spending: dict[str, list[Spend]] = defaultdict(list)
        found = initiative_reads.spending(session, codes)
        for spend in found:
            spending[spend.owner_code].append(spend)
        histories = initiative_reads.status_histories(session, (spend.id for spend in found))
        return Inputs(dict(figures), dict(spending), histories)

    return context.once(f"kpi-inputs:{','.join(codes)}", compute)


def _latest_year(inputs: Inputs, today: date) -> int:
    reported = [year for by_year in inputs.figures.values() for year in by_year]
    return max(reported, default=today.year)


def _values(
    context: AnalyticsContext, inputs: Inputs, codes: Sequence[str], year: int, today: date
) -> dict[str, list[indicators.KpiValue]]:
    return {code: indicators.compute_kpis(_kpi_inputs(context, inputs, code, year, today)) for code in codes}


def _kpi_inputs(context: AnalyticsContext, inputs: Inputs, code: str, year: int, today: date) -> indicators.KpiInputs:
    own = inputs.spending.get(code, [])
    digital, without_share, unknown_starts = years.new_services(own, inputs.histories, year, today)
    return indicators.KpiInputs(
        figures=_figures(inputs.figures.get(code, {}).get(year)),
        portfolio=years.portfolio(own, inputs.histories, year, today),
        digital_services_put_into_operation=digital,
        services_without_digital_share=without_share,
        operation_starts_unknown=unknown_starts,
        months=indicators.months_counted(year, today),
        opportunity_cost=_opportunity_cost(context, code, years.year_end(year, today)),
        overlaps_as_of=today,
    )


def _opportunity_cost(context: AnalyticsContext, code: str, as_of: date) -> indicators.OpportunityCost:
    """The organisation's known needs as they stood on `as_of`; unknown without its population."""
    if not scaling_service.populations(context).get(code):
        return indicators.OpportunityCost(as_of=as_of, missing=("population",))
    needs = scaling_service.known_needs(context, as_of).get(code, scaling_service.KnownNeeds())
    return indicators.OpportunityCost(needs.annual_sek, needs.count, as_of)


def _figures(row: FiguresRead | None) -> indicators.Figures:
    if row is None:
        return indicators.Figures()
    return indicators.Figures(
        total_turnover_sek=row.total_turnover_sek,
        datasets_held=row.datasets_held,
        datasets_used=row.datasets_used,
        kpi_set_size=row.kpi_set_size,
        kpis_added=row.kpis_added,
        kpis_retired=row.kpis_retired,
    )


def _report(
    level: Literal["organisation", "county", "national"],
    code: str,
    name: str,
    year: int,
    values: list[indicators.KpiValue],
) -> KpiReport:
    definitions = {definition.key: definition for definition in indicators.KPI_DEFINITIONS}
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
