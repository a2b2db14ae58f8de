"""Starting an import over HTTP (`POST /api/v1/imports`); reading runs is `app.imports.router`."""

from fastapi import APIRouter, BackgroundTasks, Request, Response

from app.auth.dependencies import AdminDep
from app.core.db import SessionDep
from app.core.problems import problems
from app.imports.schemas import ImportRequest, ImportRunRead
from importers import runner

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.post("", response_model=ImportRunRead, status_code=202, responses=problems(401, 403, 409, 413, 415, 422))
def start_import(
    data: ImportRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    _admin: AdminDep,
    background: BackgroundTasks,
) -> ImportRunRead:
    """Start an import from pios, uttc or Kolada (admin only); it runs in the background: follow `Location`."""
    options = runner.ImportOptions(url=str(data.url) if data.url else None, since=data.since, is_dry_run=data.dry_run)
    run = runner.start(session, data.source, options)
    background.add_task(request.app.state.import_jobs.start, request.app.state.engine, run, data.source, options)
    response.headers["Location"] = str(request.url_for("get_import_run", run_id=run.id))
    return ImportRunRead.model_validate(run)
