from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app.changes import service as change_service
from app.changes.schemas import ChangePage
from app.core.db import SessionDep
from app.core.problems import problems

router = APIRouter(prefix="/api/v1/changes", tags=["change feed"])


@router.get("", response_model=ChangePage, responses=problems(422))
def list_changes(
    request: Request,
    session: SessionDep,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="Return changes with a sequence number above this.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    """Every write in commit order (initiatives, adoptions, judgements, organisation figures, API keys),
    to mirror the registry and resume after a crash. Each item is the log's leaf, exactly as written."""
    changes = change_service.list_changes(session, after=after, limit=limit)
    last_sequence = (changes[-1].sequence or after) if changes else after
    next_url = str(request.url.include_query_params(after=last_sequence)) if len(changes) == limit else None
    # Served from the stored leaves, not re-rendered: the bytes a mirror hashes never change.
    items = [change_service.served_item(c) for c in changes]
    return JSONResponse({"items": items, "next": next_url, "last_sequence": last_sequence})
