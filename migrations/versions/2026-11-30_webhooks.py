"""signed webhooks: subscriptions, the delivery outbox and its attempts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 19:00:00

Deliveries are queued in the transaction that writes each change-feed entry and sent by the
`webhooks` background role (`app.webhooks`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 64-bit on PostgreSQL; SQLite's INTEGER primary key is already 64-bit (and must stay INTEGER to autoincrement).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_code", sa.String(length=32), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("previous_secret", sa.String(length=100), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_code"], ["organisation.code"], name="fk_webhook_subscription_organisation_code_organisation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscription"),
    )
    op.create_index("ix_webhook_subscription_organisation_code", "webhook_subscription", ["organisation_code"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name="fk_webhook_delivery_subscription_id_webhook_subscription",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sequence"], ["change.sequence"], name="fk_webhook_delivery_sequence_change", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery"),
        sa.UniqueConstraint("subscription_id", "sequence", name="uq_webhook_delivery_subscription_id_sequence"),
    )
    op.create_index(
        "ix_webhook_delivery_subscription_id_status_sequence",
        "webhook_delivery",
        ["subscription_id", "status", "sequence"],
    )
    op.create_table(
        "webhook_attempt",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("delivery_id", BIG_ID, nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_delivery.id"],
            name="fk_webhook_attempt_delivery_id_webhook_delivery",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_attempt"),
    )
    op.create_index("ix_webhook_attempt_delivery_id", "webhook_attempt", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_webhook_attempt_delivery_id", table_name="webhook_attempt")
    op.drop_table("webhook_attempt")
    op.drop_index("ix_webhook_delivery_subscription_id_status_sequence", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_subscription_organisation_code", table_name="webhook_subscription")
    op.drop_table("webhook_subscription")
