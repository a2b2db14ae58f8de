from datetime import datetime

from pydantic import Field
from sqlmodel import SQLModel

from app.core.schemas import OrganisationCode, WriteSchema

SOURCE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{1,63}$"


class SourceCreate(WriteSchema):
    """Register a partner system; only its owner's keys (and the admin) may then write to it."""

    name: str = Field(
        pattern=SOURCE_NAME_PATTERN,
        description="The system's name, e.g. `stratsys-2281`. `registry`, `pios`, `uttc`, `kolada` and "
        "`file-…` are not available: they are the registry's own and its importers'.",
    )
    owner: OrganisationCode
    description: str | None = Field(default=None, max_length=500)


class SourceRead(SQLModel):
    name: str
    owner: str = Field(description="The organisation whose keys may write to the source.")
    description: str | None
    created_at: datetime


class SourcePage(SQLModel):
    items: list[SourceRead]
    next: str | None = Field(description="Always null: every source is on one page.")
