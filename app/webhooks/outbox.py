"""The outbox: deliveries queued in the same transaction as the change-feed entries they announce,
so a committed change is always delivered and a rolled-back one never is."""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core.db import bulk_insert
from app.core.models import utcnow
from app.initiatives import reads as initiative_reads
from app.organisations import service as organisation_service
from app.webhooks.events import Concerns, Entry, event_type, has_filters, is_selected, named_organisation, passes
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription


class Wanted(NamedTuple):
    subscription_id: uuid.UUID
    entry: Entry
    event_type: str


ACTIVE = select(WebhookSubscription).where(col(WebhookSubscription.is_active).is_(True))


def queue_recorded(session: Session, changes: list[dict[str, Any]]) -> None:
    """The change feed's listener (`app.changes.service.listen`): queue what `record` just appended
    for every active subscription that wants it. One small query when nobody subscribes."""
    subscriptions = list(session.exec(ACTIVE))
    if not subscriptions:
        return
    entries = [
        Entry(change["sequence"], change["entity"], change["action"], change.get("initiative_id"), change["snapshot"])
        for change in changes
    ]
    bulk_insert(session, WebhookDelivery, _new_rows(matches(session, subscriptions, entries)))


def matches(session: Session, subscriptions: Sequence[WebhookSubscription], entries: Sequence[Entry]) -> list[Wanted]:
    """Each entry each subscription wants, with its event type, in entry order."""
    typed = [(entry, name) for entry in entries if (name := event_type(entry.entity, entry.action))]
    filtered = [subscription for subscription in subscriptions if has_filters(subscription.filters)]
    concerns = _concerns(session, [entry for entry, _name in typed]) if filtered else {}
    return [
        Wanted(subscription.id, entry, name)
        for subscription in subscriptions
        for entry, name in typed
        if is_selected(name, subscription.events)
        and (subscription not in filtered or passes(subscription.filters, concerns[entry.sequence]))
    ]


def requeue(session: Session, subscription_id: uuid.UUID, wanted: list[Wanted]) -> None:
    """Queue these again for the subscription: deliveries that exist become due now, the others are added."""
    found = (
        col(WebhookDelivery.subscription_id) == subscription_id,
        col(WebhookDelivery.sequence).in_([item.entry.sequence for item in wanted]),
    )
    existing = set(session.exec(select(WebhookDelivery.sequence).where(*found)))
    session.execute(
        update(WebhookDelivery)
        .where(*found)
        .values(status=DeliveryStatus.pending, next_attempt_at=utcnow(), first_failed_at=None, delivered_at=None)
    )
    bulk_insert(session, WebhookDelivery, _new_rows([item for item in wanted if item.entry.sequence not in existing]))


def _new_rows(wanted: Iterable[Wanted]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "subscription_id": subscription_id,
            "sequence": entry.sequence,
            "event_type": name,
            "status": DeliveryStatus.pending.value,
            "attempt_count": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for subscription_id, entry, name in wanted
    ]


def _concerns(session: Session, entries: list[Entry]) -> dict[int, Concerns]:
    """What each entry is about (`Concerns`), as the registry reads now (just after the change, for the outbox)."""
    initiative_ids = list({entry.initiative_id for entry in entries if entry.initiative_id is not None})
    rows = {row.id: row for row in initiative_reads.rows(session, initiative_ids)}
    involved: dict[uuid.UUID | None, set[str]] = {row.id: {row.owner_code} for row in rows.values()}
    # A claimed participant is told too: the claim asks it to confirm or decline.
    for participation in initiative_reads.participations(session, initiative_ids, confirmed_only=False):
        involved[participation.initiative_id].add(participation.organisation_code)
    organisations = {entry.sequence: involved.get(entry.initiative_id, set()) | _named(entry) for entry in entries}
    labels = organisation_service.labels_by_code(session, set().union(*organisations.values()))
    counties = {code: label.county_code for code, label in labels.items() if label.county_code}
    return {
        entry.sequence: Concerns(
            organisation_codes=frozenset(organisations[entry.sequence]),
            county_codes=frozenset(counties[code] for code in organisations[entry.sequence] if code in counties),
            category=str(rows[entry.initiative_id].category) if entry.initiative_id in rows else None,
        )
        for entry in entries
    }


def _named(entry: Entry) -> set[str]:
    code = named_organisation(entry.snapshot)
    return {code} if code else set()
