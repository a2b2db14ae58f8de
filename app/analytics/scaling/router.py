from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.analytics.context import ContextDep
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import (
    CandidateQuery,
    NationalCandidateQuery,
    NationalScalingCandidateList,
    ScalingCandidateList,
)
from app.analytics.schemas import next_link
from app.core.problems import problems
from app.organisations.dependencies import OrganisationDep

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/scaling-candidates", response_model=NationalScalingCandidateList, responses=problems(422))
def list_scaling_candidates(
    context: ContextDep, query: Annotated[NationalCandidateQuery, Query()]
) -> NationalScalingCandidateList:
    """Proven initiatives ranked by the annual benefit forgone by organisations building the same
    (known need); potential candidates are counted and costed apart (docs/analytics/scaling.md)."""
    return NationalScalingCandidateList(
        items=scaling_service.national_candidates(context, query), coverage=scaling_service.coverage(context)
    )


@router.get(
    "/organisations/{code}/scaling-candidates", response_model=ScalingCandidateList, responses=problems(404, 422)
)
def list_organisation_scaling_candidates(
    request: Request, organisation: OrganisationDep, context: ContextDep, query: Annotated[CandidateQuery, Query()]
) -> ScalingCandidateList:
    """Proven solutions the organisation is a candidate for, with the benefit lost each month it
    waits, most costly first: known needs by default (`basis`)."""
    profile = context.organisations.profiles[organisation.code]
    items, cursor = scaling_service.candidates_for(context, profile, query)
    return ScalingCandidateList(items=items, next=next_link(request, cursor))
