import uuid
from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.enums import AdoptionStatus
from app.core.models import timestamp_field


class Adoption(SQLModel, table=True):
    """One organisation's own statement that it uses another's initiative (as KITOS records usage)."""

    __table_args__ = (UniqueConstraint("organisation_code", "initiative_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_code: str = Field(foreign_key="organisation.code", index=True, max_length=32)
    initiative_id: uuid.UUID = Field(foreign_key="initiative.id", index=True)
    status: AdoptionStatus = Field(sa_type=String(16))
    since_date: date | None = None
    own_initiative_id: uuid.UUID | None = Field(default=None, foreign_key="initiative.id")
    note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    is_demo: bool = False  # written by the demo loader
