import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.core.db import SessionDep
from app.core.problems import NotFound, problems
from app.imports import service as import_service
from app.imports.schemas import (
    ImportRunDetail,
    ImportRunPage,
    ImportRunQuery,
    ImportRunRead,
    RejectionRead,
)

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.get("", response_model=ImportRunPage, responses=problems(422))
def list_import_runs(request: Request, session: SessionDep, query: Annotated[ImportRunQuery, Query()]) -> ImportRunPage:
    """Import runs, newest first: source, status, counts and error."""
    runs, cursor = import_service.list_runs(session, query)
    next_url = str(request.url.include_query_params(cursor=cursor)) if cursor else None
    return ImportRunPage(items=[ImportRunRead.model_validate(run) for run in runs], next=next_url)


@router.get("/{run_id}", response_model=ImportRunDetail, responses=problems(404, 422))
def get_import_run(
    run_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    rejections_after: Annotated[int, Query(ge=0, description="Continue the rejections after this id.")] = 0,
) -> ImportRunDetail:
    """One run with its rejected records (location, id and reason), a page at a time."""
    run = import_service.get_run(session, run_id)
    if run is None:
        raise NotFound(f"No import run has the id {run_id}.")
    rejections, after = import_service.list_rejections(session, run_id, after=rejections_after)
    next_url = str(request.url.include_query_params(rejections_after=after)) if after else None
    return ImportRunDetail.model_validate(
        run, update={"rejections": [RejectionRead.model_validate(r) for r in rejections], "rejections_next": next_url}
    )
