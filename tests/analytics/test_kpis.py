from datetime import date
from pathlib import Path

import pytest

from app.analytics.kpis.indicators import (
    KPI_KEYS,
    Figures,
    KpiInputs,
    OpportunityCost,
    PortfolioItem,
    SpendBasis,
    aggregate,
    compute_kpis,
    development_spend_sek,
    months_counted,
    ratio,
)
from app.analytics.kpis.years import ran_during
from app.core.enums import InitiativeStatus

OPERATING = InitiativeStatus.in_operation
PILOT = InitiativeStatus.pilot


def kpi(inputs: KpiInputs, key: str):
    return next(value for value in compute_kpis(inputs) if value.key == key)


class TestRanDuring:
    @pytest.mark.parametrize(
        ("start", "end", "registered", "expected"),
        [
            (date(2024, 3, 1), None, date(2024, 3, 1), True),
            (date(2025, 1, 1), None, date(2024, 3, 1), False),
            (date(2020, 1, 1), date(2023, 12, 31), date(2020, 1, 1), False),
            (date(2020, 1, 1), date(2024, 1, 1), date(2020, 1, 1), True),
            (None, None, date(2024, 12, 31), True),
            (None, None, date(2025, 1, 1), False),
        ],
    )
    def test_started_by_year_end_and_not_ended_before_it_began(self, start, end, registered, expected):
        assert ran_during(2024, start, end, registered) is expected


class TestMonthsCounted:
    def test_whole_past_year_and_months_begun_this_year(self):
        assert months_counted(2024, date(2026, 3, 5)) == 12
        assert months_counted(2026, date(2026, 3, 5)) == 3


class TestRatio:
    def test_divides_and_rounds(self):
        assert ratio("k", 1.0, 3.0, ()).value == 0.333333

    def test_names_missing_inputs(self):
        found = ratio("k", None, 4.0, (("a", None), ("b", 4.0)))
        assert (found.value, found.missing_inputs) == (None, ("a",))

    def test_zero_denominator_names_the_denominator(self):
        found = ratio("k", 2.0, 0.0, (("a", 2.0), ("b", 0.0)))
        assert (found.value, found.missing_inputs) == (None, ("b",))


class TestDevelopmentSpend:
    def test_sums_known_budgets_unknown_when_none(self):
        assert development_spend_sek([PortfolioItem(PILOT, 100), PortfolioItem(PILOT), PortfolioItem(PILOT, 50)]) == 150
        assert development_spend_sek([PortfolioItem(PILOT)]) is None


BY_YEAR, EVENLY = SpendBasis.budget_by_year, SpendBasis.spread_evenly
PORTFOLIO = [
    PortfolioItem(OPERATING, spend_sek=600, digital_share=0.5, spend_basis=BY_YEAR),
    PortfolioItem(InitiativeStatus.scaled, spend_sek=200, digital_share=1.0, spend_basis=EVENLY),
    PortfolioItem(InitiativeStatus.scaled, spend_sek=999, digital_share=0.0, spend_basis=EVENLY),
    PortfolioItem(PILOT, spend_sek=201, digital_share=1.0, spend_basis=EVENLY),
    PortfolioItem(PILOT),
]


class TestComputeKpis:
    def test_seven_kpis_in_definition_order(self):
        assert tuple(value.key for value in compute_kpis(KpiInputs(Figures()))) == KPI_KEYS
        assert len(KPI_KEYS) == 7

    def test_development_intensity_is_spend_over_turnover(self):
        found = kpi(KpiInputs(Figures(total_turnover_sek=20_000), PORTFOLIO), "development_intensity")
        assert (found.value, found.numerator, found.denominator) == (0.1, 2000, 20_000)
        assert (found.inputs["spend_basis_budget_by_year"], found.inputs["spend_basis_spread_evenly"]) == (1, 3)

    def test_development_effect_is_the_operating_share_of_spend(self):
        assert kpi(KpiInputs(Figures(), PORTFOLIO), "development_effect").value == round(1799 / 2000, 6)

    def test_digitalisation_is_the_digital_share_of_kpi_2s_spend(self):
        found = kpi(KpiInputs(Figures(), PORTFOLIO), "digitalisation")
        assert found.value == round(500 / 1799, 6) and found.inputs == {
            "digital_spend_sek": 500,
            "effect_spend_sek": 1799,
            "spend_basis_budget_by_year": 1,
            "spend_basis_spread_evenly": 2,
        }

    def test_digitalisation_is_unknown_while_an_operating_initiative_lacks_its_share(self):
        found = kpi(KpiInputs(Figures(), [*PORTFOLIO, PortfolioItem(OPERATING, spend_sek=5)]), "digitalisation")
        assert (found.value, found.missing_inputs) == (None, ("digital_share",))

    def test_productivity_is_digital_services_put_into_operation_per_month(self):
        found = kpi(KpiInputs(Figures(), digital_services_put_into_operation=3, months=6), "productivity")
        assert (found.value, found.missing_inputs) == (0.5, ())

    def test_productivity_is_unknown_while_a_new_service_states_no_digital_share(self):
        inputs = KpiInputs(Figures(), digital_services_put_into_operation=3, services_without_digital_share=1)
        found = kpi(inputs, "productivity")
        assert (found.value, found.missing_inputs, found.inputs["services_without_digital_share"]) == (
            None,
            ("digital_share",),
            1,
        )

    def test_an_initiative_without_status_at_year_end_is_not_in_operation_and_is_counted(self):
        found = kpi(KpiInputs(Figures(), [*PORTFOLIO, PortfolioItem(None, spend_sek=1)]), "development_effect")
        assert found.value == round(1799 / 2001, 6) and found.inputs["initiatives_without_status_at_year_end"] == 1

    def test_data_utilisation_and_kpi_turnover(self):
        figures = Figures(datasets_held=40, datasets_used=30, kpi_set_size=50, kpis_added=4, kpis_retired=6)
        inputs = KpiInputs(figures)
        assert (kpi(inputs, "data_utilisation").value, kpi(inputs, "kpi_turnover").value) == (0.75, 0.2)

    def test_opportunity_cost_is_the_given_sum_with_its_monthly_twelfth_and_its_day(self):
        cost = OpportunityCost(annual_sek=1200, known_needs=2, as_of=date(2024, 12, 31))
        found = kpi(KpiInputs(Figures(), opportunity_cost=cost, overlaps_as_of=date(2026, 3, 1)), "opportunity_cost")
        assert found.value == 1200 and found.inputs == {
            "annual_benefit_of_candidates_sek": 1200,
            "monthly_opportunity_cost_sek": 100,
            "known_need_candidates": 2,
            "candidates_as_of": "2024-12-31",
            "overlaps_as_of": "2026-03-01",
        }

    def test_missing_inputs_are_named_never_zero(self):
        found = {
            value.key: value
            for value in compute_kpis(
                KpiInputs(
                    Figures(kpis_added=1),
                    [PortfolioItem(PILOT)],
                    opportunity_cost=OpportunityCost(missing=("population",)),
                )
            )
        }
        assert found["development_intensity"].missing_inputs == ("development_spend_sek", "total_turnover_sek")
        assert found["development_effect"].missing_inputs == ("development_spend_sek",)
        assert found["digitalisation"].missing_inputs == ("development_spend_sek",)
        assert found["data_utilisation"].missing_inputs == ("datasets_used", "datasets_held")
        assert found["kpi_turnover"].missing_inputs == ("kpis_retired", "kpi_set_size")
        assert found["opportunity_cost"].missing_inputs == ("population",)
        assert all(found[key].value is None for key in KPI_KEYS if key != "productivity")

    def test_productivity_is_known_even_with_nothing_in_operation(self):
        assert kpi(KpiInputs(Figures()), "productivity").value == 0

    def test_inputs_are_named_with_their_values(self):
        found = kpi(KpiInputs(Figures(total_turnover_sek=20_000), PORTFOLIO), "development_intensity")
        assert found.inputs == {
            "development_spend_sek": 2000,
            "total_turnover_sek": 20_000,
            "spend_basis_budget_by_year": 1,
            "spend_basis_spread_evenly": 3,
        }


class TestAggregate:
    def test_ratio_of_sums_over_organisations_with_a_known_value(self):
        first = compute_kpis(
            KpiInputs(Figures(datasets_held=10, datasets_used=1), opportunity_cost=OpportunityCost(100, 1))
        )
        second = compute_kpis(
            KpiInputs(Figures(datasets_held=30, datasets_used=19), opportunity_cost=OpportunityCost(50, 2))
        )
        unknown = compute_kpis(KpiInputs(Figures()))
        found = {value.key: value for value in aggregate([first, second, unknown])}
        assert found["data_utilisation"].value == 0.5
        assert found["data_utilisation"].inputs == {
            "datasets_used": 20,
            "datasets_held": 40,
            "organisations_counted": 2,
            "organisations_without_value": 1,
        }
        assert found["opportunity_cost"].value == 150
        assert found["opportunity_cost"].inputs["known_need_candidates"] == 3

    def test_unknown_when_no_organisation_has_a_value_naming_what_is_missing(self):
        found = {value.key: value for value in aggregate([compute_kpis(KpiInputs(Figures()))])}
        assert (found["kpi_turnover"].value, found["kpi_turnover"].missing_inputs) == (
            None,
            ("kpis_added", "kpis_retired", "kpi_set_size"),
        )

    def test_no_organisations_no_values(self):
        assert [value.value for value in aggregate([])] == [None] * 7


class TestKpiDocumentation:
    def test_the_prose_page_explains_every_kpi(self):
        page = (Path(__file__).resolve().parents[2] / "docs" / "analytics" / "kpis.md").read_text(encoding="utf-8")
        assert [key for key in KPI_KEYS if f"`{key}`" not in page] == []
