import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AnyHttpUrl, ConfigDict, Field, StrictBool
from sqlmodel import SQLModel

from app.core.pagination import CursorField
from app.core.schemas import Day, InputSchema, WriteSchema
from app.imports.models import ImportCounts


class ImportStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    not_modified = "not_modified"


class RejectionRead(SQLModel):
    id: int
    location: str = Field(description="Where in the source: `line 12`, `row 7`, `record P-42`.")
    external_id: str | None
    reason: str


class ImportRunRead(ImportCounts):
    id: uuid.UUID
    source: str
    status: ImportStatus
    is_dry_run: bool
    parameters: dict[str, Any] = Field(description="What the run was asked to do, and notes such as ignored columns.")
    started_at: datetime
    finished_at: datetime | None
    error: str | None


class ImportRunDetail(ImportRunRead):
    rejections: list[RejectionRead] = Field(description="Rejected records, in source order, a page at a time.")
    rejections_next: str | None = Field(description="URL of the next page of rejections, or null.")


class ImportRunPage(SQLModel):
    items: list[ImportRunRead]
    next: str | None = Field(description="URL of the next page, or null on the last page.")


class ImportRunQuery(InputSchema):
    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(default=None, max_length=64, description="Only runs of this source.")
    status: ImportStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = CursorField


class ImportRequest(WriteSchema):
    """Start an import from a national source. Spreadsheet files are imported with the CLI."""

    source: Literal["pios", "uttc", "kolada"]
    url: AnyHttpUrl | None = Field(default=None, description="Fetch from here instead of the mapping's URL.")
    since: Day | None = Field(default=None, description="Only records changed since (pios), years since (kolada).")
    dry_run: StrictBool = Field(default=False, description="Validate and count, write nothing but the run record.")
