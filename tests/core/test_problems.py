"""Every error is RFC 9457 problem+json with a stable type; bad input writes nothing."""

import json

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from app.core.problems import PROBLEM_CLASSES, Problem
from app.core.settings import Settings
from app.main import create_app
from tests.factories import initiative_payload

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int, type_: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == type_ and body["status"] == status and body["title"]
    assert set(body) <= PROBLEM_FIELDS | {"invalid_parameters"}
    return body


class TestProblemClasses:
    @pytest.mark.parametrize("problem_class", PROBLEM_CLASSES, ids=lambda cls: cls.slug)
    def test_each_class_renders_its_documented_type(self, problem_class: type[Problem], client):
        document = problem_class("Något gick fel.").document("/x")
        assert document.type == f"/problems/{problem_class.slug}" and document.status == problem_class.status
        described = client.get(f"/problems/{problem_class.slug}").json()
        assert described == {"type": document.type, "status": problem_class.status, "title": problem_class.title}


class TestBadInput:
    def test_malformed_json_is_422_and_names_the_body(self, client, admin_headers):
        response = client.post(
            "/api/v1/initiatives",
            content=b'{"title": "Halv',
            headers={**admin_headers, "Content-Type": "application/json"},
        )
        body = assert_problem(response, 422, "/problems/validation-failed")
        assert body["invalid_parameters"][0]["reason"].startswith("JSON decode error")

    def test_wrong_content_type_is_415(self, client, admin_headers):
        response = client.post(
            "/api/v1/initiatives",
            content=json.dumps(initiative_payload()),
            headers={**admin_headers, "Content-Type": "text/plain"},
        )
        assert_problem(response, 415, "/problems/unsupported-media-type")

    def test_body_over_the_limit_is_413_and_writes_nothing(self, client, admin_headers):
        huge = initiative_payload(description="å" * 600_000)
        response = client.post("/api/v1/initiatives", json=huge, headers=admin_headers)
        assert_problem(response, 413, "/problems/payload-too-large")
        assert client.get("/api/v1/initiatives").json()["items"] == []

    def test_every_invalid_field_is_listed(self, client, admin_headers):
        payload = initiative_payload(budget_sek=-5, status="paused", start_date="2026-05-01", end_date="2026-01-01")
        body = assert_problem(
            client.post("/api/v1/initiatives", json=payload, headers=admin_headers), 422, "/problems/validation-failed"
        )
        by_property = {p["property"]: p for p in body["invalid_parameters"]}
        assert set(by_property) == {"budget_sek", "status"}
        assert by_property["budget_sek"]["value"] == -5 and by_property["status"]["value"] == "paused"

    def test_end_before_start_is_422_on_end_date(self, client, admin_headers):
        payload = initiative_payload(start_date="2026-05-01", end_date="2026-01-01")
        body = assert_problem(
            client.post("/api/v1/initiatives", json=payload, headers=admin_headers), 422, "/problems/validation-failed"
        )
        assert body["invalid_parameters"] == [
            {"property": "end_date", "reason": "must not be before start_date", "value": "2026-01-01"}
        ]

    def test_bad_cursor_is_422(self, client):
        response = client.get("/api/v1/initiatives", params={"cursor": "not-a-cursor"})
        assert_problem(response, 422, "/problems/validation-failed")

    def test_unknown_route_is_404_problem(self, client):
        assert_problem(client.get("/api/v1/nothing-here"), 404, "/problems/not-found")


class TestFaults:
    def test_unexpected_error_is_a_bare_500_without_internals(self, settings):
        app = create_app(settings)
        router = APIRouter()

        @router.get("/api/v1/explode")
        def explode() -> None:
            raise RuntimeError("secret internal detail")

        app.include_router(router)
        with TestClient(app, raise_server_exceptions=False) as client:
            body = assert_problem(client.get("/api/v1/explode"), 500, "/problems/internal-error")
        assert "secret" not in json.dumps(body)

    def test_unreachable_database_is_503_and_readiness_says_so(self):
        app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
        with TestClient(app, raise_server_exceptions=False) as client:
            body = assert_problem(client.get("/api/v1/initiatives"), 503, "/problems/service-unavailable")
            ready = client.get("/health/ready")
        assert "database" in body["title"].lower()
        assert_problem(ready, 503, "/problems/service-unavailable")
        assert ready.json()["detail"] == "The database does not answer."
        app.state.engine.dispose()


class TestUnstorableValues:
    def test_nul_character_is_refused_on_every_engine(self, client, admin_headers):
        searched = client.get("/api/v1/initiatives", params={"tag": "a\x00b"})
        created = client.post(
            "/api/v1/initiatives", headers=admin_headers, json=initiative_payload(title="Noll\x00tecken")
        )
        assert (
            assert_problem(searched, 422, "/problems/validation-failed")["invalid_parameters"][0]["property"] == "tag"
        )
        assert (
            assert_problem(created, 422, "/problems/validation-failed")["invalid_parameters"][0]["property"] == "title"
        )
        assert client.get("/api/v1/initiatives").json()["items"] == []
