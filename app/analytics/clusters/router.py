from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.analytics.clusters import service as cluster_service
from app.analytics.clusters.schemas import ClusterPage, ClusterQuery
from app.analytics.context import ContextDep
from app.analytics.schemas import next_link
from app.core.problems import problems

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/overlaps", response_model=ClusterPage, responses=problems(422))
def list_overlaps(request: Request, context: ContextDep, query: Annotated[ClusterQuery, Query()]) -> ClusterPage:
    """The national duplication report: clusters of overlapping initiatives across organisations, largest combined budget first."""  # noqa: E501
    page = cluster_service.list_clusters(context, query)
    return page.model_copy(update={"next": next_link(request, page.next)})
