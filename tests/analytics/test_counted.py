"""Archived and withdrawn initiatives count in no figure, yet stay readable and in the feed."""

from datetime import date

import pytest

from app.analytics.clusters import service as cluster_service
from app.analytics.clusters.schemas import ClusterQuery
from app.analytics.context import AnalyticsContext
from app.analytics.flags import service as flag_service
from app.analytics.kpis import service as kpi_service
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import CandidateQuery, NationalCandidateQuery
from app.changes import service as change_service
from app.core.caller import ADMIN, IMPORTER
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.query import InitiativeQuery
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative
from tests.web.html import main_text

NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"
YEAR = date.today().year


def make(session, title: str, owner: str, **overrides):
    fields = {"summary": None, "tags": [], "budget_sek": None, **overrides}
    return make_initiative(session, title=title, owner=owner, **fields)


def archive(session, initiative) -> None:
    initiative_service.archive(session, initiative.id, "Fel registrerat", ADMIN)


def withdraw(session, initiative) -> None:
    initiative_service.withdraw(session, [initiative.id], IMPORTER)


SET_ASIDE = {"archived": archive, "withdrawn": withdraw}


@pytest.fixture(params=sorted(SET_ASIDE))
def set_aside(request):
    """Each test runs once with the initiative archived and once with it withdrawn at its source."""
    return SET_ASIDE[request.param]


def context(session) -> AnalyticsContext:
    return AnalyticsContext(session)


class TestOrganisationFigures:
    def test_development_spend_and_portfolio_leave_it_out(self, session, set_aside):
        organisation_service.record_figures(session, "2281", YEAR, FiguresWrite(total_turnover_sek=100_000), ADMIN)
        make(session, "Kvar", "2281", budget_sek=1_000, start_date=date(YEAR, 1, 1))
        set_aside(session, make(session, "Undantaget", "2281", budget_sek=50_000, start_date=date(YEAR, 1, 1)))
        profile = context(session).organisations.profiles["2281"]
        report = kpi_service.kpis_for(context(session), profile, YEAR, date.today())
        intensity = next(value for value in report.kpis if value.key == "development_intensity")
        assert intensity.inputs == {
            "development_spend_sek": 1_000,
            "total_turnover_sek": 100_000,
            "spend_basis_budget_by_year": 0,
            "spend_basis_spread_evenly": 1,
        }
        assert intensity.value == 0.01
        portfolio = flag_service.portfolio(context(session), profile)
        assert (portfolio.initiative_count, portfolio.total_budget_sek) == (1, 1_000)

    def test_its_entry_into_operation_is_no_new_service(self, session, set_aside):
        organisation_service.record_figures(session, "2281", YEAR, FiguresWrite(kpi_set_size=1), ADMIN)
        make(session, "I drift", "2281", status="in_operation", status_date=date(YEAR, 1, 2), digital_share=0.5)
        set_aside(
            session,
            make(session, "Undantaget", "2281", status="in_operation", status_date=date(YEAR, 1, 3), digital_share=0.5),
        )
        profile = context(session).organisations.profiles["2281"]
        report = kpi_service.kpis_for(context(session), profile, YEAR, date(YEAR, 12, 31))
        productivity = next(value for value in report.kpis if value.key == "productivity")
        assert productivity.inputs == {
            "digital_services_put_into_operation": 1,
            "months": 12,
            "services_without_digital_share": 0,
        }


class TestClusters:
    def test_a_set_aside_duplicate_is_no_member_and_adds_no_budget(self, session, index, set_aside):
        make(session, NIGHT, "2281", budget_sek=100)
        make(session, NIGHT_AGAIN, "0180", budget_sek=200)
        set_aside(session, make(session, NIGHT, "1480", budget_sek=10_000))
        index()
        page = cluster_service.list_clusters(context(session), ClusterQuery())
        assert [sorted(member.owner for member in item.members) for item in page.items] == [["0180", "2281"]]
        assert (page.total_count, page.total_budget_sek) == (1, 300)


class TestScalingCandidates:
    def test_a_set_aside_proven_initiative_has_no_candidates(self, session, index, set_aside):
        set_aside(
            session, make(session, NIGHT_AGAIN, "0180", status="in_operation", realised_benefit_sek_per_year=10**6)
        )
        make(session, NIGHT, "2281", status="pilot")
        index()
        assert scaling_service.national_candidates(context(session), NationalCandidateQuery()) == []

    def test_a_set_aside_own_initiative_is_no_known_need(self, session, index, set_aside):
        make(session, NIGHT_AGAIN, "0180", status="in_operation", realised_benefit_sek_per_year=10**6)
        set_aside(session, make(session, NIGHT, "2281", status="pilot"))
        index()
        profile = context(session).organisations.profiles["2281"]
        found, _ = scaling_service.candidates_for(context(session), profile, CandidateQuery(basis="known_need"))
        assert found == []


class TestHomePage:
    def test_totals_leave_it_out(self, client, session, set_aside):
        make(session, "Räknas", "2281", status="pilot")
        set_aside(session, make(session, "Räknas inte", "1480", status="planned"))
        facets = initiative_reads.facet_counts(session, InitiativeQuery(), counted_only=True)
        assert (facets.total, facets.status, [code for code, _name, _n in facets.organisation]) == (
            1,
            {"pilot": 1},
            ["2281"],
        )
        assert "1 initiativ från 1 organisationer i registret" in main_text(client.get("/").text)
        assert initiative_reads.owned_counts(session) == {"2281": 1}


class TestStillReadable:
    def test_it_reads_by_id_and_its_change_is_in_the_feed(self, client, session, set_aside):
        row = make(session, "Undantaget", "2281")
        set_aside(session, row)
        body = client.get(f"/api/v1/initiatives/{row.id}").json()
        assert body["is_archived"] or body["is_withdrawn_at_source"]
        assert [change.version for change in change_service.history(session, row.id)] == [1, 2]
