"""`GET /api/v1/initiatives?facets=…&include_total=true`: counts per value under the current filters,
the same the web's list shows (`reads.facet_counts`)."""

from app.initiatives import reads
from app.initiatives.query import InitiativeQuery
from app.initiatives.schemas import InitiativePage
from tests.factories import make_initiative


def seed(session) -> None:
    make_initiative(
        session, owner="2281", status="pilot", category="welfare_technology", title="Fallsensorer i boendet"
    )
    make_initiative(session, owner="2281", status="in_operation", category="e_service", title="E-tjänst för bygglov")
    make_initiative(session, owner="1480", status="pilot", category="welfare_technology", title="Digital nattillsyn")


class TestFacets:
    def test_counts_each_value_under_the_other_filters(self, client, session):
        seed(session)
        response = client.get(
            "/api/v1/initiatives", params={"facets": "status,category,county,flag", "status": "pilot", "limit": 1}
        )
        assert response.status_code == 200
        body = response.json()
        assert len(body["items"]) == 1 and body["next"] is not None
        facets = body["facets"]
        # status ignores its own filter; the others count only pilots
        assert facets["status"] == {"pilot": 2, "in_operation": 1}
        assert facets["category"] == {"welfare_technology": 2}
        assert facets["county"] == {"22": 1, "14": 1}
        assert set(facets["flag"]) == {
            "no_benefit_realisation",
            "no_solution",
            "decoupled_from_strategy",
            "pilot_of_proven",
            "duplicate_of_proven",
        }
        assert "total" not in body
        InitiativePage.model_validate(body)

    def test_concepts_are_counted_by_id(self, client, session):
        seed(session)
        facets = client.get("/api/v1/initiatives", params={"facets": "concept"}).json()["facets"]
        web = {
            concept: reads.FACETS["concept"](session, InitiativeQuery(), ()).get(concept)
            for concept in facets["concept"]
        }
        assert facets["concept"] == web and facets["concept"]
        assert all(count >= 1 for count in facets["concept"].values())
        concept, count = next(iter(facets["concept"].items()))
        filtered = client.get("/api/v1/initiatives", params={"concept": concept, "include_total": "true"}).json()
        assert filtered["total"] == count and "facets" not in filtered

    def test_total_counts_past_the_page_and_repeated_parameters_work_too(self, client, session):
        seed(session)
        body = client.get(
            "/api/v1/initiatives",
            params=[("facets", "status"), ("facets", "category"), ("include_total", "true"), ("limit", "1")],
        ).json()
        assert body["total"] == 3 and set(body["facets"]) == {"status", "category"}

    def test_agrees_with_the_web_list(self, client, session):
        seed(session)
        query = InitiativeQuery(category=["welfare_technology"])
        web = reads.facet_counts(session, query)
        api = client.get(
            "/api/v1/initiatives",
            params={"category": "welfare_technology", "facets": "status,county,flag", "include_total": "true"},
        ).json()
        assert (api["facets"]["status"], api["facets"]["county"], api["facets"]["flag"], api["total"]) == (
            web.status,
            web.county,
            web.flag,
            web.total,
        )

    def test_an_unknown_facet_is_a_422_naming_it(self, client):
        response = client.get("/api/v1/initiatives", params={"facets": "status,owner"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [p["property"] for p in response.json()["invalid_parameters"]] == ["facets.1"]
