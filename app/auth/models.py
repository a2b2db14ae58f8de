import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.models import timestamp_field


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_code: str = Field(foreign_key="organisation.code", index=True, max_length=32)
    label: str | None = Field(default=None, max_length=200)
    # SHA-256 of a 256-bit random secret: a slow hash adds nothing for secrets this long.
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = None


class EndedWebSession(SQLModel, table=True):
    """A web session signed out before its cookie expired: a kept copy of the cookie is refused.

    Rows are useless once `expires_at` has passed (the cookie's own age limit refuses it then),
    and sign-out removes those.
    """

    __tablename__ = "ended_web_session"

    id: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)
