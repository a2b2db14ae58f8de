import re

from fastapi.testclient import TestClient

from app.core import migrations
from app.core.settings import Settings
from app.main import create_app
from tests.conftest import fresh_database


class TestApiDocs:
    def test_swagger_ui_loads_only_from_this_server(self, client):
        page = client.get("/docs").text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r"url: '([^']+)'", page)
        assert sources and all(source.startswith("/") for source in sources), sources
        assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200

    def test_redoc_loads_only_from_this_server(self, client):
        page = client.get("/redoc").text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources and all(source.startswith("/") for source in sources), sources


class TestProblemTypes:
    def test_lists_every_type_once(self, client):
        types = [p["type"] for p in client.get("/problems").json()]
        assert len(types) == len(set(types)) and "/problems/precondition-failed" in types


class TestHealth:
    def test_liveness_does_not_touch_the_database(self):
        app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
        with TestClient(app) as client:
            response = client.get("/health")
        app.state.engine.dispose()
        assert (response.status_code, response.json()) == (200, {"status": "ok"})

    def test_ready_names_the_schema_revision(self, client):
        response = client.get("/health/ready")
        (head,) = migrations.head_revisions()
        assert (response.status_code, response.json()) == (
            200,
            {"status": "ok", "database": "ok", "schema_revision": head},
        )

    def test_database_behind_this_release_is_not_ready(self):
        with fresh_database("behind") as url:
            migrations.upgrade(url, "0004")
            app = create_app(Settings(database_url=url))
            with TestClient(app) as client:
                response = client.get("/health/ready")
            app.state.engine.dispose()
        (head,) = migrations.head_revisions()
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert response.json()["detail"] == (
            f"The database schema is at 0004; this release needs {head}. Run `registry migrate`."
        )

    def test_empty_database_is_not_ready(self):
        with fresh_database("empty") as url:
            app = create_app(Settings(database_url=url))
            with TestClient(app) as client:
                response = client.get("/health/ready")
            app.state.engine.dispose()
        assert response.json()["detail"].startswith("The database schema is at no revision;")
