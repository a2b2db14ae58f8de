from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from app.core.problems import PROBLEM_CLASSES, NotFound, ServiceUnavailable, problems

router = APIRouter(tags=["health"])


class Health(SQLModel):
    status: str
    database: str


@router.get("/health", response_model=Health, responses=problems(503))
def health(request: Request) -> Health:
    """Liveness and database status, for load balancers and monitoring (503 when the database is unreachable)."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise ServiceUnavailable("The database does not answer.") from error
    return Health(status="ok", database="ok")


class ProblemType(SQLModel):
    type: str
    status: int
    title: str


@router.get("/problems", response_model=list[ProblemType])
def list_problem_types() -> list[ProblemType]:
    """Every problem `type` the API returns, with its status and title (RFC 9457)."""
    return [ProblemType(type=p.type_uri(), status=p.status, title=p.title) for p in PROBLEM_CLASSES]


@router.get("/problems/{slug}", response_model=ProblemType, responses=problems(404))
def get_problem_type(slug: str) -> ProblemType:
    """What one problem `type` means."""
    for problem in PROBLEM_CLASSES:
        if problem.slug == slug:
            return ProblemType(type=problem.type_uri(), status=problem.status, title=problem.title)
    raise NotFound(f"No problem type is called {slug!r}.")
