"""RFC 9457 problem details: one exception family, one renderer.

Every error the API returns is a `Problem` subclass rendered as `application/problem+json`
with `type`, `title`, `status`, `detail` and `instance`. The `type` is a relative URI that
`/problems/{slug}` documents for people.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, TypeVar, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.core.schemas import long_text_fields
from app.core.text import document_text_rules

logger = logging.getLogger(__name__)
E = TypeVar("E", bound=Exception)

PROBLEM_MEDIA_TYPE = "application/problem+json"
HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


class InvalidParameter(BaseModel):
    property: str
    reason: str
    value: Any = None


class ProblemDocument(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    invalid_parameters: list[InvalidParameter] | None = None


class Problem(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str | None = None, invalid_parameters: list[InvalidParameter] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail
        self.invalid_parameters = invalid_parameters

    @classmethod
    def type_uri(cls) -> str:
        return f"/problems/{cls.slug}"

    def document(self, instance: str | None) -> ProblemDocument:
        return ProblemDocument(
            type=self.type_uri(),
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            invalid_parameters=self.invalid_parameters,
        )


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "The request is malformed"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "A valid API key is required"
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": 'Bearer realm="registry"'}


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "This key may not do that"


class SourceOwnedByAnother(Forbidden):
    slug, title = "source-owned-by-another", "This source belongs to another organisation"


class ImportOnlySource(Forbidden):
    slug, title = "import-only-source", "Only the registry's importers write to this source"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "No such resource"


class MethodNotAllowed(Problem):
    status, slug, title = 405, "method-not-allowed", "Method not allowed on this resource"


class NotAcceptable(Problem):
    status, slug, title = 406, "not-acceptable", "No representation matches the Accept header"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "The request conflicts with the current state"


class InitiativeArchived(Conflict):
    slug, title = "initiative-archived", "The initiative is archived"


class PreconditionFailed(Problem):
    status, slug, title = 412, "precondition-failed", "The resource has changed since you read it"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "The request body is too large"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "The request body must be JSON"


class ValidationFailed(Problem):
    status, slug, title = 422, "validation-failed", "The request is not valid"


class PreconditionRequired(Problem):
    status, slug, title = 428, "precondition-required", "An If-Match header is required"


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many failed attempts; wait a minute"
    headers: ClassVar[dict[str, str] | None] = {"Retry-After": "60"}


class ServiceUnavailable(Problem):
    status, slug, title = 503, "service-unavailable", "The database is unavailable; try again shortly"
    headers: ClassVar[dict[str, str] | None] = {"Retry-After": "5"}


PROBLEM_CLASSES: tuple[type[Problem], ...] = (
    BadRequest,
    Unauthorized,
    Forbidden,
    SourceOwnedByAnother,
    ImportOnlySource,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    InitiativeArchived,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    PreconditionRequired,
    TooManyRequests,
    ServiceUnavailable,
    Problem,
)
# The general problem of each status, for errors that know only their status (not the subclasses).
STATUS_PROBLEMS = {cls.status: cls for cls in PROBLEM_CLASSES if cls is Problem or cls.__base__ is Problem}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry for a route: each listed status is a problem document. A route that
    checks a key (401) can also refuse a client that sent too many wrong ones (429)."""
    if 401 in statuses and 429 not in statuses:
        statuses = (*statuses, 429)
    return {
        status: {
            "model": ProblemDocument,
            "description": STATUS_PROBLEMS[status].title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}},
        }
        for status in statuses
    }


def _respond(request: Request, problem: Problem, headers: Mapping[str, str] | None = None) -> Response:
    if request.app.state.error_page is not None and _wants_page(request):
        response = request.app.state.error_page(request, problem.status)
        response.headers.update(headers or {})
        return response
    return problem_response(problem, request.url.path, headers)


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PATHS) and "text/html" in request.headers.get("accept", "")


def problem_response(problem: Problem, instance: str | None, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.document(instance).model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**(problem.headers or {}), **(headers or {})},
    )


def validation_problem(errors: list[dict[str, Any]]) -> ValidationFailed:
    parameters = [
        InvalidParameter(
            property=_property_path(error["loc"]), reason=error["msg"], value=_jsonable(error.get("input"))
        )
        for error in errors
    ]
    names = ", ".join(dict.fromkeys(parameter.property for parameter in parameters))
    return ValidationFailed(f"Invalid value for: {names}", invalid_parameters=parameters)


def _property_path(location: tuple[Any, ...]) -> str:
    # Drop FastAPI's "body"/"query" prefix: clients name the field, not where it came from.
    parts = [str(part).encode("utf-8", "backslashreplace").decode() for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _jsonable(value: Any) -> Any:
    """The refused value as the problem can echo it: left out when it is long or is not JSON
    that can be written (NaN, a lone surrogate)."""
    if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
        return None
    if isinstance(value, (list, dict)) and len(str(value)) > 200:
        return None
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode()
    except (ValueError, UnicodeEncodeError):
        return None
    return value


ErrorPage = Callable[[Request, int], Response]
MACHINE_PATHS = ("/api/", "/problems", "/health", "/openapi.json")


def install_problem_handlers(app: FastAPI, error_page: ErrorPage | None = None) -> None:
    """Problem documents everywhere; a person's browser asking for a page gets `error_page` instead."""
    app.state.error_page = error_page
    _document_framework_problems(app)
    on_error(app, Problem, _handle_problem)
    on_error(app, RequestValidationError, _handle_validation_error)
    on_error(app, StarletteHTTPException, _handle_http_exception)
    on_error(app, OperationalError, _handle_database_unavailable)
    on_error(app, DBAPIError, _handle_database_error)
    on_error(app, DataError, _handle_unstorable_value)
    on_error(app, Exception, _handle_unexpected)


def on_error(app: FastAPI, error_class: type[E], handler: Callable[[Request, E], Awaitable[Response]]) -> None:
    """Register `handler` for `error_class`. Starlette types a handler as taking any exception;
    it calls each only with its own class, which is what this signature says."""
    app.add_exception_handler(error_class, cast(Callable[[Request, Exception], Awaitable[Response]], handler))


def _document_framework_problems(app: FastAPI) -> None:
    """Document the problems FastAPI itself produces: its 422 as our problem document (not its own
    error schema), and 400 wherever a request body might not even decode."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for operation in (op for path in document["paths"].values() for op in path.values()):
                responses = operation.setdefault("responses", {})
                if "HTTPValidationError" in str(responses.get("422")):
                    responses["422"] = _problem_response_doc(422)
                if "requestBody" in operation:
                    responses.setdefault("400", _problem_response_doc(400))
            for name in ("HTTPValidationError", "ValidationError"):
                document.get("components", {}).get("schemas", {}).pop(name, None)
            document_text_rules(document, long_text_fields())
            app.openapi_schema = document
        return app.openapi_schema

    # FastAPI's documented way to extend its document is to replace this method.
    app.openapi = openapi  # type: ignore[method-assign]


def _problem_response_doc(status: int) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ProblemDocument"}
    return {
        "description": STATUS_PROBLEMS[status].title,
        "content": {"application/json": {"schema": schema}, PROBLEM_MEDIA_TYPE: {"schema": schema}},
    }


async def _handle_problem(request: Request, problem: Problem) -> Response:
    return _respond(request, problem)


async def _handle_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    return problem_response(validation_problem(list(error.errors())), request.url.path)


async def _handle_http_exception(request: Request, error: StarletteHTTPException) -> Response:
    problem_class = STATUS_PROBLEMS.get(error.status_code)
    detail = str(error.detail) if error.detail else None
    if problem_class is None:
        document = ProblemDocument(
            type="about:blank", title=detail or "HTTP error", status=error.status_code, instance=request.url.path
        )
        return JSONResponse(
            document.model_dump(exclude_none=True), status_code=error.status_code, media_type=PROBLEM_MEDIA_TYPE
        )
    headers = error.headers
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return _respond(request, problem_class(detail), headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route serves at the request's path, for a 405's `Allow` (RFC 9110).
    Starlette names only those of the first route that matches the path, and a path's methods
    are often spread over several routes."""
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.router.routes
        )
    ]


async def _handle_database_unavailable(request: Request, error: DBAPIError) -> Response:
    logger.warning("database unavailable: %s", error.orig)
    return _respond(request, ServiceUnavailable())


async def _handle_unstorable_value(request: Request, error: DataError) -> Response:
    # The database refused a value it cannot hold or compare (PostgreSQL: a NUL character in
    # text, a number out of range): the request's input, so a 422, and the request rolled back.
    logger.info("value refused by the database on %s: %s", request.url.path, error.orig)
    return _respond(
        request,
        ValidationFailed("A value in the request cannot be stored or searched (for example a NUL character in text)."),
    )


async def _handle_database_error(request: Request, error: DBAPIError) -> Response:
    if error.connection_invalidated:
        return await _handle_database_unavailable(request, error)
    return await _handle_unexpected(request, error)


async def _handle_unexpected(request: Request, error: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _respond(request, Problem("The server failed to handle the request; it has been logged."))
