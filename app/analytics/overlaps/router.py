from typing import Annotated

from fastapi import APIRouter, Query

from app.analytics.context import ContextDep
from app.analytics.overlaps import service as overlap_service
from app.analytics.overlaps.schemas import OverlapMatchList, SimilarQuery
from app.core.problems import problems
from app.initiatives.dependencies import InitiativeDep

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/initiatives/{initiative_id}/overlaps", response_model=OverlapMatchList, responses=problems(404, 422))
def list_initiative_overlaps(
    initiative: InitiativeDep, context: ContextDep, query: Annotated[SimilarQuery, Query()]
) -> OverlapMatchList:
    """Other organisations' initiatives that address the same problem, best first (none for an archived one)."""
    return OverlapMatchList(
        items=overlap_service.find_overlaps(context, initiative.id, limit=query.limit, min_score=query.min_score)
    )
