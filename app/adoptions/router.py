import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.adoptions import service as adoption_service
from app.adoptions.models import Adoption
from app.adoptions.schemas import AdoptionCreate, AdoptionPage, AdoptionRead, AdoptionUpdate
from app.auth.dependencies import CallerDep
from app.core.db import SessionDep
from app.core.problems import NotFound, problems
from app.initiatives.dependencies import InitiativeDep

router = APIRouter(prefix="/api/v1/initiatives/{initiative_id}/adoptions", tags=["adoptions"])
# Writes name the caller first: FastAPI resolves dependencies in order, so a request without a
# valid key is a 401 before anything about the resource (a 404) is revealed.


def existing_adoption(initiative: InitiativeDep, adoption_id: uuid.UUID, session: SessionDep) -> Adoption:
    adoption = adoption_service.get(session, initiative.id, adoption_id)
    if adoption is None:
        raise NotFound(f"The initiative has no adoption with the id {adoption_id}.")
    return adoption


AdoptionDep = Annotated[Adoption, Depends(existing_adoption)]


@router.get("", response_model=AdoptionPage, responses=problems(404, 422))
def list_adoptions(initiative: InitiativeDep, session: SessionDep) -> AdoptionPage:
    """Organisations that have recorded that they use this initiative."""
    adoptions = adoption_service.list_for_initiative(session, initiative.id)
    return AdoptionPage(items=[adoption_service.to_read(a) for a in adoptions])


@router.post("", response_model=AdoptionRead, status_code=201, responses=problems(401, 403, 404, 409, 413, 415, 422))
def create_adoption(
    caller: CallerDep, initiative: InitiativeDep, data: AdoptionCreate, session: SessionDep
) -> AdoptionRead:
    """Record, with the adopting organisation's own key, that it uses this initiative."""
    return adoption_service.to_read(adoption_service.create(session, initiative.id, data, caller))


@router.patch("/{adoption_id}", response_model=AdoptionRead, responses=problems(401, 403, 404, 413, 415, 422))
def update_adoption(
    caller: CallerDep, adoption: AdoptionDep, data: AdoptionUpdate, session: SessionDep
) -> AdoptionRead:
    """Change the adopter's status, dates or note."""
    return adoption_service.to_read(adoption_service.update(session, adoption, data, caller))


@router.delete("/{adoption_id}", status_code=204, responses=problems(401, 403, 404, 422))
def delete_adoption(caller: CallerDep, adoption: AdoptionDep, session: SessionDep) -> Response:
    """Withdraw the adoption statement; the history keeps it."""
    adoption_service.delete(session, adoption, caller)
    return Response(status_code=204)
