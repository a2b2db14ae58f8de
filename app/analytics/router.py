"""Analytics: overlaps and duplication, flags, scaling candidates with their opportunity cost, and KPIs."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.analytics import service as analytics_service
from app.analytics.schemas import (
    CandidatePage, CandidateQuery, ClusterPage, ClusterQuery, FlagList, KpiDefinitionList, KpiReportList,
    OverlapPage, OverlapQuery, PortfolioRead, SimilarPage, SimilarQuery,
)
from app.core.db import SessionDep
from app.core.problems import problems
from app.initiatives.dependencies import InitiativeDep
from app.organisations.dependencies import OrganisationDep

router = APIRouter(prefix="/api/v1", tags=["analytics"])


def next_link(request: Request, cursor: str | None) -> str | None:
    return str(request.url.include_query_params(cursor=cursor)) if cursor else None


@router.get("/overlaps", response_model=OverlapPage, responses=problems(422))
def list_overlaps(request: Request, session: SessionDep, query: Annotated[OverlapQuery, Query()]) -> OverlapPage:
    """Pairs of initiatives in different organisations that look like the same work, most alike first."""
    items, cursor = analytics_service.list_overlaps(session, query)
    return OverlapPage(items=items, next=next_link(request, cursor))


@router.get("/duplication-clusters", response_model=ClusterPage, responses=problems(422))
def list_duplication_clusters(
    request: Request, session: SessionDep, query: Annotated[ClusterQuery, Query()]
) -> ClusterPage:
    """Groups of organisations building the same thing separately, largest combined budget first."""
    page = analytics_service.list_clusters(session, query)
    return page.model_copy(update={"next": next_link(request, page.next)})


@router.get("/initiatives/{initiative_id}/overlaps", response_model=SimilarPage, responses=problems(404, 422))
def list_initiative_overlaps(
    initiative: InitiativeDep, session: SessionDep, query: Annotated[SimilarQuery, Query()]
) -> SimilarPage:
    """Other organisations' initiatives most like this one (none for an archived initiative)."""
    return SimilarPage(items=analytics_service.list_similar(session, initiative.id, query))


@router.get("/initiatives/{initiative_id}/flags", response_model=FlagList, responses=problems(404, 422))
def list_initiative_flags(initiative: InitiativeDep, session: SessionDep) -> FlagList:
    """What to look at before more money goes into this initiative."""
    return FlagList(items=analytics_service.initiative_flags(session, initiative.id))


@router.get("/scaling-candidates", response_model=CandidatePage, responses=problems(422))
def list_scaling_candidates(
    request: Request, session: SessionDep, query: Annotated[CandidateQuery, Query()]
) -> CandidatePage:
    """Proven initiatives others lack, and the benefit lost each month they wait, most costly first."""
    items, cursor = analytics_service.list_candidates(session, query)
    return CandidatePage(items=items, next=next_link(request, cursor))


@router.get("/organisations/{code}/portfolio", response_model=PortfolioRead, responses=problems(404, 422))
def get_portfolio(organisation: OrganisationDep, session: SessionDep) -> PortfolioRead:
    """The organisation's live initiatives with their flags, and the budget behind each flag."""
    return analytics_service.portfolio(session, organisation)


@router.get("/organisations/{code}/kpis", response_model=KpiReportList, responses=problems(404, 422))
def list_organisation_kpis(organisation: OrganisationDep, session: SessionDep) -> KpiReportList:
    """The seven transformation KPIs for each year the organisation has figures for."""
    return analytics_service.kpi_reports(session, organisation, date.today())


@router.get("/kpi-definitions", response_model=KpiDefinitionList)
def list_kpi_definitions() -> KpiDefinitionList:
    """What each KPI measures: formula and unit."""
    return KpiDefinitionList(items=analytics_service.kpi_definitions())
