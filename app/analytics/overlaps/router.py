import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.analytics.context import ContextDep
from app.analytics.overlaps import judgements
from app.analytics.overlaps import service as overlap_service
from app.analytics.overlaps.schemas import JudgementList, JudgementRead, JudgementWrite, OverlapMatchList, SimilarQuery
from app.auth.dependencies import CallerDep
from app.core.db import SessionDep
from app.core.problems import problems
from app.initiatives.dependencies import InitiativeDep

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/initiatives/{initiative_id}/overlaps", response_model=OverlapMatchList, responses=problems(404, 422))
def list_initiative_overlaps(
    initiative: InitiativeDep, context: ContextDep, query: Annotated[SimilarQuery, Query()]
) -> Response:
    """Other organisations' initiatives that do the same work, best first, with why (none for an
    archived one). Pairs people judged the same or related are always listed, those judged
    different never."""
    # Written as JSON directly, as an initiative's own read is; the model is declared for the
    # OpenAPI document, and the tests validate the same JSON into it.
    found = overlap_service.overlaps_json(context, initiative.id, limit=query.limit, min_score=query.min_score)
    return Response(found, media_type="application/json")


@router.get(
    "/initiatives/{initiative_id}/overlaps/{other_id}/judgements",
    response_model=JudgementList,
    responses=problems(404, 422),
)
def list_judgements(initiative: InitiativeDep, other_id: uuid.UUID, session: SessionDep) -> JudgementList:
    """Every judgement of the pair, and what they decide."""
    found = judgements.of_pair(session, initiative.id, other_id)
    return JudgementList(items=found, verdict=judgements.verdict(found))


@router.put(
    "/initiatives/{initiative_id}/overlaps/{other_id}/judgement",
    response_model=JudgementRead,
    responses=problems(401, 403, 404, 413, 415, 422),
)
def put_judgement(
    caller: CallerDep, initiative: InitiativeDep, other_id: uuid.UUID, data: JudgementWrite, session: SessionDep
) -> JudgementRead:
    """Say whether the pair is the same work, related or different: with a key of an owner or
    participant of either initiative (judging for that organisation), or the admin's."""
    return judgements.judge(session, initiative.id, other_id, data, caller)


@router.delete(
    "/initiatives/{initiative_id}/overlaps/{other_id}/judgement",
    status_code=204,
    responses=problems(401, 403, 404, 422),
)
def delete_judgement(
    caller: CallerDep, initiative: InitiativeDep, other_id: uuid.UUID, session: SessionDep
) -> Response:
    """Withdraw one's own judgement of the pair; the history keeps it."""
    judgements.withdraw(session, initiative.id, other_id, caller)
    return Response(status_code=204)
