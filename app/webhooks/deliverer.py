"""The deliverer: one process across all workers (the `webhooks` background role) sends the
outbox, each subscription's deliveries in sequence order, at least once.

A subscription's next delivery waits until the one before it has been answered with 2xx, so a
receiver sees the feed in order (a delivery may come twice: a lost answer is retried). A failed
delivery is retried with exponential back-off and jitter; one that keeps failing for
`RETRY_WINDOW`, or a 410 Gone, disables the subscription with the reason. Everything lives in the
database, so a restart, or another process taking the role over, loses nothing.
"""

import logging
import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.changes import service as change_service
from app.core.db import session_scope
from app.core.models import utcnow
from app.core.settings import Settings, get_settings
from app.webhooks import service as webhook_service
from app.webhooks import signing, targets
from app.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

ROLE = "webhooks"
IDLE_SECONDS = 0.25  # between looks at the outbox when nothing is due
RETRY_SECONDS = 5.0  # after losing the database
RETRY_WINDOW = timedelta(hours=24)  # a delivery failing this long disables its subscription
FIRST_DELAY_SECONDS = 5.0
MAX_DELAY_SECONDS = 4 * 3600.0
BATCH = 100  # deliveries to one subscription in a row before the others get their turn
PARALLEL_TARGETS = 8
KEEP_DELIVERED = timedelta(days=30)  # delivered deliveries (and their attempts) are kept this long
PRUNE_EVERY_SECONDS = 3600.0
USER_AGENT = "registry-webhooks/1 (Standard Webhooks)"


def run(engine: Engine, should_go_on: Callable[[], bool]) -> None:
    """The background role: deliver while this process holds it."""
    with Deliverer(engine, get_settings()) as deliverer:
        deliverer.run(should_go_on)


def retry_delay(attempt_count: int, retry_after: float | None = None) -> timedelta:
    """5 s after the first failure, four times as long after each next one, at most 4 hours, each
    ±25 % at random so that failures do not retry in step; a longer `Retry-After` is honoured up to
    the same cap. Retries go on until `RETRY_WINDOW` has passed: about a dozen attempts in 24 hours."""
    exponential = min(FIRST_DELAY_SECONDS * 4 ** min(attempt_count - 1, 10), MAX_DELAY_SECONDS)
    wanted = max(exponential, min(retry_after or 0.0, MAX_DELAY_SECONDS))
    return timedelta(seconds=wanted * random.uniform(0.75, 1.25))


@dataclass(frozen=True)
class Work:
    """One delivery, ready to send."""

    delivery_id: int
    subscription_id: uuid.UUID
    url: str
    keys: list[str]
    webhook_id: str
    body: str


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    retry_after: float | None = None

    @property
    def is_success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        return f"HTTP {self.status_code}" if self.status_code is not None else (self.error or "no answer")


class Deliverer:
    """Sends the outbox: an HTTP client that follows no redirects and times out, and a few threads,
    so that one slow target does not hold up the others."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.client = httpx.Client(
            transport=None if settings.webhook_allow_private else targets.public_only_transport(),
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT, "content-type": "application/json"},
        )
        self.pool = ThreadPoolExecutor(PARALLEL_TARGETS, thread_name_prefix="webhook")

    def __enter__(self) -> "Deliverer":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.pool.shutdown()
        self.client.close()

    def run(self, should_go_on: Callable[[], bool]) -> None:
        next_prune = time.monotonic()
        while should_go_on():
            try:
                if time.monotonic() >= next_prune:
                    prune(self.engine)
                    next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                if not self.deliver_due(should_go_on):
                    time.sleep(IDLE_SECONDS)
            except SQLAlchemyError as error:
                logger.warning("the webhook deliverer could not reach the database (%s); trying again", error)
                time.sleep(RETRY_SECONDS)

    def deliver_due(self, should_go_on: Callable[[], bool] = lambda: True) -> int:
        """Send what is due, subscriptions side by side; returns how many requests were made."""
        with session_scope(self.engine, write=False) as session:
            due = _due_subscriptions(session)
        return sum(self.pool.map(lambda subscription_id: self.drain(subscription_id, should_go_on), due))

    def drain(self, subscription_id: uuid.UUID, should_go_on: Callable[[], bool]) -> int:
        """Send one subscription's due deliveries in sequence order until one fails."""
        sent = 0
        while sent < BATCH and should_go_on() and (work := self._next(subscription_id)) is not None:
            outcome = self._send(work)
            self._settle(work, outcome)
            sent += 1
            if not outcome.is_success:
                break
        return sent

    def _next(self, subscription_id: uuid.UUID) -> Work | None:
        with session_scope(self.engine, write=False) as session:
            subscription = session.get(WebhookSubscription, subscription_id)
            if subscription is None or not subscription.is_active:
                return None
            head = session.exec(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.status == DeliveryStatus.pending
                )
                .order_by(col(WebhookDelivery.sequence))
                .limit(1)
            ).first()
            if head is None or head.id is None or head.next_attempt_at > utcnow():
                return None
            return _work(session, subscription, head)

    def _send(self, work: Work) -> Outcome:
        refusal = targets.refusal(work.url, allow_private=self.settings.webhook_allow_private)
        if refusal is not None:
            return Outcome(None, 0, f"not sent: the URL {refusal}")
        headers = signing.headers(work.keys, work.webhook_id, utcnow().replace(microsecond=0), work.body)
        started = time.perf_counter()
        try:
            response = self.client.post(work.url, content=work.body.encode(), headers=headers)
        except httpx.HTTPError as error:
            return Outcome(None, _elapsed_ms(started), f"{type(error).__name__}: {error}"[:500])
        return Outcome(response.status_code, _elapsed_ms(started), retry_after=_retry_after(response))

    def _settle(self, work: Work, outcome: Outcome) -> None:
        now = utcnow()
        with session_scope(self.engine) as session:
            session.add(
                WebhookAttempt(
                    delivery_id=work.delivery_id,
                    attempted_at=now,
                    status_code=outcome.status_code,
                    latency_ms=outcome.latency_ms,
                    error=outcome.error,
                )
            )
            delivery = session.get(WebhookDelivery, work.delivery_id)
            if delivery is None:  # the subscription was deleted meanwhile
                return
            delivery.attempt_count += 1
            if outcome.is_success:
                delivery.status, delivery.delivered_at = DeliveryStatus.delivered, now
            else:
                _schedule_retry(session, delivery, outcome, now)
            session.add(delivery)


def prune(engine: Engine) -> int:
    """Forget deliveries delivered more than `KEEP_DELIVERED` ago, with their attempts; how many."""
    with session_scope(engine) as session:
        statement = delete(WebhookDelivery).where(
            col(WebhookDelivery.status) == DeliveryStatus.delivered,
            col(WebhookDelivery.delivered_at) < utcnow() - KEEP_DELIVERED,
        )
        return session.connection().execute(statement).rowcount


def _due_subscriptions(session: Session) -> list[uuid.UUID]:
    """Active subscriptions with a pending delivery that is due (their first pending one may not be)."""
    statement = (
        select(WebhookDelivery.subscription_id)
        .join(WebhookSubscription, col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id))
        .where(
            col(WebhookSubscription.is_active).is_(True),
            col(WebhookDelivery.status) == DeliveryStatus.pending,
            col(WebhookDelivery.next_attempt_at) <= utcnow(),
        )
        .distinct()
    )
    return list(session.exec(statement))


def _work(session: Session, subscription: WebhookSubscription, delivery: WebhookDelivery) -> Work:
    [entry] = change_service.entries(session, [delivery.sequence])
    data = change_service.served_item(entry)  # the feed's item exactly, `leaf_hash` included
    return Work(
        delivery_id=delivery.id or 0,
        subscription_id=subscription.id,
        url=subscription.url,
        keys=webhook_service.signing_keys(subscription),
        webhook_id=signing.message_id(delivery.sequence),
        body=signing.body(delivery.event_type, data),
    )


def _schedule_retry(session: Session, delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    delivery.first_failed_at = delivery.first_failed_at or now
    delivery.next_attempt_at = now + retry_delay(delivery.attempt_count, outcome.retry_after)
    subscription = session.get(WebhookSubscription, delivery.subscription_id)
    if subscription is None:
        return
    if outcome.status_code == httpx.codes.GONE:
        webhook_service.disable(subscription, "The target answered 410 Gone: it wants no more deliveries.")
    elif now - delivery.first_failed_at >= RETRY_WINDOW:
        webhook_service.disable(
            subscription,
            f"Deliveries have failed since {delivery.first_failed_at:%Y-%m-%d %H:%M} UTC "
            f"({delivery.attempt_count} attempts at sequence {delivery.sequence}; the last: {outcome.describe()}).",
        )
    session.add(subscription)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
