from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import service as auth_service
from tests.web.browser import browser, page  # noqa: F401 (the browser tests' fixtures)
from tests.web.html import hidden_value


def sign_in(client: TestClient, secret: str, next_path: str = "/") -> None:
    form = client.get("/logga-in")
    response = client.post(
        "/logga-in",
        data={"key": secret, "csrf": hidden_value(form.text, "csrf"), "next": next_path},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def signed_in(client: TestClient, session: Session) -> Callable[[str], TestClient]:
    """Sign the test client in with a fresh key of the given organisation."""

    def as_organisation(code: str) -> TestClient:
        _key, secret = auth_service.mint(session, code)
        sign_in(client, secret)
        return client

    return as_organisation
