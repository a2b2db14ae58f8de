import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, text
from sqlmodel import Field, SQLModel

from app.core.models import empty_dict, timestamp_field

RUNNING = text("status = 'running'")


class ImportCounts(SQLModel):
    """What a run did with the records; the run's own columns, and part of its API form."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0


class ImportRun(ImportCounts, table=True):
    __tablename__ = "import_run"
    # At most one run of a source in progress, even when two start at the same moment.
    __table_args__ = (
        Index("ix_import_run_source_running", "source", unique=True, sqlite_where=RUNNING, postgresql_where=RUNNING),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    source: str = Field(max_length=64, index=True)
    status: str = Field(default="running", max_length=16)
    is_dry_run: bool = False
    parameters: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSON)
    started_at: datetime = timestamp_field(index=True)
    finished_at: datetime | None = None
    # Renewed while the run's process works; a running run whose heartbeat stopped is dead.
    heartbeat_at: datetime = timestamp_field()
    error: str | None = Field(default=None, sa_type=Text)


class ImportRejection(SQLModel, table=True):
    __tablename__ = "import_rejection"

    id: int | None = Field(default=None, primary_key=True)
    run_id: uuid.UUID = Field(foreign_key="import_run.id", index=True)
    location: str = Field(max_length=200)
    external_id: str | None = Field(default=None, max_length=200)
    reason: str = Field(sa_type=Text)


class SourceCacheEntry(SQLModel, table=True):
    """Validators from a source's last response, for conditional requests."""

    __tablename__ = "source_cache_entry"

    url: str = Field(primary_key=True, max_length=1000)
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    updated_at: datetime = timestamp_field()
