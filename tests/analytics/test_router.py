import uuid

import pytest

from app.analytics.kpis.indicators import KPI_KEYS
from app.analytics.overlaps import judgements
from app.analytics.overlaps.schemas import JudgementWrite, OverlapMatchList
from app.core.caller import ADMIN
from app.core.pagination import encode_cursor
from app.initiatives import service as initiative_service
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative

NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"
# Populations in the reference data (SCB, 31 December 2023).
SUNDSVALL, STOCKHOLM, TIMRA = 99_213, 988_943, 17_540


def make(session, title: str, owner: str, **overrides):
    fields = {"summary": None, "tags": ["nattillsyn"], **overrides}
    return make_initiative(session, title=title, owner=owner, **fields)


def assert_problem(response, status: int, problem_type: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == problem_type


class TestListInitiativeOverlaps:
    def test_other_organisations_initiatives_with_explanations(self, client, session):
        target = make(session, NIGHT, "2281")
        make(session, NIGHT_AGAIN, "0180")
        make(session, NIGHT_AGAIN, "2281")
        body = client.get(f"/api/v1/initiatives/{target.id}/overlaps").json()
        assert [item["initiative"]["owner"] for item in body["items"]] == ["0180"] and body["next"] is None
        item = body["items"][0]
        assert item["initiative"]["title"] == NIGHT_AGAIN and "flags" in item["initiative"]
        assert {"id": "digital-nattillsyn", "label": "digital nattillsyn"} in item["explanation"]["concepts"]
        assert {"word": "kamera", "other_word": "kamera"} in item["explanation"]["shared_words"]
        assert item["explanation"]["same_category"] is True and item["explanation"]["same_solution"] is False
        assert item["explanation"]["verdict"] is None and item["explanation"]["judgements"] == []

    def test_the_body_is_what_the_model_writes(self, client, session):
        # The route writes JSON from stored representations, not through `OverlapMatchList`.
        target = make(session, NIGHT, "2281", solution={"name": "Nattkamera"})
        twin = make(session, NIGHT_AGAIN, "0180", solution={"name": "Nattkamera"}, budget_sek=400_000)
        make(session, NIGHT, "1280")
        judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="same", note="Samma tjänst"), ADMIN)
        body = client.get(f"/api/v1/initiatives/{target.id}/overlaps").json()
        assert body == OverlapMatchList.model_validate(body).model_dump(mode="json")
        first = body["items"][0]
        assert first["initiative"]["id"] == str(twin.id) and first["explanation"]["same_solution"] is True
        assert [(j["judge"], j["verdict"], j["note"]) for j in first["explanation"]["judgements"]] == [
            ("admin", "same", "Samma tjänst")
        ]
        assert [item["initiative"]["owner"] for item in body["items"]] == ["0180", "1280"]

    def test_a_match_deleted_outright_since_it_was_indexed_is_left_out(self, app, client, session):
        # The demo's reset deletes initiatives; the index's tables follow a moment later.
        target = make(session, NIGHT, "2281")
        twin = make(session, NIGHT_AGAIN, "0180")
        other = make(session, NIGHT, "1280")
        assert len(client.get(f"/api/v1/initiatives/{target.id}/overlaps").json()["items"]) == 2
        app.state.index_before_requests = False
        initiative_service.mark_demo(session, [twin.id])
        assert initiative_service.delete_demo(session, [twin.id]) == 1
        response = client.get(f"/api/v1/initiatives/{target.id}/overlaps")
        assert response.status_code == 200, response.text
        assert [item["initiative"]["owner"] for item in response.json()["items"]] == ["1280"]
        page = client.get(f"/initiativ/{target.id}")
        assert page.status_code == 200 and f"/initiativ/{other.id}" in page.text
        assert f"/initiativ/{twin.id}" not in page.text

    def test_limit_and_min_score(self, client, session):
        target = make(session, NIGHT, "2281")
        same = make(session, NIGHT, "1280")
        for owner in ("0180", "1480", "0580"):
            make(session, NIGHT_AGAIN, owner)
        assert len(client.get(f"/api/v1/initiatives/{target.id}/overlaps", params={"limit": 2}).json()["items"]) == 2
        strict = client.get(f"/api/v1/initiatives/{target.id}/overlaps", params={"min_score": 1}).json()
        assert [item["initiative"]["id"] for item in strict["items"]] == [str(same.id)]

    def test_score_above_one_is_422(self, client, session):
        target = make(session, NIGHT, "2281")
        response = client.get(f"/api/v1/initiatives/{target.id}/overlaps", params={"min_score": 1.5})
        assert_problem(response, 422, "/problems/validation-failed")
        assert response.json()["invalid_parameters"][0]["property"] == "min_score"

    def test_unknown_initiative_is_404(self, client):
        assert_problem(client.get(f"/api/v1/initiatives/{uuid.uuid4()}/overlaps"), 404, "/problems/not-found")


class TestListOverlaps:
    def test_clusters_with_members_organisations_and_combined_budget(self, client, session):
        for owner in ("2281", "0180"):
            make(session, NIGHT, owner, budget_sek=500)
        body = client.get("/api/v1/overlaps").json()
        assert (body["total_count"], body["total_budget_sek"], body["next"]) == (1, 1000, None)
        cluster = body["items"][0]
        assert cluster["organisation_codes"] == ["0180", "2281"] and cluster["organisation_count"] == 2
        assert cluster["combined_budget_sek"] == 1000 and cluster["label"] == "Digital nattillsyn"
        assert cluster["concepts"][0] == {"id": "digital-nattillsyn", "label": "digital nattillsyn"}
        assert sorted(member["owner"] for member in cluster["members"]) == ["0180", "2281"]

    def test_min_organisations(self, client, session):
        for owner in ("2281", "0180"):
            make(session, NIGHT, owner)
        assert client.get("/api/v1/overlaps", params={"min_organisations": 3}).json()["items"] == []

    def test_county_and_category_filters(self, client, session):
        for owner in ("2281", "2262", "0180"):
            make(session, NIGHT, owner)
        body = client.get("/api/v1/overlaps", params={"county": "22", "category": "welfare_technology"}).json()
        assert [item["organisation_codes"] for item in body["items"]] == [["2262", "2281"]]

    def test_next_link_leads_to_the_rest(self, client, session):
        for title in (NIGHT, "Elektronisk signering av avtal"):
            make(session, title, "2281")
            make(session, title, "0180")
        first = client.get("/api/v1/overlaps", params={"limit": 1}).json()
        rest = client.get(first["next"]).json()
        assert len(first["items"]) == len(rest["items"]) == 1 and rest["next"] is None
        assert first["items"][0]["id"] != rest["items"][0]["id"]

    @pytest.mark.parametrize("values", [["x", "y"], [1.5, "y"], [1, 2]])
    def test_forged_cursor_is_422(self, client, values):
        assert_problem(
            client.get("/api/v1/overlaps", params={"cursor": encode_cursor(values)}), 422, "/problems/validation-failed"
        )

    def test_one_organisation_is_no_duplication(self, client):
        assert_problem(
            client.get("/api/v1/overlaps", params={"min_organisations": 1}), 422, "/problems/validation-failed"
        )


class TestFlags:
    def test_initiatives_carry_their_flags_with_explanations(self, client, session):
        initiative = make(session, NIGHT, "2281", status="planned")
        flags = client.get(f"/api/v1/initiatives/{initiative.id}").json()["flags"]
        assert [item["flag"] for item in flags] == ["no_benefit_realisation", "no_solution", "decoupled_from_strategy"]
        assert all(item["explanation"] and item["proven_initiative_id"] is None for item in flags)

    def test_pilot_of_proven_links_to_the_proven_initiative(self, client, session):
        pilot = make(
            session,
            NIGHT,
            "2281",
            status="pilot",
            strategy_refs=["Plan"],
            solution={"name": "Kamera"},
            has_benefit_realisation_plan=True,
        )
        proven = make(
            session,
            NIGHT_AGAIN,
            "0180",
            status="in_operation",
            realised_benefit_sek_per_year=100_000,
            strategy_refs=["Plan"],
            solution={"name": "Kamera"},
            has_benefit_realisation_plan=True,
        )
        items = client.get("/api/v1/initiatives", params={"flag": "pilot_of_proven"}).json()["items"]
        assert [item["id"] for item in items] == [str(pilot.id)]
        assert items[0]["flags"] == [
            {
                "flag": "pilot_of_proven",
                "explanation": items[0]["flags"][0]["explanation"],
                "proven_initiative_id": str(proven.id),
            }
        ]

    def test_filter_by_flags_any_of_them(self, client, session):
        planned = make(session, "Planerat", "2281", status="planned", strategy_refs=["Plan"])
        grounded = make(
            session,
            "Förankrat",
            "2281",
            status="planned",
            strategy_refs=["Plan"],
            has_benefit_realisation_plan=True,
            solution={"name": "System"},
        )
        idea = make(session, "Idé", "2281", status="idea", has_benefit_realisation_plan=True)
        make(session, "Nedlagt", "2281", status="discontinued")

        def titles(*flags):
            body = client.get("/api/v1/initiatives", params={"flag": list(flags), "organisation": "2281"}).json()
            return sorted(item["title"] for item in body["items"])

        assert titles("no_solution") == [planned.title]
        assert titles("decoupled_from_strategy") == [idea.title]
        assert titles("no_benefit_realisation", "decoupled_from_strategy") == sorted([planned.title, idea.title])
        assert grounded.title not in titles("no_benefit_realisation", "no_solution", "decoupled_from_strategy")

    def test_unknown_flag_is_422(self, client):
        assert_problem(client.get("/api/v1/initiatives", params={"flag": "pretty"}), 422, "/problems/validation-failed")

    def test_portfolio(self, client, session):
        make(session, NIGHT, "2281", status="planned", budget_sek=700)
        body = client.get("/api/v1/organisations/2281/portfolio").json()
        assert (body["initiative_count"], body["total_budget_sek"]) == (1, 700)
        assert body["flags"][0] == {"flag": "no_benefit_realisation", "count": 1, "budget_sek": 700}

    def test_portfolio_of_unknown_organisation_is_404(self, client):
        assert_problem(client.get("/api/v1/organisations/9999/portfolio"), 404, "/problems/not-found")


class TestScalingCandidates:
    def test_a_known_need_with_evidence_inputs_and_assumptions(self, client, session):
        proven = make(
            session,
            NIGHT_AGAIN,
            "0180",
            status="in_operation",
            realised_benefit_sek_per_year=1_200_000,
            benefit_evidence=[{"metric": "Nattbesök", "baseline": 10, "result": 5, "unit": "per natt"}],
        )
        own = make(session, NIGHT, "2281", status="pilot")
        body = client.get("/api/v1/organisations/2281/scaling-candidates").json()
        item = body["items"][0]
        assert item["initiative"]["id"] == str(proven.id) and body["next"] is None
        assert item["basis"] == "known_need" and item["evidence"]["own_initiative_id"] == str(own.id)
        assert item["cost"]["annual_sek"] == round(1_200_000 * SUNDSVALL / STOCKHOLM)
        assert item["cost"]["monthly_sek"] == round(1_200_000 * SUNDSVALL / STOCKHOLM / 12)
        assert item["inputs"] == {
            "realised_benefit_sek_per_year": 1_200_000,
            "owner_population": STOCKHOLM,
            "population": SUNDSVALL,
        }
        assert item["missing"] == [] and item["benefit_evidence"][0]["result"] == 5
        assert any("population" in assumption for assumption in item["assumptions"])

    def test_potential_candidates_only_when_asked(self, client, session):
        make(session, "Digital signering", "0180", status="in_operation", realised_benefit_sek_per_year=1_000, tags=[])
        make(session, "Något annat", "2281", status="idea", tags=[])  # Sundsvall reports to the registry
        url = "/api/v1/organisations/2281/scaling-candidates"
        assert client.get(url).json()["items"] == []
        potential = client.get(url, params={"basis": "potential"}).json()["items"]
        assert [item["basis"] for item in potential] == ["potential"]
        assert "does not know" in potential[0]["evidence"]["note"]

    def test_unknown_organisation_is_404(self, client):
        assert_problem(client.get("/api/v1/organisations/9999/scaling-candidates"), 404, "/problems/not-found")

    def test_pages_most_costly_first(self, client, session):
        make(session, "Något annat", "2281", status="idea", tags=[])
        for benefit in (100_000, 300_000, 200_000):
            make(
                session,
                f"Nytta {benefit}",
                "0180",
                status="in_operation",
                realised_benefit_sek_per_year=benefit,
                tags=[],
            )
        url = "/api/v1/organisations/2281/scaling-candidates"
        first = client.get(url, params={"limit": 2, "basis": "potential"}).json()
        rest = client.get(first["next"]).json()
        assert [item["initiative"]["title"] for item in first["items"] + rest["items"]] == [
            "Nytta 300000",
            "Nytta 200000",
            "Nytta 100000",
        ]
        assert rest["next"] is None

    def test_nationally_known_needs_first_with_potential_apart_and_the_coverage(self, client, session):
        make(session, NIGHT_AGAIN, "0180", status="in_operation", realised_benefit_sek_per_year=1_000_000)
        make(session, NIGHT, "2281", status="pilot")
        make(session, "Något annat", "2262", status="idea", tags=[])
        body = client.get("/api/v1/scaling-candidates").json()
        item = body["items"][0]
        assert (item["known_need_count"], item["potential_count"], item["organisations_without"]) == (1, 1, 2)
        assert item["known_need_cost"]["annual_sek"] == round(1_000_000 * SUNDSVALL / STOCKHOLM)
        assert item["potential_cost"]["annual_sek"] == round(1_000_000 * TIMRA / STOCKHOLM)
        assert body["coverage"] == {"reporting_organisations": 3, "organisations": 311}

    def test_unknown_filter_is_422(self, client):
        assert_problem(
            client.get("/api/v1/scaling-candidates", params={"colour": "red"}), 422, "/problems/validation-failed"
        )


class TestKpis:
    def test_the_seven_kpis_of_a_year_with_inputs_and_definitions(self, client, session):
        organisation_service.record_figures(
            session, "2281", 2025, FiguresWrite(datasets_held=4, datasets_used=1), ADMIN
        )
        body = client.get("/api/v1/organisations/2281/kpis").json()
        assert (body["level"], body["code"], body["year"]) == ("organisation", "2281", 2025)  # the latest year
        assert [value["key"] for value in body["kpis"]] == list(KPI_KEYS)
        utilisation = next(v for v in body["kpis"] if v["key"] == "data_utilisation")
        assert utilisation["value"] == 0.25 and utilisation["inputs"] == {"datasets_used": 1, "datasets_held": 4}
        assert all(value["definition"] and value["unit"] for value in body["kpis"])
        turnover = next(v for v in body["kpis"] if v["key"] == "kpi_turnover")
        assert turnover["value"] is None and turnover["missing_inputs"] == [
            "kpis_added",
            "kpis_retired",
            "kpi_set_size",
        ]

    def test_a_chosen_year(self, client, session):
        organisation_service.record_figures(
            session, "2281", 2025, FiguresWrite(datasets_held=4, datasets_used=1), ADMIN
        )
        body = client.get("/api/v1/organisations/2281/kpis", params={"year": 2024}).json()
        assert body["year"] == 2024 and next(v for v in body["kpis"] if v["key"] == "data_utilisation")["value"] is None

    def test_unknown_organisation_is_404(self, client):
        assert_problem(client.get("/api/v1/organisations/9999/kpis"), 404, "/problems/not-found")

    def test_county_and_national_aggregates(self, client, session):
        organisation_service.record_figures(
            session, "2281", 2025, FiguresWrite(datasets_held=4, datasets_used=1), ADMIN
        )
        organisation_service.record_figures(
            session, "2262", 2025, FiguresWrite(datasets_held=6, datasets_used=4), ADMIN
        )
        organisation_service.record_figures(
            session, "0180", 2025, FiguresWrite(datasets_held=10, datasets_used=0), ADMIN
        )
        county = client.get("/api/v1/kpis", params={"level": "county", "county": "22", "year": 2025}).json()["items"]
        assert [(report["level"], report["code"]) for report in county] == [("county", "22")]
        utilisation = next(v for v in county[0]["kpis"] if v["key"] == "data_utilisation")
        assert utilisation["value"] == 0.5 and utilisation["inputs"]["organisations_counted"] == 2
        national = client.get("/api/v1/kpis", params={"level": "national", "year": 2025}).json()["items"]
        assert [report["code"] for report in national] == ["SE"]
        assert next(v for v in national[0]["kpis"] if v["key"] == "data_utilisation")["value"] == 0.25

    def test_every_county_without_a_county_code(self, client):
        items = client.get("/api/v1/kpis", params={"level": "county", "year": 2023}).json()["items"]
        assert len(items) == 21 and items[0]["code"] == "01"

    @pytest.mark.parametrize("params", [{"level": "world"}, {}])
    def test_bad_level_is_422(self, client, params):
        assert_problem(client.get("/api/v1/kpis", params=params), 422, "/problems/validation-failed")

    def test_a_county_with_the_national_level_is_ignored(self, client):
        national = client.get("/api/v1/kpis", params={"level": "national", "year": 2023})
        assert client.get("/api/v1/kpis", params={"level": "national", "year": 2023, "county": "22"}).json() == (
            national.json()
        )
