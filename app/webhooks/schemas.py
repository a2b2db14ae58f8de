import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints
from sqlmodel import SQLModel

from app.core.enums import Category
from app.core.schemas import OrganisationCode, WriteSchema
from app.webhooks.events import EventSelector
from app.webhooks.models import DeliveryStatus

TargetUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    Field(description="Where to POST: an https:// URL on a public address; redirects are not followed."),
]
CountyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
Events = Annotated[
    list[EventSelector],
    Field(min_length=1, max_length=50, description="Event types, or `group.*` for every type of a group."),
]


class WebhookFilters(WriteSchema):
    """Deliver only entries about these (each filter given must match, by any of its values)."""

    organisations: list[OrganisationCode] = Field(
        default_factory=list, max_length=100, description="Owner, participant, adopter or judge."
    )
    counties: list[CountyCode] = Field(
        default_factory=list, max_length=21, description="County (län) codes of any organisation involved."
    )
    categories: list[Category] = Field(default_factory=list, max_length=20)


class WebhookCreate(WriteSchema):
    url: TargetUrl
    events: Events
    filters: WebhookFilters = Field(default_factory=WebhookFilters)
    description: str | None = Field(default=None, max_length=200)


class WebhookUpdate(WriteSchema):
    url: TargetUrl | None = None
    events: Events | None = None
    filters: WebhookFilters | None = None
    description: str | None = Field(default=None, max_length=200)
    is_active: bool | None = Field(default=None, description="true re-enables a disabled subscription.")


class WebhookRead(SQLModel):
    id: uuid.UUID
    organisation: str | None = Field(description="The owner; null for the admin's subscriptions.")
    url: str
    description: str | None
    events: list[str]
    filters: WebhookFilters
    is_active: bool
    disabled_at: datetime | None
    disabled_reason: str | None = Field(description="Why deliveries stopped, when they did.")
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="`whsec_` + base64 of the signing key. Shown this once: store it.")


class WebhookList(SQLModel):
    items: list[WebhookRead]


class SecretRotated(SQLModel):
    id: uuid.UUID
    secret: str = Field(description="The new signing secret, shown this once.")
    previous_secret_expires_at: datetime = Field(description="Until then deliveries are signed with both secrets.")


class AttemptRead(SQLModel):
    attempted_at: datetime
    status_code: int | None = Field(description="The target's HTTP status; null when it did not answer.")
    latency_ms: int
    error: str | None


class DeliveryRead(SQLModel):
    webhook_id: str = Field(description="The `webhook-id` header: the same on every retry and replay.")
    sequence: int
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None = Field(description="When it is tried next (null once delivered).")
    delivered_at: datetime | None
    attempts: list[AttemptRead] = Field(description="Newest first.")


class DeliveryPage(SQLModel):
    items: list[DeliveryRead]
    next: str | None = Field(description="URL of the next (older) page; null at the end.")


class ReplayResult(SQLModel):
    queued: int = Field(description="Entries queued for delivery again.")
    last_sequence: int = Field(description="The last entry looked at.")
    next: str | None = Field(description="Call this URL to replay the rest; null when all is queued.")
