"""Subscriptions: who may see and change them, their secrets, their deliveries and replays."""

import uuid
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth import permissions
from app.changes import service as change_service
from app.core.caller import Caller
from app.core.models import utcnow
from app.core.problems import InvalidParameter, ValidationFailed
from app.webhooks import outbox, signing, targets
from app.webhooks.events import Entry
from app.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookFilters,
    WebhookRead,
    WebhookUpdate,
)

ROTATION_OVERLAP = timedelta(hours=24)  # how long the old secret still signs after a rotation
REPLAY_BATCH = 1000


class ReplayProgress(NamedTuple):
    queued: int  # deliveries queued again
    last_sequence: int  # the last entry looked at
    has_more: bool  # entries after it remain


def create(
    session: Session, data: WebhookCreate, caller: Caller, *, allow_private: bool
) -> tuple[WebhookSubscription, str]:
    """A subscription owned by the caller's organisation (the admin's own when the admin asks),
    with its secret, which is returned this once."""
    _check_target(data.url, allow_private)
    subscription = WebhookSubscription(
        organisation_code=None if caller.is_admin else caller.organisation_code,
        url=data.url,
        description=data.description,
        events=list(dict.fromkeys(data.events)),
        filters=data.filters.model_dump(mode="json"),
        secret=signing.new_secret(),
    )
    session.add(subscription)
    session.flush()
    return subscription, subscription.secret


def visible(session: Session, subscription_id: uuid.UUID, caller: Caller) -> WebhookSubscription | None:
    """The subscription if the caller owns it (the admin sees all): another organisation's is as
    good as absent."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or not _owns(caller, subscription):
        return None
    return subscription


def list_visible(session: Session, caller: Caller) -> list[WebhookSubscription]:
    statement = select(WebhookSubscription).order_by(col(WebhookSubscription.created_at))
    if not caller.is_admin:
        statement = statement.where(WebhookSubscription.organisation_code == caller.organisation_code)
    return list(session.exec(statement))


def update_subscription(
    session: Session, subscription: WebhookSubscription, data: WebhookUpdate, *, allow_private: bool
) -> WebhookSubscription:
    changed = data.model_dump(exclude_unset=True, exclude={"is_active"}, mode="json")
    if data.url is not None:
        _check_target(data.url, allow_private)
    for name, value in changed.items():
        if value is not None or name == "description":
            setattr(subscription, name, value)
    if data.is_active is not None and data.is_active != subscription.is_active:
        if data.is_active:
            enable(session, subscription)
        else:
            disable(subscription, "Disabled by its owner.")
    subscription.updated_at = utcnow()
    session.add(subscription)
    session.flush()
    return subscription


def enable(session: Session, subscription: WebhookSubscription) -> None:
    """Deliver again, starting at once with what is still pending."""
    subscription.is_active, subscription.disabled_at, subscription.disabled_reason = True, None, None
    session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.subscription_id) == subscription.id,
            col(WebhookDelivery.status) == DeliveryStatus.pending,
        )
        .values(next_attempt_at=utcnow(), first_failed_at=None)
    )


def disable(subscription: WebhookSubscription, reason: str) -> None:
    """Stop delivering; what is pending stays queued for when the owner enables it again."""
    subscription.is_active, subscription.disabled_at, subscription.disabled_reason = False, utcnow(), reason


def rotate_secret(session: Session, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new secret; the old one signs beside it for `ROTATION_OVERLAP`, so receivers can switch
    without losing a delivery."""
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = utcnow() + ROTATION_OVERLAP
    subscription.secret = signing.new_secret()
    subscription.updated_at = utcnow()
    session.add(subscription)
    session.flush()
    return subscription


def delete(session: Session, subscription: WebhookSubscription) -> None:
    """Delete it with its outbox and attempts (the database cascades)."""
    session.delete(subscription)
    session.flush()


def signing_keys(subscription: WebhookSubscription) -> list[str]:
    """The secrets that sign its deliveries now: the current one, and the previous one while it overlaps."""
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and expires > utcnow():
        return [subscription.secret, subscription.previous_secret]
    return [subscription.secret]


def to_read(subscription: WebhookSubscription) -> WebhookRead:
    return WebhookRead(
        id=subscription.id,
        organisation=subscription.organisation_code,
        url=subscription.url,
        description=subscription.description,
        events=subscription.events,
        filters=WebhookFilters.model_validate(subscription.filters),
        is_active=subscription.is_active,
        disabled_at=subscription.disabled_at,
        disabled_reason=subscription.disabled_reason,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )


def to_created(subscription: WebhookSubscription, secret: str) -> WebhookCreated:
    return WebhookCreated(**to_read(subscription).model_dump(), secret=secret)


def deliveries(
    session: Session, subscription: WebhookSubscription, *, before: int | None, limit: int
) -> list[DeliveryRead]:
    """The newest deliveries first (those below sequence `before`, when given), with their attempts."""
    statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if before is not None:
        statement = statement.where(col(WebhookDelivery.sequence) < before)
    found = list(session.exec(statement.order_by(col(WebhookDelivery.sequence).desc()).limit(limit)))
    attempts = _attempts(session, [delivery.id for delivery in found if delivery.id is not None])
    return [_delivery_read(delivery, attempts.get(delivery.id, [])) for delivery in found]


def _attempts(session: Session, delivery_ids: list[int]) -> dict[int | None, list[AttemptRead]]:
    statement = (
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(delivery_ids))
        .order_by(col(WebhookAttempt.id).desc())
    )
    grouped: dict[int | None, list[AttemptRead]] = {}
    for attempt in session.exec(statement):
        grouped.setdefault(attempt.delivery_id, []).append(AttemptRead.model_validate(attempt, from_attributes=True))
    return grouped


def _delivery_read(delivery: WebhookDelivery, attempts: list[AttemptRead]) -> DeliveryRead:
    is_pending = delivery.status == DeliveryStatus.pending
    return DeliveryRead(
        webhook_id=signing.message_id(delivery.sequence),
        sequence=delivery.sequence,
        event_type=delivery.event_type,
        status=delivery.status,
        attempt_count=delivery.attempt_count,
        next_attempt_at=delivery.next_attempt_at if is_pending else None,
        delivered_at=delivery.delivered_at,
        attempts=attempts,
    )


def replay(session: Session, subscription: WebhookSubscription, *, after: int, limit: int) -> ReplayProgress:
    """Queue again, in sequence order, the entries after `after` that the subscription wants (as its
    events and filters read now), looking at `limit` entries at most."""
    queued, last, looked = 0, after, 0
    while looked < limit:
        page = change_service.list_changes(session, after=last, limit=min(REPLAY_BATCH, limit - looked))
        if not page:
            break
        entries = [Entry(c.sequence or 0, c.entity, c.action, c.initiative_id, c.snapshot) for c in page]
        wanted = outbox.matches(session, [subscription], entries)
        outbox.requeue(session, subscription.id, wanted)
        queued, last, looked = queued + len(wanted), entries[-1].sequence, looked + len(page)
    return ReplayProgress(queued, last, change_service.latest_sequence(session) > last)


def _owns(caller: Caller, subscription: WebhookSubscription) -> bool:
    if subscription.organisation_code is None:
        return caller.is_admin
    return permissions.may_act_for(caller, subscription.organisation_code)


def _check_target(url: str, allow_private: bool) -> None:
    reason = targets.refusal(url, allow_private=allow_private)
    if reason is not None:
        raise ValidationFailed(
            f"The webhook URL {reason}.", [InvalidParameter(property="url", reason=reason, value=url)]
        )
