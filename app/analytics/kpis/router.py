from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from app.analytics.context import ContextDep
from app.analytics.kpis import service as kpi_service
from app.analytics.kpis.schemas import KpiAggregateQuery, KpiQuery, KpiReport, KpiReportList
from app.core.problems import problems
from app.organisations.dependencies import OrganisationDep

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/organisations/{code}/kpis", response_model=KpiReport, responses=problems(404, 422))
def get_organisation_kpis(
    organisation: OrganisationDep, context: ContextDep, query: Annotated[KpiQuery, Query()]
) -> KpiReport:
    """The seven transformation KPIs of the organisation for a year, with their inputs and definitions."""
    profile = context.organisations.profiles[organisation.code]
    return kpi_service.kpis_for(context, profile, query.year, date.today())


@router.get("/kpis", response_model=KpiReportList, responses=problems(422))
def list_kpis(context: ContextDep, query: Annotated[KpiAggregateQuery, Query()]) -> KpiReportList:
    """The seven KPIs summed over each county's organisations, or over the whole country."""
    return KpiReportList(
        items=kpi_service.kpis_aggregate(
            context, level=query.level, year=query.year, county=query.county, today=date.today()
        )
    )
