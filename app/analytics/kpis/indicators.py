"""The seven transformation KPIs (nyckeltal för omställning) of an organisation, year by year.

Each KPI is a numerator over a denominator (the opportunity cost is a sum). A KPI whose input
is missing is unknown (null) and names the missing inputs: it is never shown as 0 or guessed.
`docs/analytics/kpis.md` explains each one at more length.

Every year is computed from the state at the end of that year (today, for the current year):

- The *portfolio* of year Y is the organisation's own live initiatives that ran during Y (started,
  without a start date registered, on or before 31 December Y and not ended before 1 January Y)
  or that have a budget for Y in `budget_by_year`.
- An initiative's *spend* in Y is its `budget_by_year` entry for Y (0 for a year it names no
  amount for) when it has one; otherwise its `budget_sek` spread evenly over the calendar years
  from its start to its end (without an end date: to the current year). Which of the two was
  used is counted in the inputs (`spend_basis_*`).
- Its *status* in Y is the one its dated status history gives on the last day of Y; before its
  first dated status the registry does not know it, and it does not count as in operation.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from app.core.enums import OPERATING_STATUSES, InitiativeStatus

MONTHS_PER_YEAR = 12
# Six decimals keep small shares (a budget against a whole municipality's turnover) readable.
DECIMALS = 6


class SpendBasis(StrEnum):
    budget_by_year = "budget_by_year"
    spread_evenly = "spread_evenly"


@dataclass(frozen=True)
class Figures:
    """The organisation's reported figures for the year."""

    total_turnover_sek: int | None = None
    datasets_held: int | None = None
    datasets_used: int | None = None
    kpi_set_size: int | None = None
    kpis_added: int | None = None
    kpis_retired: int | None = None


@dataclass(frozen=True)
class PortfolioItem:
    """An initiative of the year's portfolio: its status at the year's end and its spend in the year."""

    status: InitiativeStatus | None
    spend_sek: float | None = None
    digital_share: float | None = None
    spend_basis: SpendBasis | None = None


@dataclass(frozen=True)
class OpportunityCost:
    """KPI 7's inputs: the organisation's known needs as they stood at the end of the year."""

    annual_sek: int | None = None
    known_needs: int = 0
    as_of: date | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class KpiInputs:
    figures: Figures
    portfolio: Sequence[PortfolioItem] = ()
    digital_services_put_into_operation: int = 0
    # Services that went into operation in the year but state no digital share: KPI 4 is unknown then.
    services_without_digital_share: int = 0
    # Initiatives in operation whose source did not say when they got there: any year's count
    # might miss them, so KPI 4 is unknown while there are any.
    operation_starts_unknown: int = 0
    months: int = MONTHS_PER_YEAR
    opportunity_cost: OpportunityCost = field(default_factory=OpportunityCost)
    # The day the overlap pairs behind KPI 7's candidates are from (today's: no history is kept).
    overlaps_as_of: date | None = None


@dataclass(frozen=True)
class KpiValue:
    """A KPI's value with the inputs it was computed from; `numerator` and `denominator` let
    county and national aggregates divide sums instead of averaging ratios."""

    key: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    missing_inputs: tuple[str, ...] = field(default=())
    inputs: dict[str, float | int | str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    name: str
    unit: str
    definition: str
    compute: Callable[[KpiInputs], KpiValue]


def months_counted(year: int, today: date) -> int:
    """12 for a past year; for the current year the months begun so far, so a rate is not diluted."""
    return today.month if year == today.year else MONTHS_PER_YEAR


def ratio(
    key: str, numerator: float | None, denominator: float | None, inputs: tuple[tuple[str, float | None], ...]
) -> KpiValue:
    """numerator ÷ denominator; unknown, naming the inputs that are missing, when either is
    unknown; unknown, naming the denominator's input, when the denominator is 0."""
    named: dict[str, float | int | str | None] = dict(inputs)
    missing = tuple(name for name, value in inputs if value is None)
    if missing or numerator is None or denominator is None:
        return KpiValue(key, None, numerator, denominator, missing, named)
    if denominator == 0:
        return KpiValue(key, None, numerator, denominator, (inputs[-1][0],), named)
    return KpiValue(key, round(numerator / denominator, DECIMALS), numerator, denominator, (), named)


def development_spend_sek(portfolio: Sequence[PortfolioItem]) -> float | None:
    """Σ spend in the year of the portfolio's initiatives that state a budget; unknown when none does."""
    spent = [item.spend_sek for item in portfolio if item.spend_sek is not None]
    return round(float(sum(spent)), 2) if spent else None


def spend_basis(portfolio: Sequence[PortfolioItem]) -> dict[str, float | int | str | None]:
    """How many of the spends counted came from a per-year budget, and how many were spread evenly."""
    return {
        f"spend_basis_{basis.value}": sum(
            item.spend_basis == basis and item.spend_sek is not None for item in portfolio
        )
        for basis in SpendBasis
    }


def _with_spend_basis(value: KpiValue, portfolio: Sequence[PortfolioItem]) -> KpiValue:
    return replace(value, inputs={**value.inputs, **spend_basis(portfolio)})


def _development_intensity(inputs: KpiInputs) -> KpiValue:
    spend, turnover = development_spend_sek(inputs.portfolio), _number(inputs.figures.total_turnover_sek)
    value = ratio(
        "development_intensity", spend, turnover, (("development_spend_sek", spend), ("total_turnover_sek", turnover))
    )
    return _with_spend_basis(value, inputs.portfolio)


def operating(portfolio: Sequence[PortfolioItem]) -> list[PortfolioItem]:
    """The portfolio's initiatives in operation or scaled at the year's end."""
    return [item for item in portfolio if item.status in OPERATING_STATUSES]


def effect_spend_sek(portfolio: Sequence[PortfolioItem]) -> float | None:
    """KPI 2's numerator: Σ spend of the portfolio's initiatives in operation or scaled at the year's end."""
    if development_spend_sek(portfolio) is None:
        return None
    return development_spend_sek(operating(portfolio)) or 0.0


def _development_effect(inputs: KpiInputs) -> KpiValue:
    spend, effect = development_spend_sek(inputs.portfolio), effect_spend_sek(inputs.portfolio)
    named = (("effect_spend_sek", effect), ("development_spend_sek", spend))
    unknown_status = sum(item.status is None for item in inputs.portfolio)
    if spend is None:
        value = KpiValue("development_effect", None, None, None, ("development_spend_sek",), dict(named))
    else:
        value = ratio("development_effect", effect, spend, named)
    value = replace(value, inputs={**value.inputs, "initiatives_without_status_at_year_end": unknown_status})
    return _with_spend_basis(value, inputs.portfolio)


def _digitalisation(inputs: KpiInputs) -> KpiValue:
    """Σ(spend × digital share) ÷ Σ spend over KPI 2's initiatives; unknown when one lacks its share."""
    counted = [item for item in operating(inputs.portfolio) if item.spend_sek is not None]
    spend = effect_spend_sek(inputs.portfolio)
    lacking = [
        name
        for name, is_missing in (
            ("development_spend_sek", spend is None),
            ("digital_share", any(i.digital_share is None for i in counted)),
        )
        if is_missing
    ]
    if lacking:
        value = KpiValue(
            "digitalisation", None, None, spend, tuple(lacking), {"digital_spend_sek": None, "effect_spend_sek": spend}
        )
    else:
        digital = round(float(sum((item.spend_sek or 0) * (item.digital_share or 0.0) for item in counted)), 2)
        value = ratio("digitalisation", digital, spend, (("digital_spend_sek", digital), ("effect_spend_sek", spend)))
    return _with_spend_basis(value, operating(inputs.portfolio))


def _productivity(inputs: KpiInputs) -> KpiValue:
    """New digital services (digital share above 0) that went into operation in the year, per month;
    unknown while one that went into operation states no digital share, or one in operation has
    no known day it got there."""
    services, months = float(inputs.digital_services_put_into_operation), float(inputs.months)
    named = (("digital_services_put_into_operation", services), ("months", months))
    if inputs.operation_starts_unknown:
        unknown: dict[str, float | int | str | None] = {"digital_services_put_into_operation": None, "months": months}
        unknown["operation_starts_unknown"] = inputs.operation_starts_unknown
        return KpiValue("productivity", None, None, months, ("operation_start_date",), unknown)
    without = inputs.services_without_digital_share
    if without:
        inputs_named: dict[str, float | int | str | None] = {**dict(named), "services_without_digital_share": without}
        return KpiValue("productivity", None, services, months, ("digital_share",), inputs_named)
    value = ratio("productivity", services, months, named)
    return replace(value, inputs={**value.inputs, "services_without_digital_share": 0})


def _data_utilisation(inputs: KpiInputs) -> KpiValue:
    used, held = _number(inputs.figures.datasets_used), _number(inputs.figures.datasets_held)
    return ratio("data_utilisation", used, held, (("datasets_used", used), ("datasets_held", held)))


def _kpi_turnover(inputs: KpiInputs) -> KpiValue:
    figures = inputs.figures
    added, retired, size = _number(figures.kpis_added), _number(figures.kpis_retired), _number(figures.kpi_set_size)
    changed = added + retired if added is not None and retired is not None else None
    return ratio(
        "kpi_turnover", changed, size, (("kpis_added", added), ("kpis_retired", retired), ("kpi_set_size", size))
    )


def _opportunity_cost(inputs: KpiInputs) -> KpiValue:
    """Σ estimated annual benefit of the known needs at the year's end; its monthly twelfth beside it."""
    cost = inputs.opportunity_cost
    annual = _number(cost.annual_sek)
    named: dict[str, float | int | str | None] = {
        "annual_benefit_of_candidates_sek": annual,
        "monthly_opportunity_cost_sek": None if annual is None else round(annual / MONTHS_PER_YEAR),
        "known_need_candidates": cost.known_needs,
        "candidates_as_of": cost.as_of.isoformat() if cost.as_of else None,
        "overlaps_as_of": inputs.overlaps_as_of.isoformat() if inputs.overlaps_as_of else None,
    }
    return KpiValue("opportunity_cost", annual, annual, None, cost.missing if annual is None else (), named)


KPI_DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "development_intensity",
        "Development intensity",
        "share",
        "the year's development spend (per-year budget, else the budget spread evenly over its years) ÷ total turnover",
        _development_intensity,
    ),
    KpiDefinition(
        "development_effect",
        "Development effect",
        "share",
        "the year's spend on initiatives in operation or scaled at the year's end ÷ the year's development spend",
        _development_effect,
    ),
    KpiDefinition(
        "digitalisation",
        "Digitalisation",
        "share",
        "digital share of KPI 2's spend: Σ(spend × digital share) ÷ Σ spend, initiatives in operation or scaled "
        "at the year's end",
        _digitalisation,
    ),
    KpiDefinition(
        "productivity",
        "Productivity",
        "services per month",
        "digital services (digital share above 0) that first went into operation during the year ÷ months of the year",
        _productivity,
    ),
    KpiDefinition("data_utilisation", "Data utilisation", "share", "datasets used ÷ datasets held", _data_utilisation),
    KpiDefinition("kpi_turnover", "KPI turnover", "share", "(KPIs added + KPIs retired) ÷ KPI set size", _kpi_turnover),
    KpiDefinition(
        "opportunity_cost",
        "Opportunity cost",
        "SEK per year",
        "Σ estimated annual benefit of the organisation's known needs as they stood at the end of the year "
        "(monthly: ÷ 12)",
        _opportunity_cost,
    ),
)
KPI_KEYS = tuple(definition.key for definition in KPI_DEFINITIONS)


def compute_kpis(inputs: KpiInputs) -> list[KpiValue]:
    """The seven KPIs, in `KPI_DEFINITIONS` order."""
    return [definition.compute(inputs) for definition in KPI_DEFINITIONS]


def aggregate(reports: Sequence[Sequence[KpiValue]]) -> list[KpiValue]:
    """Each KPI over many organisations: Σ numerators ÷ Σ denominators (a sum for opportunity
    cost) over the organisations whose value is known; unknown only when none is."""
    return [
        _aggregated(definition.key, [values[number] for values in reports])
        for number, definition in enumerate(KPI_DEFINITIONS)
    ]


def _aggregated(key: str, values: Sequence[KpiValue]) -> KpiValue:
    known = [value for value in values if value.value is not None]
    counts: dict[str, float | int | str | None] = {
        "organisations_counted": len(known),
        "organisations_without_value": len(values) - len(known),
    }
    if not known:
        missing = tuple(dict.fromkeys(name for value in values for name in value.missing_inputs))
        return KpiValue(key, None, missing_inputs=missing, inputs=counts)
    inputs = {name: _summed(name, first, known) for name, first in known[0].inputs.items()}
    inputs |= counts
    numerator = float(sum(value.numerator or 0 for value in known))
    if known[0].denominator is None:
        return KpiValue(key, numerator, numerator, None, (), inputs)
    denominator = float(sum(value.denominator or 0 for value in known))
    return KpiValue(key, round(numerator / denominator, DECIMALS), numerator, denominator, (), inputs)


def _summed(name: str, first: float | int | str | None, known: Sequence[KpiValue]) -> float | int | str | None:
    """An input over organisations: numbers summed; a day (the same for all of them) kept."""
    if isinstance(first, str):
        return first
    return float(sum(_numeric(value.inputs.get(name)) for value in known))


def _numeric(value: float | int | str | None) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def _number(value: int | None) -> float | None:
    return None if value is None else float(value)
