"""The seven transformation KPIs (nyckeltal för omställning) of an organisation, year by year.

Each KPI is a numerator over a denominator (the opportunity cost is a sum). A KPI whose input
is missing is unknown (null) and names the missing inputs: it is never shown as 0 or guessed.
`docs/analytics/kpis.md` explains each one at more length.

The *portfolio* of year Y is the organisation's own initiatives that are not archived and ran
during Y: started (without a start date: registered) on or before 31 December Y and not ended
before 1 January Y. *Development spend* is the sum of their budgets; *operating* ones are in
operation or scaled (their current status).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.core.enums import OPERATING_STATUSES, InitiativeStatus

MONTHS_PER_YEAR = 12
# Six decimals keep small shares (a budget against a whole municipality's turnover) readable.
DECIMALS = 6


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
    status: InitiativeStatus
    budget_sek: int | None = None
    digital_share: float | None = None


@dataclass(frozen=True)
class KpiInputs:
    figures: Figures
    portfolio: Sequence[PortfolioItem] = ()
    services_put_into_operation: int = 0
    # Initiatives in operation whose source did not say when they got there: any year's count
    # might miss them, so KPI 4 is unknown while there are any.
    operation_starts_unknown: int = 0
    months: int = MONTHS_PER_YEAR
    opportunity_cost_sek: int | None = None
    opportunity_cost_missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class KpiValue:
    """A KPI's value with the inputs it was computed from; `numerator` and `denominator` let
    county and national aggregates divide sums instead of averaging ratios."""

    key: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    missing_inputs: tuple[str, ...] = field(default=())
    inputs: dict[str, float | int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    name: str
    unit: str
    definition: str
    compute: Callable[[KpiInputs], KpiValue]


def ran_during(year: int, start: date | None, end: date | None, registered: date) -> bool:
    """Started (or registered, without a start date) by 31 December and not ended before 1 January."""
    return (start or registered) <= date(year, 12, 31) and (end is None or end >= date(year, 1, 1))


def months_counted(year: int, today: date) -> int:
    """12 for a past year; for the current year the months begun so far, so a rate is not diluted."""
    return today.month if year == today.year else MONTHS_PER_YEAR


def ratio(
    key: str, numerator: float | None, denominator: float | None, inputs: tuple[tuple[str, float | None], ...]
) -> KpiValue:
    """numerator ÷ denominator; unknown, naming the inputs that are missing, when either is
    unknown; unknown, naming the denominator's input, when the denominator is 0."""
    named = dict(inputs)
    missing = tuple(name for name, value in inputs if value is None)
    if missing or numerator is None or denominator is None:
        return KpiValue(key, None, numerator, denominator, missing, named)
    if denominator == 0:
        return KpiValue(key, None, numerator, denominator, (inputs[-1][0],), named)
    return KpiValue(key, round(numerator / denominator, DECIMALS), numerator, denominator, (), named)


def development_spend_sek(portfolio: Sequence[PortfolioItem]) -> float | None:
    """Σ budget of the portfolio's initiatives that state one; unknown when none does."""
    budgets = [item.budget_sek for item in portfolio if item.budget_sek is not None]
    return float(sum(budgets)) if budgets else None


def _development_intensity(inputs: KpiInputs) -> KpiValue:
    spend, turnover = development_spend_sek(inputs.portfolio), _number(inputs.figures.total_turnover_sek)
    return ratio(
        "development_intensity", spend, turnover, (("development_spend_sek", spend), ("total_turnover_sek", turnover))
    )


def effect_spend_sek(portfolio: Sequence[PortfolioItem]) -> float | None:
    """KPI 2's numerator: Σ budget of the portfolio's initiatives in operation or scaled."""
    if development_spend_sek(portfolio) is None:
        return None
    return development_spend_sek([item for item in portfolio if item.status in OPERATING_STATUSES]) or 0.0


def _development_effect(inputs: KpiInputs) -> KpiValue:
    spend, effect = development_spend_sek(inputs.portfolio), effect_spend_sek(inputs.portfolio)
    named = (("effect_spend_sek", effect), ("development_spend_sek", spend))
    if spend is None:
        return KpiValue("development_effect", None, None, None, ("development_spend_sek",), dict(named))
    return ratio("development_effect", effect, spend, named)


def _digitalisation(inputs: KpiInputs) -> KpiValue:
    """Σ(budget × digital share) ÷ Σ budget over KPI 2's initiatives; unknown when one lacks its share."""
    operating = [item for item in inputs.portfolio if item.status in OPERATING_STATUSES and item.budget_sek is not None]
    spend = effect_spend_sek(inputs.portfolio)
    lacking = [
        name
        for name, is_missing in (
            ("development_spend_sek", spend is None),
            ("digital_share", any(i.digital_share is None for i in operating)),
        )
        if is_missing
    ]
    if lacking:
        return KpiValue(
            "digitalisation", None, None, spend, tuple(lacking), {"digital_spend_sek": None, "effect_spend_sek": spend}
        )
    digital = float(sum((item.budget_sek or 0) * (item.digital_share or 0.0) for item in operating))
    return ratio("digitalisation", digital, spend, (("digital_spend_sek", digital), ("effect_spend_sek", spend)))


def _productivity(inputs: KpiInputs) -> KpiValue:
    services, months = float(inputs.services_put_into_operation), float(inputs.months)
    if inputs.operation_starts_unknown:
        named = {
            "services_put_into_operation": None,
            "months": months,
            "operation_starts_unknown": inputs.operation_starts_unknown,
        }
        return KpiValue("productivity", None, None, months, ("operation_start_date",), named)
    return ratio("productivity", services, months, (("services_put_into_operation", services), ("months", months)))


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
    cost = _number(inputs.opportunity_cost_sek)
    missing = inputs.opportunity_cost_missing if cost is None else ()
    return KpiValue("opportunity_cost", cost, cost, None, missing, {"annual_benefit_of_candidates_sek": cost})


KPI_DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "development_intensity",
        "Development intensity",
        "share",
        "development spend ÷ total turnover",
        _development_intensity,
    ),
    KpiDefinition(
        "development_effect",
        "Development effect",
        "share",
        "development spend on initiatives in operation or scaled ÷ development spend",
        _development_effect,
    ),
    KpiDefinition(
        "digitalisation",
        "Digitalisation",
        "share",
        "digital share of KPI 2's spend: Σ(budget × digital share) ÷ Σ budget, initiatives in operation or scaled",
        _digitalisation,
    ),
    KpiDefinition(
        "productivity",
        "Productivity",
        "services per month",
        "initiatives that first went into operation during the year ÷ months of the year",
        _productivity,
    ),
    KpiDefinition("data_utilisation", "Data utilisation", "share", "datasets used ÷ datasets held", _data_utilisation),
    KpiDefinition("kpi_turnover", "KPI turnover", "share", "(KPIs added + KPIs retired) ÷ KPI set size", _kpi_turnover),
    KpiDefinition(
        "opportunity_cost",
        "Opportunity cost",
        "SEK per year",
        "Σ estimated annual benefit of the organisation's scaling candidates",
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
    counts: dict[str, float | int | None] = {
        "organisations_counted": len(known),
        "organisations_without_value": len(values) - len(known),
    }
    if not known:
        missing = tuple(dict.fromkeys(name for value in values for name in value.missing_inputs))
        return KpiValue(key, None, missing_inputs=missing, inputs=counts)
    inputs: dict[str, float | int | None] = {
        name: float(sum(value.inputs.get(name) or 0 for value in known)) for name in known[0].inputs
    }
    inputs |= counts
    numerator = float(sum(value.numerator or 0 for value in known))
    if known[0].denominator is None:
        return KpiValue(key, numerator, numerator, None, (), inputs)
    denominator = float(sum(value.denominator or 0 for value in known))
    return KpiValue(key, round(numerator / denominator, DECIMALS), numerator, denominator, (), inputs)


def _number(value: int | None) -> float | None:
    return None if value is None else float(value)
