"""KPIs per year from history: small portfolios built by hand, exact values for every year."""

from datetime import date, datetime
from uuid import uuid4

import pytest

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate
from app.analytics.context import AnalyticsContext
from app.analytics.kpis import service as kpi_service
from app.analytics.kpis import years
from app.analytics.kpis.indicators import SpendBasis
from app.core.caller import ADMIN
from app.core.enums import InitiativeStatus
from app.initiatives import service as initiative_service
from app.initiatives.records import DatedStatus, Spend, status_on
from app.initiatives.schemas import InitiativeUpdate
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative

TODAY = date(2026, 3, 15)
SUNDSVALL, STOCKHOLM = 99_213, 988_943  # reference populations (SCB, 31 December 2023)
NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"


def make(session, title: str, owner: str = "2281", **overrides):
    return make_initiative(session, title=title, owner=owner, **{"summary": None, "tags": [], **overrides})


def move(session, initiative, *changes: tuple[str, date]):
    """Record later status changes, each on its own date."""
    for status, day in changes:
        initiative = initiative_service.update(
            session, initiative.id, InitiativeUpdate(status=status, status_date=day), ADMIN, initiative.version
        )
    return initiative


def record(session, code: str, year: int, **figures) -> None:
    organisation_service.record_figures(session, code, year, FiguresWrite(**figures), ADMIN)


def by_year(session, code: str = "2281") -> dict[int, dict]:
    """Each year's KPIs of the organisation, by key, as the API reads them."""
    profile = AnalyticsContext(session).organisations.profiles[code]
    reports = kpi_service.kpi_history(AnalyticsContext(session), profile, TODAY)
    return {report.year: {kpi.key: kpi for kpi in report.kpis} for report in reports}


@pytest.fixture
def portfolio(session):
    """Sundsvall over three years: a digital service with a budget per year that went live in
    2024, and one with an evenly spread budget (not digital) that went live in 2025."""
    for year, turnover in ((2023, 1_000_000), (2024, 2_000_000), (2025, 1_000_000)):
        record(session, "2281", year, total_turnover_sek=turnover)
    per_year = make(
        session,
        "E-tjänst för bygglov",
        budget_sek=900_000,
        budget_by_year={2023: 100_000, 2024: 300_000, 2025: 500_000},
        digital_share=1.0,
        start_date=date(2023, 1, 1),
        end_date=date(2025, 12, 31),
        status="pilot",
        status_date=date(2023, 2, 1),
    )
    move(session, per_year, ("in_operation", date(2024, 6, 1)))
    evenly = make(
        session,
        "Nytt schemaläggningssystem",
        budget_sek=600_000,
        digital_share=0.0,
        start_date=date(2023, 1, 1),
        end_date=date(2025, 12, 31),
        status="planned",
        status_date=date(2023, 1, 10),
    )
    move(session, evenly, ("implementation", date(2024, 1, 15)), ("in_operation", date(2025, 9, 1)))


def values(found: dict[int, dict], key: str) -> dict[int, float | None]:
    return {year: kpis[key].value for year, kpis in found.items()}


class TestKpisPerYear:
    def test_development_spend_is_each_years_part_of_each_budget(self, session, portfolio):
        found = by_year(session)
        assert values(found, "development_intensity") == {2023: 0.3, 2024: 0.25, 2025: 0.7}
        assert [found[year]["development_intensity"].inputs["development_spend_sek"] for year in found] == [
            300_000,
            500_000,
            700_000,
        ]
        assert {
            name: value for name, value in found[2024]["development_intensity"].inputs.items() if "basis" in name
        } == {"spend_basis_budget_by_year": 1, "spend_basis_spread_evenly": 1}

    def test_development_effect_and_digitalisation_follow_the_status_at_each_years_end(self, session, portfolio):
        found = by_year(session)
        assert values(found, "development_effect") == {2023: 0.0, 2024: 0.6, 2025: 1.0}
        assert values(found, "digitalisation") == {2023: None, 2024: 1.0, 2025: round(500 / 700, 6)}
        assert found[2023]["digitalisation"].missing_inputs == ["effect_spend_sek"]

    def test_productivity_counts_digital_services_in_the_year_they_went_live(self, session, portfolio):
        found = by_year(session)
        assert values(found, "productivity") == {2023: 0.0, 2024: round(1 / 12, 6), 2025: 0.0}
        assert found[2024]["productivity"].inputs == {
            "digital_services_put_into_operation": 1,
            "months": 12,
            "services_without_digital_share": 0,
        }

    def test_a_budget_without_an_end_date_is_spread_over_its_years_so_far(self, session):
        record(session, "2281", 2024, total_turnover_sek=1_000_000)
        make(session, "Öppet slut", budget_sek=300_000, start_date=date(2024, 7, 1), status="pilot")
        found = by_year(session)
        assert found[2024]["development_intensity"].inputs["development_spend_sek"] == 100_000
        assert found[2024]["development_intensity"].value == 0.1

    def test_a_year_the_per_year_budget_does_not_name_spends_nothing(self, session):
        record(session, "2281", 2024, total_turnover_sek=1_000_000)
        record(session, "2281", 2025, total_turnover_sek=1_000_000)
        make(
            session,
            "Bara 2025",
            budget_sek=50_000,
            budget_by_year={2025: 50_000},
            start_date=date(2024, 1, 1),
            status="pilot",
        )
        found = by_year(session)
        assert values(found, "development_intensity") == {2023: None, 2024: 0.0, 2025: 0.05}


class TestMissingInputs:
    def test_missing_inputs_are_named_never_zero(self, session):
        record(session, "2281", 2026, datasets_held=4)
        service = make(session, "Chattbot", budget_sek=None, status="pilot", status_date=date(2025, 5, 1))
        move(session, service, ("in_operation", date(2026, 2, 1)))
        found = by_year(session)[2026]
        assert (found["development_intensity"].value, found["development_intensity"].missing_inputs) == (
            None,
            ["development_spend_sek", "total_turnover_sek"],
        )
        assert (found["productivity"].value, found["productivity"].missing_inputs) == (None, ["digital_share"])
        assert found["productivity"].inputs["services_without_digital_share"] == 1
        assert found["productivity"].inputs["months"] == 3
        assert (found["data_utilisation"].value, found["data_utilisation"].missing_inputs) == (
            None,
            ["datasets_used"],
        )

    def test_status_before_the_first_dated_one_is_unknown_and_not_in_operation(self, session):
        record(session, "2281", 2024, total_turnover_sek=1_000_000)
        make(
            session,
            "Registrerad i efterhand",
            budget_sek=200_000,
            start_date=date(2024, 1, 1),
            end_date=date(2025, 12, 31),
            status="in_operation",
            status_date=date(2025, 4, 1),
        )
        effect = by_year(session)[2024]["development_effect"]
        assert (effect.value, effect.inputs["initiatives_without_status_at_year_end"]) == (0.0, 1)


class TestOpportunityCostPerYear:
    @pytest.fixture
    def night(self, session, index):
        """Stockholm's night supervision went live in 2024; Sundsvall builds the same from 2023."""
        for year in (2024, 2025):
            record(session, "2281", year, datasets_held=1)
        proven = make(
            session,
            NIGHT_AGAIN,
            "0180",
            status="pilot",
            status_date=date(2023, 3, 1),
            realised_benefit_sek_per_year=1_200_000,
        )
        move(session, proven, ("in_operation", date(2024, 5, 1)))
        own = make(session, NIGHT, "2281", status="idea", status_date=date(2023, 1, 1))
        index()
        return {"proven": proven, "own": own}

    def test_candidates_as_they_stood_at_each_years_end(self, session, night):
        move(session, night["own"], ("pilot", date(2024, 2, 1)), ("in_operation", date(2025, 6, 1)))
        found = by_year(session)
        expected = round(1_200_000 * SUNDSVALL / STOCKHOLM)
        assert values(found, "opportunity_cost") == {2023: 0.0, 2024: expected, 2025: 0.0}
        assert found[2024]["opportunity_cost"].inputs == {
            "annual_benefit_of_candidates_sek": expected,
            "monthly_opportunity_cost_sek": round(expected / 12),
            "known_need_candidates": 1,
            "candidates_as_of": "2024-12-31",
            "overlaps_as_of": "2026-03-15",
        }

    def test_an_adoption_counts_from_the_day_it_is_used(self, session, night):
        adoption_service.create(
            session,
            night["proven"].id,
            AdoptionCreate(organisation="2281", status="piloting", since_date=date(2025, 2, 1)),
            ADMIN,
        )
        found = by_year(session)
        assert values(found, "opportunity_cost") == {
            2023: 0.0,
            2024: round(1_200_000 * SUNDSVALL / STOCKHOLM),
            2025: 0.0,
        }


class TestAggregates:
    def test_national_value_of_a_year_is_the_sum_of_numerators_over_the_sum_of_denominators(self, session, portfolio):
        record(session, "2262", 2024, total_turnover_sek=1_000_000)
        make(
            session,
            "Timrås e-arkiv",
            "2262",
            budget_sek=100_000,
            start_date=date(2024, 1, 1),
            end_date=date(2024, 12, 31),
        )
        [national] = kpi_service.kpis_aggregate(AnalyticsContext(session), level="national", year=2024, today=TODAY)
        intensity = next(kpi for kpi in national.kpis if kpi.key == "development_intensity")
        assert intensity.value == 0.2
        assert intensity.inputs["development_spend_sek"] == 600_000
        assert intensity.inputs["total_turnover_sek"] == 3_000_000
        assert intensity.inputs["organisations_counted"] == 2


def spend(**overrides) -> Spend:
    fields = {
        "id": uuid4(),
        "owner_code": "2281",
        "status": InitiativeStatus.pilot,
        "budget_sek": None,
        "budget_by_year": None,
        "digital_share": None,
        "start_date": None,
        "end_date": None,
        "created_at": datetime(2024, 3, 1),
    }
    return Spend(**{**fields, **overrides})


class TestYears:
    def test_year_end_is_today_while_the_year_runs(self):
        assert years.year_end(2025, TODAY) == date(2025, 12, 31)
        assert years.year_end(2026, TODAY) == TODAY

    def test_status_on_a_day_is_the_last_change_by_then(self):
        history = [
            DatedStatus(date(2023, 1, 1), InitiativeStatus.idea, date(2023, 1, 1)),
            DatedStatus(date(2024, 6, 1), InitiativeStatus.in_operation, date(2024, 6, 1)),
        ]
        assert [status_on(history, day) for day in (date(2022, 12, 31), date(2024, 5, 31), date(2024, 6, 1))] == [
            None,
            InitiativeStatus.idea,
            InitiativeStatus.in_operation,
        ]

    def test_a_status_without_a_date_holds_from_the_day_it_was_recorded(self):
        history = [DatedStatus(None, InitiativeStatus.in_operation, date(2025, 3, 1))]
        assert [status_on(history, day) for day in (date(2024, 12, 31), date(2025, 3, 1))] == [
            None,
            InitiativeStatus.in_operation,
        ]

    def test_spread_evenly_from_the_registration_year_without_a_start_date(self):
        assert years.spend_in(spend(budget_sek=300_000, end_date=date(2026, 6, 30)), 2025, TODAY) == (
            100_000,
            SpendBasis.spread_evenly,
        )

    def test_no_budget_no_spend(self):
        assert years.spend_in(spend(), 2024, TODAY) == (None, None)
