import re


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
