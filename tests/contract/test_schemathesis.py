"""Property-based contract tests: every operation of our own OpenAPI document, with a valid key.

`test_api_contract` runs schemathesis' examples, coverage and fuzzing phases with every check it
has (no 5xx; status, content type, headers and body as documented; data the schema allows is
accepted and data it forbids refused; 405 with `Allow` for methods a path does not serve).
Where the schema cannot say what is valid, a custom strategy supplies it: cursors are drawn in
the shape the service issues them, and `updated_since` in every time-zone spelling.

`test_hostile_input_is_a_4xx` sends the same operations with one hostile value planted: a
forged cursor, a control character or lone surrogate in a text, a NaN or infinity in a number.
Each must be refused with a documented 4xx problem, never a 500.
"""

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from app.core.db import get_session
from app.core.pagination import CURSOR_PATTERN, encode_cursor
from app.core.schemas import DOCUMENTED_MOMENT_PATTERN
from app.core.settings import Settings
from app.main import create_app
from app.organisations import seed as organisation_seed
from tests.conftest import ADMIN_TOKEN
from tests.factories import make_initiative

# Built at import, as schemathesis collects one test per operation; each test then points
# the app at that test's rolled-back session (on SQLite or PostgreSQL, as the suite runs).
contract_app = create_app(Settings(database_url="sqlite://", admin_token=ADMIN_TOKEN))
# Readiness asks the app's own engine (here an unmigrated one, as the tests' sessions are
# injected): tests/meta checks it against real databases.
schema = schemathesis.openapi.from_asgi("/openapi.json", contract_app).exclude(path="/health/ready")
hostile_schema = schemathesis.openapi.from_asgi("/openapi.json", contract_app).exclude(path="/health/ready")
hostile_schema.config.phases.update(phases=["fuzzing"])
hostile_schema.config.generation.update(modes=["positive"])

AUTHORIZATION = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def contract_session(session: Session) -> Iterator[Session]:
    make_initiative(session)  # a real row beside schemathesis' random ids

    def request_session() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    contract_app.dependency_overrides[get_session] = request_session
    yield session
    contract_app.dependency_overrides.clear()


# Valid values the schema cannot describe ---------------------------------------------------------

EPOCH, FAR = datetime(1970, 1, 1), datetime(2100, 1, 1)
moments = st.datetimes(min_value=EPOCH, max_value=FAR, timezones=st.just(UTC)).map(datetime.isoformat)
ids = st.uuids().map(str)


def issued_cursor(
    path: str, query: dict[str, Any], moment: str, text: str, number: int, last_id: str, catching_up: bool
) -> str:
    """A cursor of the shape the operation issues, decoding to a real position."""
    if path.endswith("/initiatives"):
        by_title = str(query.get("sort", "")).lstrip("-") == "title" and not catching_up
        return encode_cursor([moment, catching_up, text if by_title else moment, last_id])
    if path == "/api/v1/imports":
        return encode_cursor([moment, last_id])
    return encode_cursor([number, last_id])


def issued_cursors(path: str, query: dict[str, Any]) -> st.SearchStrategy[str]:
    return st.builds(
        issued_cursor,
        st.just(path),
        st.just(query),
        moments,
        st.text(max_size=30),
        st.integers(0, 10**12),
        ids,
        st.booleans(),
    )


# Every way a client writes a moment: with an offset, in UTC, without a zone (UTC), a bare date.
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])
local_moments = st.datetimes(min_value=EPOCH, max_value=FAR)
time_zone_spellings = st.one_of(
    st.datetimes(min_value=EPOCH, max_value=FAR, timezones=zones).map(datetime.isoformat),
    local_moments.map(datetime.isoformat),
    local_moments.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")),
    local_moments.map(lambda moment: moment.date().isoformat()),
)


@schema.hook
def flatmap_query(context, query: dict[str, Any] | None) -> st.SearchStrategy:
    query = dict(query or {})
    strategies: dict[str, st.SearchStrategy] = {}
    # A cursor the schema allows is one the service issued: only a malformed one (a negative case) is left as drawn.
    if isinstance(query.get("cursor"), str) and re.fullmatch(CURSOR_PATTERN, query["cursor"]):
        strategies["cursor"] = issued_cursors(context.operation.path, query)
    # Likewise a moment the schema allows is redrawn in every spelling the service reads; a value it
    # forbids (a number, a malformed text) stays as drawn, so that the service must refuse it.
    if isinstance(query.get("updated_since"), str) and re.fullmatch(DOCUMENTED_MOMENT_PATTERN, query["updated_since"]):
        strategies["updated_since"] = time_zone_spellings
    return st.fixed_dictionaries(strategies).map(lambda drawn: {**query, **drawn}) if strategies else st.just(query)


# Organisation codes the registry knows: the schema can say what a code looks like, not which exist.
KNOWN_CODES = sorted(organisation.code for organisation in organisation_seed.reference_organisations())
CODE = re.compile(r"^[0-9A-Za-z-]{2,32}$")


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and CODE.fullmatch(value) is not None


@schema.hook
def flatmap_body(context, body: Any) -> st.SearchStrategy:
    """A body the schema allows, made one the service accepts where the schema cannot say so:
    organisations that exist (distinct among the participants) and dates in their order."""
    if not isinstance(body, dict):
        return st.just(body)
    participants = body.get("participants")
    named = (
        [p for p in participants if isinstance(p, dict) and _is_code(p.get("organisation"))]
        if isinstance(participants, list)
        else []
    )
    codes = st.lists(st.sampled_from(KNOWN_CODES), min_size=len(named) + 2, max_size=len(named) + 2, unique=True)
    return codes.map(lambda drawn: _accepted(body, named, drawn))


def _accepted(body: dict[str, Any], named: list[dict[str, Any]], codes: list[str]) -> dict[str, Any]:
    body = dict(body)
    for field, code in (("owner", codes[0]), ("organisation", codes[1])):
        if _is_code(body.get(field)):
            body[field] = code
    for participant, code in zip(named, codes[2:], strict=True):
        participant["organisation"] = code
    start, end = body.get("start_date"), body.get("end_date")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        body["start_date"], body["end_date"] = end, start
    return body


def _as_issued(case) -> None:
    """The hooks above shape the fuzzing phase's cases; the examples and coverage phases build
    theirs without hooks, so the same rules are applied here with fixed choices."""
    if case.meta is None or case.meta.phase.name == "fuzzing":
        return
    query = case.query or {}
    if isinstance(query.get("cursor"), str) and re.fullmatch(CURSOR_PATTERN, query["cursor"]):
        query["cursor"] = issued_cursor(
            case.operation.path, query, "2026-01-01T00:00:00+00:00", "m", 0, str(uuid.UUID(int=1)), False
        )
    if isinstance(case.body, dict):
        participants = case.body.get("participants")
        named = (
            [p for p in participants if isinstance(p, dict) and _is_code(p.get("organisation"))]
            if isinstance(participants, list)
            else []
        )
        case.body = _accepted(case.body, named, KNOWN_CODES[: len(named) + 2])


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_contract(case, contract_session):
    _as_issued(case)
    case.call_and_validate(headers=AUTHORIZATION)


# Hostile values -----------------------------------------------------------------------------------

forged_cursors = st.one_of(
    # Issued-looking but wrong inside: a number for a text, an id that is no UUID, a moment without a zone.
    st.tuples(moments, st.booleans(), st.integers(), ids),
    st.tuples(moments, st.just(False), moments, st.text(max_size=20)),
    st.tuples(st.datetimes().map(datetime.isoformat), st.just(False), moments, ids),
    st.tuples(moments, st.just(True), st.datetimes().map(datetime.isoformat), ids),
    st.tuples(st.text(max_size=5), ids),
    st.tuples(st.integers(), st.integers()),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=5).filter(
        lambda v: len(v) not in (2, 4)
    ),
).map(lambda values: encode_cursor(list(values)))
control_characters = st.sampled_from(["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x9f"])
lone_surrogates = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"])
non_finite = st.sampled_from([float("nan"), float("inf"), float("-inf")])


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _leaves(item, (*path, position))
    else:
        yield path, value


def _replaced(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    return [_replaced(item, rest, new) if position == head else item for position, item in enumerate(value)]


def _hostile_leaf(leaf: Any) -> st.SearchStrategy:
    if isinstance(leaf, str):
        hostile = st.one_of(control_characters, lone_surrogates)
        return st.tuples(hostile, st.integers(0, len(leaf))).map(
            lambda drawn: leaf[: drawn[1]] + drawn[0] + leaf[drawn[1] :]
        )
    return non_finite


def _hostile_body(body: Any) -> st.SearchStrategy[bytes] | None:
    """The body as JSON text with one leaf made hostile; None when it has no text or number.
    Written here, as an HTTP client would refuse to encode NaN or a lone surrogate."""
    leaves = [
        (path, leaf)
        for path, leaf in _leaves(body)
        if isinstance(leaf, (str, float, int)) and not isinstance(leaf, bool) and path
    ]
    if not leaves:
        return None
    return st.sampled_from(leaves).flatmap(
        lambda chosen: _hostile_leaf(chosen[1]).map(lambda new: json.dumps(_replaced(body, chosen[0], new)).encode())
    )


def _hostile_query(case) -> st.SearchStrategy[dict[str, Any]] | None:
    query = dict(case.query or {})
    if "cursor" in {parameter.name for parameter in case.operation.query}:
        return forged_cursors.map(lambda cursor: {**query, "cursor": cursor})
    texts = [name for name, value in query.items() if isinstance(value, str)]
    if not texts:
        return None
    return st.tuples(st.sampled_from(texts), control_characters).map(
        lambda drawn: {**query, drawn[0]: query[drawn[0]] + drawn[1]}
    )


@hostile_schema.hook
def flatmap_case(context, case):
    """The case with one hostile value, marked with `HOSTILE_MARK` when one could be planted."""
    body = _hostile_body(case.body) if case.media_type == "application/json" else None
    if body is not None:
        return body.map(lambda content: _with(case, body=content))
    query = _hostile_query(case)
    if query is not None:
        return query.map(lambda hostile: _with(case, query=hostile))
    return st.just(case)


HOSTILE_MARK = "X-Contract-Hostile"  # tells the test which cases carry a planted value; the app ignores it


def _with(case, **changes):
    for name, value in changes.items():
        setattr(case, name, value)
    case.headers = {**(case.headers or {}), HOSTILE_MARK: "1"}
    return case


@hostile_schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_hostile_input_is_a_4xx(case, contract_session):
    response = case.call(headers=AUTHORIZATION)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
    if HOSTILE_MARK in (case.headers or {}):
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
