import time
import uuid
from datetime import timedelta

import httpx
import pytest

from app.imports import service as import_service
from app.imports.schemas import ImportCounts, ImportStatus
from importers.settings import get_importer_settings
from tests.conftest import ADMIN_TOKEN
from tests.factories import make_key
from tests.importers.conftest import FixtureServer, Reply

STALE = timedelta(minutes=5)


@pytest.fixture
def private_sources_allowed(monkeypatch):
    monkeypatch.setenv("REGISTRY_IMPORT_ALLOW_PRIVATE_ADDRESSES", "true")  # test sources are on 127.0.0.1
    get_importer_settings.cache_clear()
    yield
    get_importer_settings.cache_clear()


def finished_run(session, source="uttc", rejections=0):
    run = import_service.start_run(
        session, source, {"url": "https://uttc.se/export.csv"}, is_dry_run=False, stale_after=STALE
    )
    import_service.record_rejections(
        session,
        run.id,
        [import_service.Rejection(f"line {n + 2}", f"U-{n}", "organisation: unknown") for n in range(rejections)],
    )
    return import_service.finish_run(
        session, run.id, ImportStatus.succeeded, ImportCounts(fetched=10, created=8, rejected=rejections)
    )


class TestListImportRuns:
    def test_runs_are_listed_with_their_counts(self, client, session):
        run = finished_run(session, rejections=2)
        body = client.get("/api/v1/imports").json()
        assert body["next"] is None
        [item] = body["items"]
        assert (item["id"], item["source"], item["status"]) == (str(run.id), "uttc", "succeeded")
        assert (item["fetched"], item["created"], item["rejected"]) == (10, 8, 2)

    def test_filter_by_source(self, client, session):
        finished_run(session, "uttc")
        finished_run(session, "pios")
        items = client.get("/api/v1/imports", params={"source": "pios"}).json()["items"]
        assert [item["source"] for item in items] == ["pios"]

    def test_malformed_cursor_is_422(self, client):
        response = client.get("/api/v1/imports", params={"cursor": "not-a-cursor"})
        assert response.status_code == 422 and response.json()["type"] == "/problems/validation-failed"


class TestGetImportRun:
    def test_run_shows_each_rejection_with_location_and_reason(self, client, session):
        run = finished_run(session, rejections=2)
        body = client.get(f"/api/v1/imports/{run.id}").json()
        assert [(r["location"], r["external_id"], r["reason"]) for r in body["rejections"]] == [
            ("line 2", "U-0", "organisation: unknown"),
            ("line 3", "U-1", "organisation: unknown"),
        ]
        assert body["rejections_next"] is None

    def test_rejections_come_a_page_at_a_time(self, client, session):
        run = finished_run(session, rejections=import_service.REJECTIONS_PAGE + 3)
        first = client.get(f"/api/v1/imports/{run.id}").json()
        assert len(first["rejections"]) == import_service.REJECTIONS_PAGE
        rest = client.get(first["rejections_next"]).json()
        assert [r["location"] for r in rest["rejections"]] == [f"line {n + 2}" for n in range(500, 503)]

    def test_unknown_run_is_404(self, client):
        response = client.get(f"/api/v1/imports/{uuid.uuid4()}")
        assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"


class TestStartImport:
    def test_organisation_key_is_403(self, client, session):
        response = client.post("/api/v1/imports", json={"source": "uttc"}, headers=make_key(session, "2281"))
        assert response.status_code == 403
        assert client.get("/api/v1/imports").json()["items"] == []

    def test_without_key_is_401(self, client):
        assert client.post("/api/v1/imports", json={"source": "uttc"}).status_code == 401

    def test_file_imports_are_not_started_over_http(self, client, admin_headers):
        response = client.post("/api/v1/imports", json={"source": "file"}, headers=admin_headers)
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["property"] == "source"

    def test_a_running_source_is_409(self, client, session, admin_headers):
        import_service.start_run(session, "uttc", {}, is_dry_run=False, stale_after=STALE)
        response = client.post("/api/v1/imports", json={"source": "uttc"}, headers=admin_headers)
        assert response.status_code == 409 and "still running" in response.json()["detail"]

    def test_admin_starts_a_run_in_the_background_and_follows_it(self, live_server, private_sources_allowed):
        with FixtureServer() as source:
            source.route("/export.csv", Reply.file("uttc.csv", content_type="text/csv"))
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            response = httpx.post(
                f"{live_server}/api/v1/imports",
                headers=headers,
                timeout=10,
                json={"source": "uttc", "url": source.url("/export.csv")},
            )
            assert response.status_code == 202, response.text
            assert response.json()["status"] == "running"
            run = _wait_for_end(response.headers["location"])
        assert (run["status"], run["created"], run["rejected"]) == ("succeeded", 2, 1)
        assert run["rejections"][0]["external_id"] == "U-2024-019"


def _wait_for_end(url: str) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run = httpx.get(url, timeout=5).json()
        if run["status"] != "running":
            return run
        time.sleep(0.1)
    raise AssertionError(f"the run at {url} did not finish")


class TestRolledBackStart:
    def test_a_run_whose_request_rolled_back_is_not_carried_out(self, app, client, admin_headers, caplog):
        response = client.post(
            "/api/v1/imports", json={"source": "uttc", "url": "http://127.0.0.1:9/x.csv"}, headers=admin_headers
        )
        assert response.status_code == 202
        app.state.import_jobs.shut_down(timeout=10)  # waits for the run's thread
        # The test's transaction never commits, so the background task finds no run and leaves it alone.
        assert f"import run {response.json()['id']} was never committed" in caplog.text
        assert client.get(response.headers["location"]).json()["status"] == "running"
