import uuid

from app.auth.models import ApiKey
from tests.factories import initiative_payload


class TestApiKeys:
    def test_admin_mints_a_key_that_writes_for_its_organisation(self, client, admin_headers):
        created = client.post("/api/v1/organisations/2281/api-keys", json={"label": "Stratsys"}, headers=admin_headers)
        assert created.status_code == 201
        secret = created.json()["secret"]
        response = client.post(
            "/api/v1/initiatives", json=initiative_payload(owner="2281"), headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 201

    def test_secret_is_shown_once_and_stored_hashed(self, client, admin_headers, session):
        created = client.post("/api/v1/organisations/2281/api-keys", json={}, headers=admin_headers).json()
        listed = client.get("/api/v1/organisations/2281/api-keys", headers=admin_headers).json()["items"]
        assert [k["id"] for k in listed] == [created["id"]] and "secret" not in listed[0]
        stored = session.get(ApiKey, uuid.UUID(created["id"]))
        assert created["secret"] not in stored.secret_hash

    def test_revoked_key_is_401(self, client, admin_headers):
        created = client.post("/api/v1/organisations/2281/api-keys", json={}, headers=admin_headers).json()
        revoked = client.delete(f"/api/v1/organisations/2281/api-keys/{created['id']}", headers=admin_headers)
        assert revoked.json()["revoked_at"] is not None
        response = client.post(
            "/api/v1/initiatives",
            json=initiative_payload(owner="2281"),
            headers={"Authorization": f"Bearer {created['secret']}"},
        )
        assert response.status_code == 401
        assert response.json()["detail"] == "The key is unknown or has been revoked."

    def test_organisation_key_cannot_mint_keys(self, client, admin_headers):
        secret = client.post("/api/v1/organisations/2281/api-keys", json={}, headers=admin_headers).json()["secret"]
        response = client.post(
            "/api/v1/organisations/2281/api-keys", json={}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 403
        assert response.json()["type"] == "/problems/forbidden"

    def test_unknown_bearer_is_401_with_challenge(self, client):
        response = client.post(
            "/api/v1/initiatives", json=initiative_payload(), headers={"Authorization": "Bearer reg_not-a-key"}
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
