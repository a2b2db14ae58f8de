from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.models import timestamp_field


class Source(SQLModel, table=True):
    """A partner system registered to write through the partner API, and the organisation whose
    keys may write to it."""

    __tablename__ = "source"

    name: str = Field(primary_key=True, max_length=64)
    owner_code: str = Field(foreign_key="organisation.code", max_length=32, index=True)
    description: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field()
