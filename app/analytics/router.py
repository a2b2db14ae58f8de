"""Analytics: overlaps and duplication, scaling candidates with their opportunity cost, portfolio flags, and KPIs."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.analytics import service as analytics_service
from app.analytics.schemas import (
    ClusterPage,
    ClusterQuery,
    KpiAggregateQuery,
    KpiQuery,
    KpiReport,
    KpiReportList,
    NationalCandidateQuery,
    NationalScalingCandidateList,
    OverlapMatchList,
    PageQuery,
    PortfolioRead,
    ScalingCandidateList,
    SimilarQuery,
)
from app.core.db import SessionDep
from app.core.problems import problems
from app.initiatives.dependencies import InitiativeDep
from app.organisations.dependencies import OrganisationDep

router = APIRouter(prefix="/api/v1", tags=["analytics"])


def next_link(request: Request, cursor: str | None) -> str | None:
    return str(request.url.include_query_params(cursor=cursor)) if cursor else None


@router.get("/initiatives/{initiative_id}/overlaps", response_model=OverlapMatchList, responses=problems(404, 422))
def list_initiative_overlaps(
    initiative: InitiativeDep, session: SessionDep, query: Annotated[SimilarQuery, Query()]
) -> OverlapMatchList:
    """Other organisations' initiatives that address the same problem, best first (none for an archived one)."""
    return OverlapMatchList(
        items=analytics_service.find_overlaps(session, initiative.id, limit=query.limit, min_score=query.min_score)
    )


@router.get("/overlaps", response_model=ClusterPage, responses=problems(422))
def list_overlaps(request: Request, session: SessionDep, query: Annotated[ClusterQuery, Query()]) -> ClusterPage:
    """The national duplication report: clusters of overlapping initiatives across organisations, largest combined budget first."""  # noqa: E501
    page = analytics_service.list_clusters(session, query)
    return page.model_copy(update={"next": next_link(request, page.next)})


@router.get("/scaling-candidates", response_model=NationalScalingCandidateList, responses=problems(422))
def list_scaling_candidates(
    session: SessionDep, query: Annotated[NationalCandidateQuery, Query()]
) -> NationalScalingCandidateList:
    """Proven initiatives ranked by the annual benefit lost over every organisation that has not adopted them."""
    return NationalScalingCandidateList(items=analytics_service.national_scaling_candidates(session, limit=query.limit))


@router.get(
    "/organisations/{code}/scaling-candidates", response_model=ScalingCandidateList, responses=problems(404, 422)
)
def list_organisation_scaling_candidates(
    request: Request, organisation: OrganisationDep, session: SessionDep, query: Annotated[PageQuery, Query()]
) -> ScalingCandidateList:
    """Proven solutions the organisation lacks, with the benefit lost each month it waits, most costly first."""
    items, cursor = analytics_service.scaling_candidates_for(
        session, organisation, limit=query.limit, cursor=query.cursor
    )
    return ScalingCandidateList(items=items, next=next_link(request, cursor))


@router.get("/organisations/{code}/portfolio", response_model=PortfolioRead, responses=problems(404, 422))
def get_portfolio(organisation: OrganisationDep, session: SessionDep) -> PortfolioRead:
    """The organisation's live initiatives with their flags, and the budget behind each flag."""
    return analytics_service.portfolio(session, organisation)


@router.get("/organisations/{code}/kpis", response_model=KpiReport, responses=problems(404, 422))
def get_organisation_kpis(
    organisation: OrganisationDep, session: SessionDep, query: Annotated[KpiQuery, Query()]
) -> KpiReport:
    """The seven transformation KPIs of the organisation for a year, with their inputs and definitions."""
    return analytics_service.kpis_for(session, organisation, query.year, date.today())


@router.get("/kpis", response_model=KpiReportList, responses=problems(422))
def list_kpis(session: SessionDep, query: Annotated[KpiAggregateQuery, Query()]) -> KpiReportList:
    """The seven KPIs summed over each county's organisations, or over the whole country."""
    return KpiReportList(
        items=analytics_service.kpis_aggregate(
            session, level=query.level, year=query.year, county=query.county, today=date.today()
        )
    )
