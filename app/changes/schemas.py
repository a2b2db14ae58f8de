import uuid
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlmodel import SQLModel

from app.core.enums import ActorKind, ChangeAction


class ChangeRead(SQLModel):
    """A change-feed entry as it is written once, the leaf of the verifiable log."""

    sequence: int
    entity: str = Field(
        description="`initiative`, `adoption`, `judgement`, `figures` (an organisation's year) or `api_key`."
    )
    entity_id: uuid.UUID = Field(
        description="For `figures`, the UUID v5 of `{organisation_code}/{year}` in the figures namespace."
    )
    initiative_id: uuid.UUID | None = Field(description="Null for organisation figures and API keys.")
    action: ChangeAction
    version: int | None
    occurred_at: datetime
    actor_kind: ActorKind
    actor_key_id: uuid.UUID | None
    actor_organisation_code: str | None
    changes: dict[str, Any] = Field(description='Each changed field as {"old": …, "new": …}.')
    snapshot: dict[str, Any] = Field(description="The entity as it reads after this change.")


class FeedItem(ChangeRead):
    leaf_hash: str = Field(
        description="SHA-256(0x00 ‖ the RFC 8785 canonical JSON of this item without `leaf_hash`), standard base64."
    )


class ChangePage(SQLModel):
    items: list[FeedItem]
    next: str | None = Field(description="URL of the next page; null when the feed is exhausted for now.")
    last_sequence: int = Field(description="Resume from here: pass it as `after` in the next request.")


class HistoryEntry(SQLModel):
    sequence: int
    action: ChangeAction
    entity: str
    version: int | None
    occurred_at: datetime
    actor_kind: ActorKind
    actor_key_id: uuid.UUID | None
    actor_organisation_code: str | None
    changes: dict[str, Any]


class HistoryRead(SQLModel):
    items: list[HistoryEntry]
