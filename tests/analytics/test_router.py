import uuid

import pytest

from app.analytics.kpis import KPI_KEYS
from app.core.pagination import encode_cursor
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative

NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"


def make(session, title: str, owner: str, **overrides):
    fields = {"summary": None, "tags": ["nattillsyn"], **overrides}
    return make_initiative(session, title=title, owner=owner, **fields)


def assert_problem(response, status: int, problem_type: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == problem_type


class TestListOverlaps:
    def test_pairs_with_briefs_and_a_working_next_link(self, client, session):
        for owner in ("2281", "0180", "1480"):
            make(session, NIGHT, owner)
        first = client.get("/api/v1/overlaps", params={"limit": 2})
        assert first.status_code == 200, first.text
        body = first.json()
        assert len(body["items"]) == 2 and body["items"][0]["score"] == 1.0
        owners = {brief["owner_name"] for brief in body["items"][0]["initiatives"]}
        assert owners <= {"Sundsvall", "Stockholm", "Göteborg"} and len(owners) == 2
        rest = client.get(body["next"]).json()
        assert len(rest["items"]) == 1 and rest["next"] is None
        pairs = [tuple(b["id"] for b in item["initiatives"]) for item in body["items"] + rest["items"]]
        assert len(set(pairs)) == 3

    def test_score_below_the_floor_is_422(self, client):
        response = client.get("/api/v1/overlaps", params={"min_score": 0.05})
        assert_problem(response, 422, "/problems/validation-failed")
        assert response.json()["invalid_parameters"][0]["property"] == "min_score"

    def test_forged_cursor_is_422(self, client):
        assert_problem(client.get("/api/v1/overlaps", params={"cursor": "bm90LWEtY3Vyc29y"}), 422,
                       "/problems/validation-failed")


class TestListInitiativeOverlaps:
    def test_other_organisations_alike_initiatives(self, client, session):
        target = make(session, NIGHT, "2281")
        make(session, NIGHT_AGAIN, "0180")
        body = client.get(f"/api/v1/initiatives/{target.id}/overlaps").json()
        assert [item["initiative"]["owner"] for item in body["items"]] == ["0180"]
        assert body["items"][0]["shared_tags"] == ["nattillsyn"] and body["next"] is None

    def test_unknown_initiative_is_404(self, client):
        assert_problem(client.get(f"/api/v1/initiatives/{uuid.uuid4()}/overlaps"), 404, "/problems/not-found")


class TestListDuplicationClusters:
    def test_groups_with_totals(self, client, session):
        for owner in ("2281", "0180"):
            make(session, NIGHT, owner, budget_sek=500)
        body = client.get("/api/v1/duplication-clusters").json()
        assert (body["total_count"], body["total_budget_sek"], body["next"]) == (1, 1000, None)
        assert body["items"][0]["organisation_count"] == 2 and "nattillsyn" in body["items"][0]["label_terms"]

    def test_next_link_leads_to_the_rest(self, client, session):
        for title in (NIGHT, "Elektronisk signering av avtal"):
            make(session, title, "2281")
            make(session, title, "0180")
        first = client.get("/api/v1/duplication-clusters", params={"limit": 1}).json()
        rest = client.get(first["next"]).json()
        assert len(first["items"]) == len(rest["items"]) == 1 and rest["next"] is None
        assert first["items"][0]["id"] != rest["items"][0]["id"]


    @pytest.mark.parametrize("path", ["/api/v1/duplication-clusters", "/api/v1/scaling-candidates"])
    @pytest.mark.parametrize("values", [["x", "y"], [1.5, "y"], [1, 2]])
    def test_forged_cursor_is_422(self, client, path, values):
        assert_problem(client.get(path, params={"cursor": encode_cursor(values)}), 422, "/problems/validation-failed")


class TestFlags:
    def test_initiative_flags_with_explanations(self, client, session):
        initiative = make(session, NIGHT, "2281", status="planned")
        items = client.get(f"/api/v1/initiatives/{initiative.id}/flags").json()["items"]
        assert [item["flag"] for item in items] == ["no_benefit_realisation", "no_solution", "decoupled_from_strategy"]
        assert all(item["explanation"] and item["proven_initiative_id"] is None for item in items)

    def test_unknown_initiative_is_404(self, client):
        assert_problem(client.get(f"/api/v1/initiatives/{uuid.uuid4()}/flags"), 404, "/problems/not-found")

    def test_portfolio(self, client, session):
        make(session, NIGHT, "2281", status="planned", budget_sek=700)
        body = client.get("/api/v1/organisations/2281/portfolio").json()
        assert (body["initiative_count"], body["total_budget_sek"]) == (1, 700)
        assert body["flags"][0] == {"flag": "no_benefit_realisation", "count": 1, "budget_sek": 700}

    def test_portfolio_of_unknown_organisation_is_404(self, client):
        assert_problem(client.get("/api/v1/organisations/9999/portfolio"), 404, "/problems/not-found")


class TestListScalingCandidates:
    def test_candidates_for_an_organisation_with_their_monthly_cost(self, client, session):
        make(session, "Digital signering", "0180", status="in_operation", realised_benefit_sek_per_year=1_200_000)
        body = client.get("/api/v1/scaling-candidates", params={"for_organisation": "2281"}).json()
        item = body["items"][0]
        assert item["initiative"]["title"] == "Digital signering" and item["lacking_count"] == 1
        assert item["monthly_opportunity_cost_sek"] == round(item["estimated_annual_benefit_sek"] / 12)

    def test_unknown_organisation_is_422(self, client):
        response = client.get("/api/v1/scaling-candidates", params={"for_organisation": "9999"})
        assert_problem(response, 422, "/problems/validation-failed")
        assert response.json()["invalid_parameters"][0]["property"] == "for_organisation"

    def test_unknown_filter_is_422(self, client):
        assert_problem(client.get("/api/v1/scaling-candidates", params={"colour": "red"}), 422,
                       "/problems/validation-failed")


class TestKpis:
    def test_yearly_reports_of_the_seven_kpis(self, client, session):
        organisation_service.record_figures(session, "2281", 2025, FiguresWrite(datasets_held=4, datasets_used=1))
        body = client.get("/api/v1/organisations/2281/kpis").json()
        assert [report["year"] for report in body["items"]] == [2023, 2025]
        latest = body["items"][-1]["kpis"]
        assert [value["key"] for value in latest] == list(KPI_KEYS)
        assert next(v for v in latest if v["key"] == "data_utilisation")["value"] == 0.25

    def test_unknown_organisation_is_404(self, client):
        assert_problem(client.get("/api/v1/organisations/9999/kpis"), 404, "/problems/not-found")

    def test_definitions_name_every_kpi_with_its_formula(self, client):
        items = client.get("/api/v1/kpi-definitions").json()["items"]
        assert [item["key"] for item in items] == list(KPI_KEYS)
        assert all(item["formula"] and item["unit"] for item in items)
