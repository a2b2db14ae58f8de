from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from app.core.problems import PROBLEM_CLASSES, NotFound, ServiceUnavailable, problems

router = APIRouter(tags=["health"])


class Liveness(SQLModel):
    status: str


class Readiness(SQLModel):
    status: str
    database: str
    schema_revision: str


@router.get("/health", response_model=Liveness)
def health() -> Liveness:
    """Liveness: the process answers. It touches nothing else, so a database outage never gets
    a healthy worker restarted; load balancers should ask `/health/ready`."""
    return Liveness(status="ok")


@router.get("/health/ready", response_model=Readiness, responses=problems(503))
def ready(request: Request) -> Readiness:
    """Readiness: the database answers and its schema is this release's (503 otherwise)."""
    # Alembic is loaded on the first check, not while a worker starts.
    from app.core import migrations

    try:
        with request.app.state.engine.connect() as connection:
            applied = migrations.applied_revisions(connection)
    except SQLAlchemyError as error:
        raise ServiceUnavailable("The database does not answer.") from error
    expected = migrations.head_revisions()
    if applied != expected:
        raise ServiceUnavailable(
            f"The database schema is at {', '.join(sorted(applied)) or 'no revision'}; this release needs "
            f"{', '.join(sorted(expected))}. Run `registry migrate`."
        )
    return Readiness(status="ok", database="ok", schema_revision=", ".join(sorted(expected)))


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
