import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from app.core.models import empty_dict, empty_list, timestamp_field

# 64-bit on PostgreSQL; SQLite's INTEGER primary key is already 64-bit (and must stay INTEGER to autoincrement).
BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its turn or for its next attempt
    delivered = "delivered"  # answered with 2xx


class WebhookSubscription(SQLModel, table=True):
    """Where to send which change-feed events, and with which secret. `organisation_code` is the
    owner (None: the admin's); `secret` is kept to sign with, and shown to the owner only once."""

    __tablename__ = "webhook_subscription"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_code: str | None = Field(default=None, foreign_key="organisation.code", index=True, max_length=32)
    url: str = Field(max_length=2000)
    description: str | None = Field(default=None, max_length=200)
    events: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    filters: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSON)
    secret: str = Field(max_length=100)
    # After a rotation the old secret signs too, until `previous_secret_expires_at` (zero-downtime rotation).
    previous_secret: str | None = Field(default=None, max_length=100)
    previous_secret_expires_at: datetime | None = None
    is_active: bool = True
    disabled_at: datetime | None = None
    disabled_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class WebhookDelivery(SQLModel, table=True):
    """The outbox: one change-feed entry to deliver to one subscription. Written in the transaction
    that writes the entry; `pending` until a 2xx answer, retried meanwhile."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "sequence"),
        Index("ix_webhook_delivery_subscription_id_status_sequence", "subscription_id", "status", "sequence"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    subscription_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("webhook_subscription.id", ondelete="CASCADE"), nullable=False)
    )
    # A change-feed entry that is deleted (demo records are) takes its deliveries with it.
    sequence: int = Field(
        sa_column=Column(BigInteger, ForeignKey("change.sequence", ondelete="CASCADE"), nullable=False)
    )
    event_type: str = Field(max_length=32)
    status: DeliveryStatus = Field(sa_type=String(16))
    attempt_count: int = 0
    next_attempt_at: datetime
    first_failed_at: datetime | None = None
    delivered_at: datetime | None = None
    created_at: datetime = timestamp_field()


class WebhookAttempt(SQLModel, table=True):
    """One HTTP request of a delivery: its answer's status (None: no answer) and how long it took."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    delivery_id: int = Field(
        sa_column=Column(BIG_ID, ForeignKey("webhook_delivery.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    attempted_at: datetime = timestamp_field()
    status_code: int | None = None
    latency_ms: int
    error: str | None = Field(default=None, max_length=500)
