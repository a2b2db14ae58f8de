import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic_core import to_json
from sqlmodel import Session

from app.auth.dependencies import CallerDep
from app.changes import service as change_service
from app.changes.schemas import HistoryEntry, HistoryRead
from app.core.db import SessionDep
from app.core.enums import ParticipationStatus
from app.core.problems import problems
from app.core.read_cache import Rendered
from app.core.schemas import PlainText
from app.initiatives import publiccode, reads
from app.initiatives import service as initiative_service
from app.initiatives.dependencies import ExpectedVersionDep, InitiativeDep, etag
from app.initiatives.query import InitiativeQuery
from app.initiatives.schemas import InitiativeCreate, InitiativePage, InitiativeRead, InitiativeUpdate
from app.organisations.dependencies import OrganisationDep

ParticipantCode = Annotated[str, Path(max_length=32, description="The participating organisation's code.")]
router = APIRouter(prefix="/api/v1/initiatives", tags=["initiatives"])
organisation_router = APIRouter(prefix="/api/v1/organisations", tags=["organisations"])


def cached_json(request: Request, session: Session, render: Callable[[], Rendered]) -> Response:
    """`render`'s response, from this worker's read cache until the next write (see `ReadCache`).

    The body is JSON written by pydantic-core from values already in the declared model's shape:
    returning a `Response` skips FastAPI's dump, re-validation and serialisation of the
    `response_model`, most of a 50-item page's cost. The route still declares the model for the
    OpenAPI document, and tests hold the two equal.
    """
    cache = request.app.state.read_cache
    if cache.is_enabled:
        rendered = cache.get_or_render(change_service.latest_sequence(session), str(request.url), render)
    else:
        rendered = render()
    return Response(rendered.content, media_type="application/json", headers=rendered.headers)


def page_of(request: Request, session: Session, query: InitiativeQuery) -> Response:
    """The query's page, as an `InitiativePage`."""

    def render() -> Rendered:
        found, cursor = reads.list_page(session, query)
        next_url = str(request.url.include_query_params(cursor=cursor)) if cursor else None
        items = b",".join(item for item, _version in reads.representation_json(session, found).values())
        counted = b"".join(
            b',"' + name.encode() + b'":' + to_json(value) for name, value in reads.counts_for(session, query).items()
        )
        return Rendered(b'{"items":[' + items + b'],"next":' + to_json(next_url) + counted + b"}", {})

    return cached_json(request, session, render)


@router.get("", response_model=InitiativePage, responses=problems(422))
def list_initiatives(request: Request, session: SessionDep, query: Annotated[InitiativeQuery, Query()]) -> Response:
    """List initiatives, newest change first, with filters, full-text search and cursor pagination."""
    return page_of(request, session, query)


@organisation_router.get("/{code}/initiatives", response_model=InitiativePage, responses=problems(404, 422))
def list_organisation_initiatives(
    organisation: OrganisationDep,
    request: Request,
    session: SessionDep,
    query: Annotated[InitiativeQuery, Query()],
) -> Response:
    """Initiatives the organisation owns or takes part in."""
    return page_of(request, session, query.model_copy(update={"organisation": organisation.code}))


@router.post("", response_model=InitiativeRead, status_code=201, responses=problems(401, 403, 413, 415, 422))
def create_initiative(data: InitiativeCreate, request: Request, session: SessionDep, caller: CallerDep) -> Response:
    """Register a new initiative owned by the key's organisation."""
    initiative = initiative_service.create(session, data, caller)
    representation, version = reads.representation_json(session, [initiative.id])[initiative.id]
    headers = {
        "Location": str(request.url_for("get_initiative", initiative_id=initiative.id)),
        "ETag": etag(version),
    }
    return Response(representation, status_code=201, media_type="application/json", headers=headers)


@router.get("/{initiative_id}", response_model=InitiativeRead, responses=problems(404, 422))
def get_initiative(initiative_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """One initiative, with its participants, status history and adoption counts."""

    def render() -> Rendered:
        found = reads.representation_json(session, [initiative_id])
        if initiative_id not in found:
            raise initiative_service.not_found(initiative_id)
        representation, version = found[initiative_id]
        return Rendered(representation, {"ETag": etag(version)})

    return cached_json(request, session, render)


@router.get(
    "/{initiative_id}/publiccode.yml",
    response_class=Response,
    responses={**problems(404, 409, 422), 200: {"content": {"application/yaml": {}}}},
)
def get_publiccode(initiative_id: uuid.UUID, session: SessionDep) -> Response:
    """A publiccode.yml (standard 0.4) describing the initiative's solution, when that is open source."""
    initiative = reads.read(session, initiative_id)
    if initiative is None:
        raise initiative_service.not_found(initiative_id)
    return Response(publiccode.write(initiative), media_type="application/yaml; charset=utf-8")


@router.patch(
    "/{initiative_id}", response_model=InitiativeRead, responses=problems(401, 403, 404, 409, 412, 413, 415, 422, 428)
)
def update_initiative(
    caller: CallerDep,
    initiative: InitiativeDep,
    data: InitiativeUpdate,
    version: ExpectedVersionDep,
    response: Response,
    session: SessionDep,
) -> InitiativeRead:
    """Change some fields. Needs `If-Match` with the ETag you read; a stale one gets 412."""
    updated = initiative_service.update(session, initiative.id, data, caller, version)
    response.headers["ETag"] = etag(updated.version)
    return reads.reads(session, [updated.id])[0]


@router.delete("/{initiative_id}", status_code=204, responses=problems(401, 403, 404, 422))
def archive_initiative(
    caller: CallerDep,
    initiative: InitiativeDep,
    session: SessionDep,
    reason: Annotated[PlainText | None, Query(max_length=500, description="Why it is archived.")] = None,
) -> Response:
    """Archive an initiative. Nothing is deleted: it stays readable with `include_archived=true`."""
    initiative_service.archive(session, initiative.id, reason, caller)
    return Response(status_code=204)


def _answer(
    initiative: InitiativeDep,
    code: str,
    answer: ParticipationStatus,
    response: Response,
    session: SessionDep,
    caller: CallerDep,
) -> InitiativeRead:
    updated = initiative_service.answer_participation(session, initiative.id, code, answer, caller)
    response.headers["ETag"] = etag(updated.version)
    return reads.reads(session, [updated.id])[0]


@router.post(
    "/{initiative_id}/participants/{code}/confirm",
    response_model=InitiativeRead,
    responses=problems(401, 403, 404, 422),
)
def confirm_participation(
    initiative: InitiativeDep, code: ParticipantCode, response: Response, session: SessionDep, caller: CallerDep
) -> InitiativeRead:
    """Confirm, with the participating organisation's own key, that it takes part as the owner listed."""
    return _answer(initiative, code, ParticipationStatus.confirmed, response, session, caller)


@router.post(
    "/{initiative_id}/participants/{code}/decline",
    response_model=InitiativeRead,
    responses=problems(401, 403, 404, 422),
)
def decline_participation(
    initiative: InitiativeDep, code: ParticipantCode, response: Response, session: SessionDep, caller: CallerDep
) -> InitiativeRead:
    """Decline, with the participating organisation's own key, the participation the owner listed."""
    return _answer(initiative, code, ParticipationStatus.declined, response, session, caller)


@router.get("/{initiative_id}/history", response_model=HistoryRead, responses=problems(404, 422))
def initiative_history(initiative: InitiativeDep, session: SessionDep) -> HistoryRead:
    """Every write to the initiative and its adoptions: who, when and what changed."""
    changes = change_service.history(session, initiative.id)
    return HistoryRead(items=[HistoryEntry.model_validate(change) for change in changes])
