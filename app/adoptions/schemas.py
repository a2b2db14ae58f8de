import uuid
from datetime import date, datetime

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema
from sqlmodel import SQLModel

from app.core.enums import AdoptionStatus
from app.core.schemas import Day, OrganisationCode, WriteSchema


class AdoptionCreate(WriteSchema):
    multiline_fields = frozenset({"note"})

    organisation: OrganisationCode = Field(description="The adopting organisation; the key must be its own.")
    status: AdoptionStatus
    since_date: Day | None = None
    own_initiative_id: uuid.UUID | None = Field(
        default=None, description="The adopter's own initiative that implements it, if any."
    )
    note: str | None = Field(default=None, max_length=2000)


class AdoptionUpdate(WriteSchema):
    multiline_fields = frozenset({"note"})

    status: AdoptionStatus | SkipJsonSchema[None] = Field(default=None, description="May be left out, not cleared.")
    since_date: Day | None = None
    own_initiative_id: uuid.UUID | None = None
    note: str | None = Field(default=None, max_length=2000)


class AdoptionRead(SQLModel):
    id: uuid.UUID
    organisation: str
    initiative_id: uuid.UUID
    status: AdoptionStatus
    since_date: date | None
    own_initiative_id: uuid.UUID | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class AdoptionPage(SQLModel):
    items: list[AdoptionRead]
    next: str | None = None
