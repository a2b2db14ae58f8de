from tests.factories import initiative_payload, make_key

URL = "/api/v1/sources/stratsys-sundsvall/initiatives/P-17"


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
