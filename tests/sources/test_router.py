import pytest

from app.sources import service as source_service
from app.sources.schemas import SourceCreate
from tests.factories import initiative_payload, make_key

URL = "/api/v1/sources/stratsys-sundsvall/initiatives/P-17"


@pytest.fixture(autouse=True)
def sundsvalls_source(session):
    """Sundsvall's partner system, registered to Sundsvall (2281)."""
    source_service.register(session, SourceCreate(name="stratsys-sundsvall", owner="2281"))


def assert_problem(response, status: int, type_: str, title: str, detail: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["title"], body["detail"]) == (type_, title, detail)


class TestUpsert:
    def test_same_body_twice_is_one_record_at_one_version(self, client, session):
        headers = make_key(session, "2281")
        body = initiative_payload(title="Digital signering av avtal", tags=["E-underskrift", "avtal"])
        first = client.put(URL, json=body, headers=headers)
        second = client.put(URL, json=body, headers=headers)
        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json()["id"] == first.json()["id"] and second.json()["version"] == 1
        assert second.json()["source"] == "stratsys-sundsvall" and second.json()["external_id"] == "P-17"
        feed = client.get("/api/v1/changes").json()["items"]
        assert [c["action"] for c in feed] == ["create"]

    def test_changed_body_updates_and_bumps_version(self, client, session):
        headers = make_key(session, "2281")
        client.put(URL, json=initiative_payload(title="Digital signering"), headers=headers)
        updated = client.put(
            URL, json=initiative_payload(title="Digital signering", status="in_operation"), headers=headers
        )
        assert updated.json()["version"] == 2 and updated.json()["status"] == "in_operation"

    def test_field_edited_in_the_registry_survives_the_next_sync(self, client, session, admin_headers):
        headers = make_key(session, "2281")
        created = client.put(URL, json=initiative_payload(title="Digital signering", budget_sek=100), headers=headers)
        client.patch(
            f"/api/v1/initiatives/{created.json()['id']}",
            json={"budget_sek": 900},
            headers={**admin_headers, "If-Match": '"1"'},
        )
        synced = client.put(
            URL, json=initiative_payload(title="Digital signering", budget_sek=200, status="scaled"), headers=headers
        )
        assert synced.json()["budget_sek"] == 900 and synced.json()["status"] == "scaled"

    def test_reserved_source_name_is_422(self, client, admin_headers):
        response = client.put(
            "/api/v1/sources/registry/initiatives/1", json=initiative_payload(), headers=admin_headers
        )
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["property"] == "source"


class TestNamespaces:
    def test_another_organisations_key_is_403_and_writes_nothing(self, client, session):
        response = client.put(URL, json=initiative_payload(owner="0114"), headers=make_key(session, "0114"))
        assert_problem(
            response,
            403,
            "/problems/source-owned-by-another",
            "This source belongs to another organisation",
            "The source 'stratsys-sundsvall' belongs to 2281; this key belongs to 0114.",
        )
        assert client.get("/api/v1/initiatives").json()["items"] == []

    def test_the_rightful_owner_is_not_locked_out_by_an_earlier_attempt(self, client, session):
        client.put(URL, json=initiative_payload(owner="0114"), headers=make_key(session, "0114"))
        response = client.put(URL, json=initiative_payload(), headers=make_key(session, "2281"))
        assert response.status_code == 201 and response.json()["owner"] == "2281"

    @pytest.mark.parametrize("source", ["pios", "uttc", "kolada", "file-0114", "file-portfolj-2025"])
    def test_import_only_sources_are_403_for_every_key(self, source, client, session, admin_headers):
        for headers in (make_key(session, "0114"), admin_headers):
            response = client.put(
                f"/api/v1/sources/{source}/initiatives/1", json=initiative_payload(owner="0114"), headers=headers
            )
            assert_problem(
                response,
                403,
                "/problems/import-only-source",
                "Only the registry's importers write to this source",
                f"{source!r} is written by the registry's importers only, never through the partner API.",
            )

    def test_an_unregistered_source_is_404(self, client, session):
        response = client.put(
            "/api/v1/sources/stratsys-0114/initiatives/1",
            json=initiative_payload(owner="0114"),
            headers=make_key(session, "0114"),
        )
        assert_problem(
            response,
            404,
            "/problems/not-found",
            "No such resource",
            "No source named 'stratsys-0114' is registered; the registry's admin registers it for its owner "
            "(POST /api/v1/sources or `registry create-source`).",
        )


class TestRegister:
    def test_admin_registers_a_source_that_is_then_listed(self, client, admin_headers):
        body = {"name": "stratsys-0114", "owner": "0114", "description": "Upplands Väsbys portfölj"}
        response = client.post("/api/v1/sources", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        assert response.headers["location"].endswith("/api/v1/sources/stratsys-0114")
        assert {k: v for k, v in response.json().items() if k != "created_at"} == body
        listed = client.get("/api/v1/sources").json()
        assert [(s["name"], s["owner"]) for s in listed["items"]] == [
            ("stratsys-0114", "0114"),
            ("stratsys-sundsvall", "2281"),
        ]
        assert client.get("/api/v1/sources/stratsys-0114").json()["owner"] == "0114"

    def test_an_organisation_key_may_not_register(self, client, session):
        response = client.post(
            "/api/v1/sources", json={"name": "stratsys-0114", "owner": "0114"}, headers=make_key(session, "0114")
        )
        assert response.status_code == 403 and response.json()["type"] == "/problems/forbidden"

    @pytest.mark.parametrize("name", ["registry", "pios", "uttc", "kolada", "file-0114"])
    def test_the_registrys_and_importers_names_are_422(self, name, client, admin_headers):
        response = client.post("/api/v1/sources", json={"name": name, "owner": "0114"}, headers=admin_headers)
        assert response.status_code == 422
        assert response.json()["invalid_parameters"] == [{"property": "name", "reason": "reserved", "value": name}]

    def test_a_registered_name_is_409(self, client, admin_headers):
        response = client.post(
            "/api/v1/sources", json={"name": "stratsys-sundsvall", "owner": "0114"}, headers=admin_headers
        )
        assert response.status_code == 409
        assert response.json()["detail"] == "The source 'stratsys-sundsvall' is already registered."

    def test_an_unknown_owner_is_422(self, client, admin_headers):
        response = client.post("/api/v1/sources", json={"name": "stratsys-x", "owner": "9999"}, headers=admin_headers)
        assert response.status_code == 422 and response.json()["invalid_parameters"][0]["property"] == "owner"
