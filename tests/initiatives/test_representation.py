"""The API writes initiative reads from plain values, not through `InitiativeRead`: they must be
exactly what the model would write, and never older than the last write."""

import httpx
from fastapi.testclient import TestClient

from app.initiatives.schemas import InitiativeRead
from app.main import create_app
from tests.factories import initiative_payload, make_initiative, make_key


def full_payload() -> dict:
    return initiative_payload(
        owner="2281",
        status="in_operation",
        status_date="2025-09-01",
        start_date="2024-01-15",
        end_date="2026-12-31",
        digital_share=0.75,
        expected_benefit_sek_per_year=900_000,
        realised_benefit_sek_per_year=450_000,
        has_benefit_realisation_plan=True,
        participants=[
            {"organisation": "2262", "role": "partner", "contribution_sek": 200_000, "steering_seats": 1},
            {"organisation": "22", "role": "funder"},
        ],
        benefit_evidence=[
            {
                "metric": "Nattliga besök",
                "baseline": 12,
                "result": 3.5,
                "unit": "besök/natt",
                "period": "2025",
                "source_url": "https://sundsvall.se/nyttor",
            }
        ],
        strategy_refs=["Digitaliseringsstrategi 2024–2027"],
        solution={"name": "Nattkamera", "vendor": "Leverantör AB", "url": "https://example.se/produkt"},
        links=[{"title": "Beslut", "url": "https://sundsvall.se/beslut"}],
        contact={"name": "Åsa Öberg", "email": "asa.oberg@sundsvall.se"},
    )


def as_model_writes_it(body: dict) -> dict:
    return InitiativeRead.model_validate(body).model_dump(mode="json")


class TestSameAsTheModel:
    def test_one_initiative_with_every_field_set(self, client, admin_headers):
        created = client.post("/api/v1/initiatives", json=full_payload(), headers=admin_headers).json()
        client.post(
            f"/api/v1/initiatives/{created['id']}/adoptions",
            json={"organisation": "0180", "status": "in_operation"},
            headers=admin_headers,
        )
        body = client.get(f"/api/v1/initiatives/{created['id']}").json()
        assert body == as_model_writes_it(body)
        assert body["adoption_counts"] == {"considering": 0, "piloting": 0, "in_operation": 1, "abandoned": 0}
        assert [p["organisation"] for p in body["participants"]] == ["22", "2262"]
        assert body["benefit_evidence"][0]["source_url"] == "https://sundsvall.se/nyttor"
        assert body["owner_name"] == "Sundsvall" and body["county_code"] == "22"

    def test_a_page_with_flags(self, client, session):
        make_initiative(session, status="implementation")  # no solution, no strategy, no benefit plan
        make_initiative(session, **{k: v for k, v in full_payload().items() if k != "title"})
        items = client.get("/api/v1/initiatives").json()["items"]
        assert len(items) == 2
        assert [as_model_writes_it(item) for item in items] == items
        assert [f["flag"] for f in items[1]["flags"]] == [
            "no_benefit_realisation",
            "no_solution",
            "decoupled_from_strategy",
        ]
        assert items[0]["flags"] == []


class TestNeverStale:
    def test_a_read_after_a_write_shows_the_write(self, client, session):
        initiative = make_initiative(session, title="Nattillsyn med kamera")
        headers = {**make_key(session, "2281"), "If-Match": '"1"'}
        before_list = client.get("/api/v1/initiatives", params={"status": "pilot"}).json()
        before_one = client.get(f"/api/v1/initiatives/{initiative.id}")
        client.patch(f"/api/v1/initiatives/{initiative.id}", json={"title": "Nattillsyn på distans"}, headers=headers)
        after_list = client.get("/api/v1/initiatives", params={"status": "pilot"}).json()
        after_one = client.get(f"/api/v1/initiatives/{initiative.id}")
        assert [i["title"] for i in before_list["items"]] == ["Nattillsyn med kamera"]
        assert [i["title"] for i in after_list["items"]] == ["Nattillsyn på distans"]
        assert (before_one.headers["etag"], after_one.headers["etag"]) == ('"1"', '"2"')
        assert after_one.json()["title"] == "Nattillsyn på distans"

    def test_an_adoption_shows_in_the_adopted_initiatives_reads(self, client, session):
        initiative = make_initiative(session)
        url = "/api/v1/organisations/2281/initiatives"
        assert client.get(url).json()["items"][0]["adoption_counts"]["piloting"] == 0
        client.post(
            f"/api/v1/initiatives/{initiative.id}/adoptions",
            json={"organisation": "0180", "status": "piloting"},
            headers=make_key(session, "0180"),
        )
        assert client.get(url).json()["items"][0]["adoption_counts"]["piloting"] == 1

    def test_an_unknown_id_is_a_problem_every_time(self, client):
        url = "/api/v1/initiatives/00000000-0000-4000-8000-000000000000"
        responses = [client.get(url) for _ in range(2)]
        assert [r.headers["content-type"] for r in responses] == ["application/problem+json"] * 2
        assert responses[1].json()["status"] == 404


class TestNeverStaleAcrossWorkers:
    """Two workers with their own read caches over one committed database: a live server, and
    a second app on the same database."""

    def test_a_cached_read_in_one_worker_shows_a_write_through_another(self, live_server, settings, committed):
        admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
        created = httpx.post(
            f"{live_server}/api/v1/initiatives", json=initiative_payload(title="Nattillsyn med kamera"), headers=admin
        ).json()
        second = create_app(settings)
        with TestClient(second) as other_worker:
            url = "/api/v1/initiatives?status=pilot"
            first_read = other_worker.get(url)
            assert second.state.read_cache.knows(f"http://testserver{url}")
            assert other_worker.get(url).content == first_read.content
            httpx.patch(
                f"{live_server}/api/v1/initiatives/{created['id']}",
                json={"title": "Nattillsyn på distans"},
                headers={**admin, "If-Match": '"1"'},
            )
            after = other_worker.get(url).json()
            one = other_worker.get(f"/api/v1/initiatives/{created['id']}")
        assert [i["title"] for i in first_read.json()["items"]] == ["Nattillsyn med kamera"]
        assert [i["title"] for i in after["items"]] == ["Nattillsyn på distans"]
        assert (one.json()["title"], one.headers["etag"]) == ("Nattillsyn på distans", '"2"')
