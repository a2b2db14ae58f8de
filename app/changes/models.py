import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel

from app.core.enums import ActorKind, ChangeAction
from app.core.models import empty_dict, timestamp_field


class Change(SQLModel, table=True):
    """The audit trail and the change feed in one: every write, in commit order.

    `snapshot` is the entity as it reads after the write, so a partner can mirror the
    registry by replaying the feed; `changes` holds each changed field's old and new value.
    """

    # 64-bit on PostgreSQL; SQLite's INTEGER primary key is already 64-bit (and must stay INTEGER to autoincrement).
    sequence: int | None = Field(default=None, primary_key=True, sa_type=BigInteger().with_variant(Integer, "sqlite"))
    entity: str = Field(max_length=16)
    entity_id: uuid.UUID = Field(index=True)
    initiative_id: uuid.UUID | None = Field(default=None, index=True)  # None for organisation figures and keys
    action: ChangeAction = Field(sa_type=String(16))
    version: int | None = None
    occurred_at: datetime = timestamp_field()
    actor_kind: ActorKind = Field(sa_type=String(16))
    actor_key_id: uuid.UUID | None = None
    actor_organisation_code: str | None = Field(default=None, max_length=32)
    changes: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSON)
    snapshot: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSON)
    # The entry as the feed serves it, in RFC 8785 canonical JSON, written once with the row:
    # the leaf of the verifiable log, at `leaf_index` (its position in sequence order, from 0).
    leaf: bytes = Field(sa_type=LargeBinary)
    leaf_index: int = Field(unique=True, sa_type=BigInteger().with_variant(Integer, "sqlite"))
