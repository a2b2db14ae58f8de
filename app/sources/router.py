"""Partner sync: systems that keep their own portfolio push it here, record by record."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.auth.dependencies import CallerDep
from app.core.db import SessionDep
from app.core.problems import problems
from app.core.schemas import PlainText
from app.initiatives import reads
from app.initiatives import service as initiative_service
from app.initiatives.dependencies import etag
from app.initiatives.schemas import InitiativeCreate, InitiativeRead

router = APIRouter(prefix="/api/v1/sources", tags=["partner sync"])

SourcePath = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9][a-z0-9_.-]{1,63}$",
        json_schema_extra={"not": {"const": "registry"}},
        description="The partner system's name, e.g. `stratsys-sundsvall`; `registry` is reserved.",
    ),
]
ExternalIdPath = Annotated[PlainText, Path(min_length=1, max_length=200, description="The record's id in that system.")]


@router.put(
    "/{source}/initiatives/{external_id}",
    response_model=InitiativeRead,
    responses={201: {"model": InitiativeRead, "description": "Created"}, **problems(401, 403, 413, 415, 422)},
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
    Fields people have edited in the registry since are kept, not overwritten.
    """
    [upserted] = initiative_service.upsert_from_source(session, source, [(external_id, data)], caller)
    [initiative] = reads.reads(session, [upserted.written_id()])
    response.status_code = 201 if upserted.outcome == "created" else 200
    response.headers["Location"] = str(request.url_for("get_initiative", initiative_id=initiative.id))
    response.headers["ETag"] = etag(initiative.version)
    return initiative
