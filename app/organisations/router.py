import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.auth import service as auth_service
from app.auth.dependencies import AdminDep, CallerDep
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPage, ApiKeyRead
from app.core.db import SessionDep
from app.core.enums import OrganisationKind
from app.core.problems import NotFound, problems
from app.core.schemas import PlainText
from app.organisations import service as organisation_service
from app.organisations.dependencies import OrganisationDep
from app.organisations.schemas import FiguresRead, FiguresWrite, OrganisationPage, OrganisationRead

router = APIRouter(prefix="/api/v1/organisations", tags=["organisations"])
Year = Annotated[int, Path(ge=1990, le=2100)]


@router.get("", response_model=OrganisationPage, responses=problems(422))
def list_organisations(
    session: SessionDep,
    kind: OrganisationKind | None = None,
    county: Annotated[PlainText | None, Query(max_length=2, description="County code, e.g. 22.")] = None,
    q: Annotated[PlainText | None, Query(max_length=100, description="Part of the name, or an exact code.")] = None,
) -> OrganisationPage:
    """Municipalities, regions, federations and other organisations, by code."""
    organisations = organisation_service.list_organisations(session, kind=kind, county=county, q=q)
    return OrganisationPage(items=organisation_service.to_read(session, organisations), next=None)


@router.get("/{code}", response_model=OrganisationRead, responses=problems(404, 422))
def get_organisation(organisation: OrganisationDep, session: SessionDep) -> OrganisationRead:
    """One organisation, with the members of a federation."""
    return organisation_service.to_read(session, [organisation])[0]


@router.get("/{code}/figures", response_model=list[FiguresRead], responses=problems(404, 422))
def list_figures(organisation: OrganisationDep, session: SessionDep) -> list[FiguresRead]:
    """Yearly figures: population and costs (Kolada) and organisation-reported KPI inputs."""
    return [FiguresRead.model_validate(f) for f in organisation_service.list_figures(session, organisation.code)]


@router.put("/{code}/figures/{year}", response_model=FiguresRead, responses=problems(401, 403, 404, 413, 415, 422))
def record_figures(
    organisation: OrganisationDep, year: Year, data: FiguresWrite, session: SessionDep, caller: CallerDep
) -> FiguresRead:
    """Report the year's figures with the organisation's own key; fields left out are kept."""
    return FiguresRead.model_validate(
        organisation_service.record_figures(session, organisation.code, year, data, caller)
    )


@router.get("/{code}/api-keys", response_model=ApiKeyPage, responses=problems(401, 403, 404, 422))
def list_api_keys(organisation: OrganisationDep, session: SessionDep, _admin: AdminDep) -> ApiKeyPage:
    """The organisation's keys, without their secrets (admin only)."""
    keys = auth_service.list_keys(session, organisation.code)
    return ApiKeyPage(items=[ApiKeyRead.model_validate(key) for key in keys])


@router.post(
    "/{code}/api-keys", response_model=ApiKeyCreated, status_code=201, responses=problems(401, 403, 404, 413, 415, 422)
)
def create_api_key(
    organisation: OrganisationDep, data: ApiKeyCreate, session: SessionDep, admin: AdminDep
) -> ApiKeyCreated:
    """Mint a key for the organisation (admin only). The secret is in this response and nowhere else;
    the change feed records the key's metadata."""
    key, secret = organisation_service.mint_key(session, organisation.code, data.label, admin)
    return ApiKeyCreated.model_validate(key, update={"secret": secret})


@router.delete("/{code}/api-keys/{key_id}", response_model=ApiKeyRead, responses=problems(401, 403, 404, 422))
def revoke_api_key(
    organisation: OrganisationDep, key_id: uuid.UUID, session: SessionDep, admin: AdminDep
) -> ApiKeyRead:
    """Revoke a key at once (admin only). It stays listed, with `revoked_at` set."""
    key = auth_service.find_key(session, organisation.code, key_id)
    if key is None:
        raise NotFound(f"{organisation.code} has no key with the id {key_id}.")
    return ApiKeyRead.model_validate(organisation_service.revoke_key(session, key, admin))
