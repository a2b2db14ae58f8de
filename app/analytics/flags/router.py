from fastapi import APIRouter

from app.analytics.context import ContextDep
from app.analytics.flags import service as flag_service
from app.analytics.flags.schemas import PortfolioRead
from app.core.problems import problems
from app.organisations.dependencies import OrganisationDep

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/organisations/{code}/portfolio", response_model=PortfolioRead, responses=problems(404, 422))
def get_portfolio(organisation: OrganisationDep, context: ContextDep) -> PortfolioRead:
    """The organisation's live initiatives with their flags, and the budget behind each flag."""
    return flag_service.portfolio(context, context.organisations.profiles[organisation.code])
