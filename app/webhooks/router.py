import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.auth.dependencies import CallerDep
from app.core.db import SessionDep
from app.core.problems import NotFound, problems
from app.webhooks import service as webhook_service
from app.webhooks.models import WebhookSubscription
from app.webhooks.schemas import (
    DeliveryPage,
    ReplayResult,
    SecretRotated,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
Sequence = Annotated[int, Query(ge=0, le=2**63 - 1)]


def owned_webhook(webhook_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> WebhookSubscription:
    subscription = webhook_service.visible(session, webhook_id, caller)
    if subscription is None:
        raise NotFound(f"You have no webhook subscription with the id {webhook_id}.")
    return subscription


WebhookDep = Annotated[WebhookSubscription, Depends(owned_webhook)]


def _allow_private(request: Request) -> bool:
    return request.app.state.settings.webhook_allow_private


@router.post("", response_model=WebhookCreated, status_code=201, responses=problems(401, 403, 413, 415, 422))
def create_webhook(data: WebhookCreate, request: Request, session: SessionDep, caller: CallerDep) -> WebhookCreated:
    """Subscribe a URL to change-feed events; the answer holds the signing secret, shown this once."""
    subscription, secret = webhook_service.create(session, data, caller, allow_private=_allow_private(request))
    return webhook_service.to_created(subscription, secret)


@router.get("", response_model=WebhookList, responses=problems(401))
def list_webhooks(session: SessionDep, caller: CallerDep) -> WebhookList:
    """The caller's subscriptions (the admin sees all)."""
    return WebhookList(items=[webhook_service.to_read(s) for s in webhook_service.list_visible(session, caller)])


@router.get("/{webhook_id}", response_model=WebhookRead, responses=problems(401, 404, 422))
def read_webhook(subscription: WebhookDep) -> WebhookRead:
    """One subscription, with why it was disabled if it was."""
    return webhook_service.to_read(subscription)


@router.patch("/{webhook_id}", response_model=WebhookRead, responses=problems(401, 404, 413, 415, 422))
def update_webhook(subscription: WebhookDep, data: WebhookUpdate, request: Request, session: SessionDep) -> WebhookRead:
    """Change the URL, events, filters or description; `is_active: true` re-enables a disabled subscription."""
    updated = webhook_service.update_subscription(session, subscription, data, allow_private=_allow_private(request))
    return webhook_service.to_read(updated)


@router.delete("/{webhook_id}", status_code=204, responses=problems(401, 404, 422))
def delete_webhook(subscription: WebhookDep, session: SessionDep) -> Response:
    """Delete the subscription and its queued deliveries."""
    webhook_service.delete(session, subscription)
    return Response(status_code=204)


@router.post("/{webhook_id}/rotate-secret", response_model=SecretRotated, responses=problems(401, 404, 422))
def rotate_webhook_secret(subscription: WebhookDep, session: SessionDep) -> SecretRotated:
    """A new signing secret; for 24 hours deliveries carry signatures by both the old and the new one."""
    rotated = webhook_service.rotate_secret(session, subscription)
    assert rotated.previous_secret_expires_at is not None  # set by the rotation
    return SecretRotated(
        id=rotated.id, secret=rotated.secret, previous_secret_expires_at=rotated.previous_secret_expires_at
    )


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage, responses=problems(401, 404, 422))
def list_deliveries(
    subscription: WebhookDep,
    request: Request,
    session: SessionDep,
    before: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="Only deliveries of entries below this sequence.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """Deliveries, newest first, each with its attempts: status, latency and error."""
    items = webhook_service.deliveries(session, subscription, before=before, limit=limit)
    next_url = str(request.url.include_query_params(before=items[-1].sequence)) if len(items) == limit else None
    return DeliveryPage(items=items, next=next_url)


@router.post("/{webhook_id}/replay", response_model=ReplayResult, status_code=202, responses=problems(401, 404, 422))
def replay_webhook(
    subscription: WebhookDep,
    request: Request,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="Redeliver the entries after this sequence.")],
    limit: Annotated[int, Query(ge=1, le=10_000, description="Entries to look at in this call.")] = 10_000,
) -> ReplayResult:
    """Queue the subscription's events after a sequence number again, in order (as its events and filters read now)."""
    progress = webhook_service.replay(session, subscription, after=after, limit=limit)
    next_url = str(request.url.include_query_params(after=progress.last_sequence)) if progress.has_more else None
    return ReplayResult(queued=progress.queued, last_sequence=progress.last_sequence, next=next_url)
