import uuid

from tests.factories import initiative_payload, make_initiative, make_key


class TestCreate:
    def test_created_initiative_reads_back_with_location_and_etag(self, client, session):
        headers = make_key(session, "2281")
        response = client.post(
            "/api/v1/initiatives", json=initiative_payload(title="Fallsensorer i särskilt boende"), headers=headers
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["title"] == "Fallsensorer i särskilt boende"
        assert body["owner"] == "2281" and body["owner_name"] == "Sundsvall" and body["county_code"] == "22"
        assert response.headers["etag"] == '"1"'
        fetched = client.get(response.headers["location"])
        assert fetched.json() == body
        assert [h["status"] for h in body["status_history"]] == ["pilot"]

    def test_other_organisations_key_is_403(self, client, session):
        response = client.post(
            "/api/v1/initiatives", json=initiative_payload(owner="0180"), headers=make_key(session, "2281")
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/forbidden"

    def test_without_key_is_401(self, client):
        response = client.post("/api/v1/initiatives", json=initiative_payload())
        assert response.status_code == 401
        assert response.json()["type"] == "/problems/unauthorized"

    def test_unknown_owner_names_the_field(self, client, admin_headers):
        response = client.post("/api/v1/initiatives", json=initiative_payload(owner="9999"), headers=admin_headers)
        assert response.status_code == 422
        assert response.json()["invalid_parameters"] == [
            {"property": "owner", "reason": "unknown organisation code", "value": "9999"}
        ]

    def test_unknown_field_is_rejected_and_nothing_written(self, client, admin_headers):
        response = client.post("/api/v1/initiatives", json=initiative_payload(colour="grön"), headers=admin_headers)
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["property"] == "colour"
        assert client.get("/api/v1/initiatives").json()["items"] == []


class TestUpdate:
    def test_patch_with_current_etag_changes_fields_and_bumps_version(self, client, session):
        initiative = make_initiative(session)
        response = client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            json={"status": "in_operation"},
            headers={**make_key(session, "2281"), "If-Match": '"1"'},
        )
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 2
        assert [h["status"] for h in response.json()["status_history"]] == ["pilot", "in_operation"]
        assert response.headers["etag"] == '"2"'

    def test_stale_etag_is_412(self, client, session, admin_headers):
        initiative = make_initiative(session)
        client.patch(
            f"/api/v1/initiatives/{initiative.id}", json={"budget_sek": 5}, headers={**admin_headers, "If-Match": '"1"'}
        )
        response = client.patch(
            f"/api/v1/initiatives/{initiative.id}", json={"budget_sek": 6}, headers={**admin_headers, "If-Match": '"1"'}
        )
        assert response.status_code == 412
        assert client.get(f"/api/v1/initiatives/{initiative.id}").json()["budget_sek"] == 5

    def test_missing_if_match_is_428(self, client, session, admin_headers):
        initiative = make_initiative(session)
        response = client.patch(f"/api/v1/initiatives/{initiative.id}", json={"budget_sek": 5}, headers=admin_headers)
        assert response.status_code == 428
        assert response.json()["type"] == "/problems/precondition-required"


class TestArchive:
    def test_archived_initiative_leaves_default_list_but_stays_readable(self, client, session, admin_headers):
        initiative = make_initiative(session)
        response = client.delete(f"/api/v1/initiatives/{initiative.id}?reason=Ersatt", headers=admin_headers)
        assert response.status_code == 204
        assert client.get("/api/v1/initiatives").json()["items"] == []
        archived = client.get(f"/api/v1/initiatives/{initiative.id}").json()
        assert archived["is_archived"] is True and archived["archived_reason"] == "Ersatt"

    def test_unknown_id_is_404(self, client, admin_headers):
        response = client.delete(f"/api/v1/initiatives/{uuid.uuid4()}", headers=admin_headers)
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/not-found"


class TestBudgetByYear:
    def test_written_in_any_order_read_back_by_year_and_cleared_with_null(self, client, session, admin_headers):
        created = client.post(
            "/api/v1/initiatives",
            json=initiative_payload(budget_by_year={"2025": 800_000, "2024": 400_000}),
            headers=admin_headers,
        ).json()
        assert created["budget_by_year"] == {"2024": 400_000, "2025": 800_000}
        assert list(created["budget_by_year"]) == ["2024", "2025"]
        url = f"/api/v1/initiatives/{created['id']}"
        assert client.get(url).json()["budget_by_year"] == {"2024": 400_000, "2025": 800_000}
        cleared = client.patch(url, json={"budget_by_year": None}, headers={**admin_headers, "If-Match": '"1"'})
        assert cleared.json()["budget_by_year"] is None and cleared.json()["version"] == 2

    def test_same_years_sent_again_change_nothing(self, client, session, admin_headers):
        initiative = make_initiative(session, budget_by_year={2024: 1, 2025: 2})
        response = client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            json={"budget_by_year": {"2025": 2, "2024": 1}},
            headers={**admin_headers, "If-Match": '"1"'},
        )
        assert response.json()["version"] == 1

    def test_years_outside_2000_to_2100_and_negative_or_fractional_amounts_are_422(self, client, admin_headers):
        response = client.post(
            "/api/v1/initiatives",
            json=initiative_payload(budget_by_year={"1999": 1, "2024": -5, "2025": 1.5, "2101": 1}),
            headers=admin_headers,
        )
        assert response.status_code == 422
        assert sorted(p["property"] for p in response.json()["invalid_parameters"]) == [
            "budget_by_year.1999.[key]",
            "budget_by_year.2024",
            "budget_by_year.2025",
            "budget_by_year.2101.[key]",
        ]
        assert client.get("/api/v1/initiatives").json()["items"] == []

    def test_a_year_not_written_as_four_digits_is_422_not_merged(self, client, admin_headers):
        # "02025" would be read as 2025 and replace its amount without a word.
        response = client.post(
            "/api/v1/initiatives",
            json=initiative_payload(budget_by_year={"2025": 800_000, "02025": 1}),
            headers=admin_headers,
        )
        assert response.status_code == 422
        [problem] = response.json()["invalid_parameters"]
        assert problem["property"] == "budget_by_year.02025.[key]"
        assert problem["reason"] == 'a year is written as four digits, e.g. "2025"'
        assert client.get("/api/v1/initiatives").json()["items"] == []
