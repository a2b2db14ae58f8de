import uuid
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlmodel import SQLModel

from app.core.enums import ActorKind, ChangeAction


class ChangeRead(SQLModel):
    sequence: int
    entity: str = Field(description="`initiative` or `adoption`.")
    entity_id: uuid.UUID
    initiative_id: uuid.UUID
    action: ChangeAction
    version: int | None
    occurred_at: datetime
    actor_kind: ActorKind
    actor_key_id: uuid.UUID | None
    actor_organisation_code: str | None
    changes: dict[str, Any] = Field(description='Each changed field as {"old": …, "new": …}.')
    snapshot: dict[str, Any] = Field(description="The entity as it reads after this change.")


class ChangePage(SQLModel):
    items: list[ChangeRead]
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
