"""Partner sync: systems that keep their own portfolio push it here, record by record."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.auth.dependencies import AdminDep, CallerDep
from app.core.db import SessionDep
from app.core.problems import NotFound, problems
from app.core.schemas import PlainText
from app.initiatives import reads
from app.initiatives import service as initiative_service
from app.initiatives.dependencies import etag
from app.initiatives.schemas import InitiativeCreate, InitiativeRead
from app.sources import service as source_service
from app.sources.schemas import SOURCE_NAME_PATTERN, SourceCreate, SourcePage, SourceRead

router = APIRouter(prefix="/api/v1/sources", tags=["partner sync"])

SourcePath = Annotated[
    str,
    Path(
        pattern=SOURCE_NAME_PATTERN,
        json_schema_extra={"not": {"const": "registry"}},
        description="The partner system's registered name, e.g. `stratsys-sundsvall`; `registry` is reserved.",
    ),
]
ExternalIdPath = Annotated[PlainText, Path(min_length=1, max_length=200, description="The record's id in that system.")]


@router.post("", response_model=SourceRead, status_code=201, responses=problems(401, 403, 409, 413, 415, 422))
def register_source(
    data: SourceCreate, request: Request, response: Response, session: SessionDep, _admin: AdminDep
) -> SourceRead:
    """Register a partner system and its owner (admin only): only the owner's keys may write to it."""
    source = source_service.register(session, data)
    response.headers["Location"] = str(request.url_for("get_source", source=source.name))
    return source_service.to_read(source)


@router.get("", response_model=SourcePage)
def list_sources(session: SessionDep) -> SourcePage:
    """Every registered partner system, by name, with its owner."""
    return SourcePage(items=[source_service.to_read(s) for s in source_service.list_sources(session)], next=None)


@router.get("/{source}", response_model=SourceRead, responses=problems(404, 422))
def get_source(source: SourcePath, session: SessionDep) -> SourceRead:
    """One registered partner system and its owner."""
    found = source_service.get(session, source)
    if found is None:
        raise NotFound(f"No source named {source!r} is registered.")
    return source_service.to_read(found)


@router.put(
    "/{source}/initiatives/{external_id}",
    response_model=InitiativeRead,
    responses={201: {"model": InitiativeRead, "description": "Created"}, **problems(401, 403, 404, 413, 415, 422)},
)
def upsert_initiative(
    source: SourcePath,
    external_id: ExternalIdPath,
    data: InitiativeCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    caller: CallerDep,
) -> InitiativeRead:
    """Create or replace the initiative a partner system knows by `external_id`.

    Idempotent: sending the same body again changes nothing and keeps the version.
    Fields people have edited in the registry since are kept, not overwritten. The source must
    be registered, and the key must be its owner's (or the admin's); the importers' sources
    (`pios`, `uttc`, `kolada`, `file-…`) are never written here.
    """
    source_service.check_may_write(session, caller, source)
    [upserted] = initiative_service.upsert_from_source(session, source, [(external_id, data)], caller)
    [initiative] = reads.reads(session, [upserted.written_id()])
    response.status_code = 201 if upserted.outcome == "created" else 200
    response.headers["Location"] = str(request.url_for("get_initiative", initiative_id=initiative.id))
    response.headers["ETag"] = etag(initiative.version)
    return initiative
