"""Hostile input is a 4xx problem naming what is wrong, never a 500 (issue 12), on both engines."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.caller import ADMIN
from app.core.pagination import encode_cursor
from app.initiatives import service as initiative_service
from tests.factories import initiative_payload, make_initiative, make_key

JSON = {"Content-Type": "application/json"}


def post_raw(client: TestClient, path: str, body: str, headers: dict[str, str]):
    """A body written by hand: an HTTP client refuses to encode NaN or a lone surrogate itself."""
    return client.post(path, content=body.encode(), headers={**headers, **JSON})


def refused(response, *properties: str) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/validation-failed"
    assert [parameter["property"] for parameter in body["invalid_parameters"]] == list(properties)
    return body["invalid_parameters"]


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("field", "value", "property"),
        [
            ("tags", ["natt\x00tillsyn"], "tags"),
            ("title", "Nattillsyn\x07 i hemtjänsten", "title"),
            ("summary", "Kort\x00", "summary"),
            ("description", "Lång text\x1b[31m", "description"),
            ("solution", {"name": "Kamera\x00"}, "solution.name"),
            ("strategy_refs", ["Strategi\nB"], "strategy_refs"),
        ],
    )
    def test_refused_with_the_field_named(self, client, admin_headers, field, value, property):
        response = client.post("/api/v1/initiatives", json=initiative_payload(**{field: value}), headers=admin_headers)
        [parameter] = refused(response, property)
        assert parameter["reason"].startswith("must not contain control characters such as U+")
        assert client.get("/api/v1/initiatives").json()["items"] == []

    def test_long_texts_keep_tabs_and_line_breaks(self, client, admin_headers):
        text = "Första stycket.\r\n\r\nAndra stycket:\n\t- en punkt"
        response = client.post(
            "/api/v1/initiatives",
            json=initiative_payload(description=text, summary="Rad 1\nRad 2"),
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        assert (response.json()["description"], response.json()["summary"]) == (text, "Rad 1\nRad 2")

    def test_adoption_notes_and_source_ids_are_checked_too(self, client, session, admin_headers):
        initiative = make_initiative(session, owner="2281")
        adoption = {"organisation": "0180", "status": "piloting", "note": "bra\x00"}
        response = client.post(f"/api/v1/initiatives/{initiative.id}/adoptions", json=adoption, headers=admin_headers)
        refused(response, "note")
        response = client.put(
            "/api/v1/sources/partner-x/initiatives/id%00x", json=initiative_payload(), headers=admin_headers
        )
        refused(response, "external_id")

    def test_query_parameters_are_checked(self, client):
        [parameter] = refused(client.get("/api/v1/initiatives", params={"tag": "a\x00"}), "tag")
        assert parameter["value"] == ["a\x00"]
        refused(client.get("/api/v1/organisations", params={"q": "Sundsvall\x00"}), "q")


class TestSurrogatesAndNumbers:
    def test_a_lone_surrogate_in_a_json_body_is_422(self, client, admin_headers):
        body = json.dumps(initiative_payload(title="Nattillsyn \ud800 hemtjänst"))  # ensure_ascii: \ud800 escaped
        [parameter] = refused(post_raw(client, "/api/v1/initiatives", body, admin_headers), "title")
        assert parameter["reason"] == "Input should be a valid string, unable to parse raw data as a unicode string"
        assert "value" not in parameter  # it cannot be written back as UTF-8

    def test_a_lone_surrogate_where_an_enum_is_expected_is_422(self, client, admin_headers):
        body = json.dumps(initiative_payload(category="\udc00"))
        [parameter] = refused(post_raw(client, "/api/v1/initiatives", body, admin_headers), "category")
        assert "value" not in parameter

    @pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
    def test_non_finite_numbers_in_benefit_evidence_are_422(self, client, admin_headers, number):
        payload = initiative_payload(benefit_evidence=[{"metric": "Besök per natt", "baseline": 0.0, "result": 2.0}])
        body = json.dumps(payload).replace('"result": 2.0', f'"result": {number}')
        [parameter] = refused(post_raw(client, "/api/v1/initiatives", body, admin_headers), "benefit_evidence.0.result")
        assert parameter["reason"] == "Input should be a finite number"
        assert client.get("/api/v1/initiatives").json()["items"] == []

    def test_non_finite_numbers_in_a_patch_are_422(self, client, session, admin_headers):
        initiative = make_initiative(session)
        response = client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            content=b'{"digital_share": NaN}',
            headers={**admin_headers, **JSON, "If-Match": '"1"'},
        )
        refused(response, "digital_share")


class TestUpdatedSince:
    def test_without_a_time_zone_it_means_utc(self, client, session):
        initiative = make_initiative(session)
        read = client.get(f"/api/v1/initiatives/{initiative.id}").json()
        updated_at = datetime.fromisoformat(read["updated_at"])
        naive_before = (updated_at - timedelta(seconds=1)).astimezone(UTC).replace(tzinfo=None).isoformat()
        naive_after = (updated_at + timedelta(seconds=1)).astimezone(UTC).replace(tzinfo=None).isoformat()
        assert [i["id"] for i in client.get(f"/api/v1/initiatives?updated_since={naive_before}").json()["items"]] == [
            str(initiative.id)
        ]
        assert client.get(f"/api/v1/initiatives?updated_since={naive_after}").json()["items"] == []

    def test_a_bare_date_is_its_midnight_in_utc(self, client, session):
        make_initiative(session)
        assert len(client.get("/api/v1/initiatives?updated_since=2025-01-01").json()["items"]) == 1
        assert client.get("/api/v1/initiatives?updated_since=2999-01-01").json()["items"] == []

    def test_the_openapi_document_says_so(self, client):
        parameters = client.get("/openapi.json").json()["paths"]["/api/v1/initiatives"]["get"]["parameters"]
        [updated_since] = [p for p in parameters if p["name"] == "updated_since"]
        assert "without a time zone it is UTC" in updated_since["description"]


NOW = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
ID = "6f1c3c1e-8a53-4b8e-9f61-1d2a4b9c0e77"
FORGED_CURSORS = {
    "a number for the title": encode_cursor([NOW, False, 5, ID]),
    "an id that is no uuid": encode_cursor([NOW, False, "Titel", "x"]),
    "a moment without a time zone": encode_cursor(["2026-01-01T00:00:00", False, "Titel", ID]),
    "a catch-up position without a time zone": encode_cursor([NOW, True, "2026-01-01T00:00:00", ID]),
    "a flag that is no boolean": encode_cursor([NOW, "yes", "Titel", ID]),
    "the old two-value shape": encode_cursor(["Titel", ID]),
    "not base64 at all": "!!",
}


class TestForgedCursors:
    @pytest.mark.parametrize("cursor", FORGED_CURSORS.values(), ids=FORGED_CURSORS.keys())
    def test_the_api_answers_a_422_naming_the_cursor(self, client, session, cursor):
        make_initiative(session)
        response = client.get("/api/v1/initiatives", params={"sort": "title", "cursor": cursor})
        [parameter] = refused(response, "cursor")
        assert parameter["reason"] in {"malformed cursor", "String should match pattern '^[A-Za-z0-9_-]+$'"}

    @pytest.mark.parametrize("cursor", FORGED_CURSORS.values(), ids=FORGED_CURSORS.keys())
    def test_the_web_list_answers_a_swedish_page(self, client, session, cursor):
        make_initiative(session)
        response = client.get("/initiativ", params={"sort": "title", "cursor": cursor})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        assert (
            "Länken till sidan fungerar inte" in response.text and "Börja om från listans första sida" in response.text
        )

    def test_import_runs_refuse_a_moment_without_a_time_zone(self, client):
        response = client.get("/api/v1/imports", params={"cursor": encode_cursor(["2026-01-01T00:00:00", ID])})
        refused(response, "cursor")


class TestMethods:
    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("TRACE", "/api/v1/initiatives", "GET, POST"),
            ("PUT", "/api/v1/initiatives", "GET, POST"),
            ("TRACE", f"/api/v1/initiatives/{ID}", "DELETE, GET, PATCH"),
            ("POST", "/api/v1/organisations/2281/api-keys/x", "DELETE"),
            ("TRACE", "/api/v1/organisations/2281/api-keys", "GET, POST"),
            ("TRACE", "/health", "GET"),
        ],
    )
    def test_405_names_every_allowed_method(self, client, method, path, allowed):
        response = client.request(method, path)
        assert response.status_code == 405
        assert response.headers["allow"] == allowed
        assert response.json()["type"] == "/problems/method-not-allowed"


class TestKeyBeforeResource:
    @pytest.mark.parametrize("method", ["DELETE", "PATCH"])
    def test_an_unknown_adoption_without_a_key_is_401(self, client, session, method):
        initiative = make_initiative(session)
        response = client.request(method, f"/api/v1/initiatives/{initiative.id}/adoptions/{ID}", json={})
        assert response.status_code == 401
        assert response.json()["type"] == "/problems/unauthorized"


class TestArchivedInitiatives:
    def archived(self, session: Session):
        initiative = make_initiative(session, owner="2281")
        initiative_service.archive(session, initiative.id, "Avslutat", ADMIN)
        return initiative

    def test_an_edit_is_409_and_changes_nothing(self, client, session, admin_headers):
        initiative = self.archived(session)
        version = client.get(f"/api/v1/initiatives/{initiative.id}").headers["etag"]
        response = client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            json={"budget_sek": 1},
            headers={**admin_headers, "If-Match": version},
        )
        assert response.status_code == 409
        assert response.json() == {
            "type": "/problems/initiative-archived",
            "title": "The initiative is archived",
            "status": 409,
            "detail": f"The initiative {initiative.id} is archived: it stays readable but cannot be edited.",
            "instance": f"/api/v1/initiatives/{initiative.id}",
        }
        assert client.get(f"/api/v1/initiatives/{initiative.id}").json()["budget_sek"] == 1_200_000

    def test_an_adoption_is_409(self, client, session):
        initiative = self.archived(session)
        response = client.post(
            f"/api/v1/initiatives/{initiative.id}/adoptions",
            json={"organisation": "0180", "status": "piloting"},
            headers=make_key(session, "0180"),
        )
        assert response.status_code == 409
        assert response.json()["type"] == "/problems/initiative-archived"
        assert response.json()["detail"] == f"The initiative {initiative.id} is archived: it can no longer be adopted."
        assert client.get(f"/api/v1/initiatives/{initiative.id}/adoptions").json()["items"] == []
