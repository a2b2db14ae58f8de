"""Chart data for the pages: counts, sums and KPIs turned into labelled bars and series."""

from dataclasses import dataclass
from urllib.parse import urlencode

from app.analytics.kpis.schemas import KpiReport
from app.core.enums import Category, InitiativeStatus
from app.web import formatting, labels
from app.web.charts import Bar


def status_bars(counts: dict[str, int]) -> list[Bar]:
    """One bar per status, in the order an initiative moves through them."""
    return [
        Bar(labels.status_label(status), counts.get(status, 0), "/initiativ?" + urlencode({"status": status.value}))
        for status in InitiativeStatus
    ]


def category_bars(counts: dict[str, int]) -> list[Bar]:
    """One bar per category, the most common first."""
    bars = [
        Bar(
            labels.category_label(category),
            counts.get(category, 0),
            "/initiativ?" + urlencode({"category": category.value}),
        )
        for category in Category
    ]
    return sorted(bars, key=lambda bar: -(bar.value or 0))


@dataclass(frozen=True)
class KpiSeries:
    """One KPI over the years, ready for a column chart and a table."""

    key: str
    name: str
    definition: str
    points: list[tuple[str, float | None]]
    missing_inputs: list[str]

    @property
    def has_values(self) -> bool:
        return any(value is not None for _, value in self.points)

    @property
    def latest(self) -> tuple[str, float | None] | None:
        return self.points[-1] if self.points else None

    @property
    def anchor(self) -> str:
        """Its section on the method page (`/sa-raknar-vi`)."""
        return labels.KPI_ANCHORS[self.key]

    def value_text(self, value: float | None) -> str:
        return kpi_value_text(self.key, value)

    def short_text(self, value: float | None) -> str:
        """For a column's label: the value without its unit words, so it fits above the column."""
        if self.key == "productivity":
            return formatting.number(value, 2)
        if self.key in labels.MONEY_KPIS:
            return formatting.significant_sek(value)
        return kpi_value_text(self.key, value)


def kpi_value_text(key: str, value: float | None) -> str:
    """A KPI value in its own unit: shares as percent, money in kronor, productivity per month."""
    if value is None:
        return "saknas"
    if key in labels.PERCENT_KPIS:
        return formatting.percent(value)
    if key in labels.MONEY_KPIS:
        return f"{formatting.significant_sek(value)} per år"
    return f"{formatting.number(value, 2)} per månad"


def shown_value(key: str, value: float | None) -> float | None:
    """A KPI value rounded as its label shows it (percent to one decimal, money to two significant
    figures, services per month to two decimals), so a chart draws what its labels say."""
    if value is None:
        return None
    if key in labels.PERCENT_KPIS:
        return round(value, 3)
    if key in labels.MONEY_KPIS:
        return formatting.significant(value)
    return round(value, 2)


def kpi_series(reports: list[KpiReport]) -> list[KpiSeries]:
    """The seven KPIs, each with its value per reported year (oldest first) and what the latest year lacks;
    nothing at all when no year has figures."""
    if not reports:
        return []
    by_key: dict[str, list[tuple[str, float | None]]] = {key: [] for key in labels.KPI_LABELS}
    missing: dict[str, list[str]] = {key: [] for key in labels.KPI_LABELS}
    for report in reports:
        for kpi in report.kpis:
            if kpi.key in by_key:
                by_key[kpi.key].append((str(report.year), shown_value(kpi.key, kpi.value)))
                missing[kpi.key] = list(kpi.missing_inputs)
    return [
        KpiSeries(key, *labels.KPI_LABELS[key], points=by_key[key], missing_inputs=missing[key])
        for key in labels.KPI_LABELS
    ]


def kpi_comparison(own: KpiReport, others: list[KpiReport]) -> dict[str, list[Bar]]:
    """Per KPI, the organisation's value of a year beside its county's and the country's, where any
    of them is known. Money KPIs are left out: a county's or the country's is a sum, not comparable
    with one organisation's."""
    reports = [own, *others]
    compared = {
        key: [Bar(report.name, shown_value(key, _value(report, key)), _comparison_href(report)) for report in reports]
        for key in labels.KPI_LABELS
        if key not in labels.MONEY_KPIS
    }
    return {key: bars for key, bars in compared.items() if any(bar.value is not None for bar in bars)}


def _value(report: KpiReport, key: str) -> float | None:
    return next((kpi.value for kpi in report.kpis if kpi.key == key), None)


def _comparison_href(report: KpiReport) -> str | None:
    return f"/organisation?county={report.code}" if report.level == "county" else None


def cluster_bars(clusters: list) -> list[Bar]:
    """Duplication clusters by the budget spent on them in parallel."""
    return [
        Bar(cluster.label, formatting.significant(cluster.combined_budget_sek), f"/dubbelarbete#kluster-{cluster.id}")
        for cluster in clusters
    ]


def national_candidate_bars(candidates: list) -> list[Bar]:
    """Proven initiatives by what waiting costs, each month, the organisations building the same."""
    return [
        Bar(
            f"{c.initiative.title} ({c.initiative.owner_name})",
            formatting.significant(c.known_need_cost.monthly_sek),
            f"/initiativ/{c.initiative.id}",
        )
        for c in candidates
        if c.known_need_cost.monthly_sek
    ]


def candidate_bars(candidates: list) -> list[Bar]:
    """An organisation's candidates by what each month of waiting costs it."""
    return [
        Bar(
            f"{c.initiative.title} ({c.initiative.owner_name})",
            formatting.significant(c.cost.monthly_sek),
            f"/initiativ/{c.initiative.id}",
        )
        for c in candidates
        if c.cost.monthly_sek
    ]


def flag_bars(summaries: list) -> list[Bar]:
    """Spend per flag in an organisation's portfolio."""
    return [Bar(labels.FLAG_LABELS.get(s.flag, s.flag), formatting.significant(s.budget_sek), None) for s in summaries]
