"""The interactive API docs open with a Swedish introduction and a way back to the site."""

from fastapi.testclient import TestClient


def test_the_docs_introduce_the_api_in_swedish_and_link_back(client: TestClient):
    description = client.get("/openapi.json").json()["info"]["description"]
    assert description.lstrip().startswith("**[← Tillbaka till registret](/)** · [Om registret och API:t](/om)")
    assert "Att läsa kräver ingen nyckel." in description
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
