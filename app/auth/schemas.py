import uuid
from datetime import datetime

from pydantic import Field
from sqlmodel import SQLModel

from app.core.schemas import WriteSchema


class ApiKeyCreate(WriteSchema):
    label: str | None = Field(default=None, max_length=200, description="Who or what uses the key.")


class ApiKeyRead(SQLModel):
    id: uuid.UUID
    organisation_code: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    secret: str = Field(description="The key itself. Shown only in this response; store it now.")


class ApiKeyPage(SQLModel):
    items: list[ApiKeyRead]
    next: str | None = None
