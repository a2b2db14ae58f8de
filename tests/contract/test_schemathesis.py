"""Property-based contract test: every operation of our own OpenAPI document, with a valid key.

No 5xx, and every response must match its documented status, content type and schema.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from app.core.db import get_session
from app.core.settings import Settings
from app.main import create_app
from tests.conftest import ADMIN_TOKEN
from tests.factories import make_initiative

# Built at import, as schemathesis collects one test per operation; each test then points
# the app at that test's rolled-back session.
contract_app = create_app(Settings(database_url="sqlite://", admin_token=ADMIN_TOKEN))
schema = schemathesis.openapi.from_asgi("/openapi.json", contract_app)


@pytest.fixture
def contract_session(session: Session) -> Iterator[Session]:
    make_initiative(session)  # a real row beside schemathesis' random ids

    def request_session() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    contract_app.dependency_overrides[get_session] = request_session
    yield session
    contract_app.dependency_overrides.clear()


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_contract(case, contract_session):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
