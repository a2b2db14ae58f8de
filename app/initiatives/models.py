import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.enums import Category, InitiativeStatus, ParticipantRole, ParticipationStatus
from app.core.models import empty_list, timestamp_field

REGISTRY_SOURCE = "registry"


class Initiative(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_initiative_updated_at_id", "updated_at", "id"),
        Index("ix_initiative_created_at_id", "created_at", "id"),
        # Filtered lists: a status walks its rows newest first; an organisation's or a county's
        # owners narrow by owner and status before the page is sorted.
        Index("ix_initiative_status_updated_at_id", "status", "updated_at", "id"),
        Index("ix_initiative_owner_code_status_updated_at", "owner_code", "status", "updated_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    title: str = Field(max_length=200)
    summary: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, sa_type=Text)
    owner_code: str = Field(foreign_key="organisation.code", max_length=32)
    status: InitiativeStatus = Field(sa_type=String(32))
    category: Category = Field(sa_type=String(32), index=True)
    start_date: date | None = None
    end_date: date | None = None
    budget_sek: int | None = Field(default=None, sa_type=BigInteger)
    # The budget's part in each year ({"2024": 400000, …}); the KPIs spread `budget_sek` evenly without it.
    budget_by_year: dict[str, int] | None = Field(default=None, sa_type=JSON)
    digital_share: float | None = None
    expected_benefit_sek_per_year: int | None = Field(default=None, sa_type=BigInteger)
    realised_benefit_sek_per_year: int | None = Field(default=None, sa_type=BigInteger)
    benefit_evidence: list[dict[str, Any]] = Field(default_factory=empty_list, sa_type=JSON)
    has_benefit_realisation_plan: bool = False
    strategy_refs: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    solution: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    links: list[dict[str, Any]] = Field(default_factory=empty_list, sa_type=JSON)
    contact: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    source: str = Field(default=REGISTRY_SOURCE, max_length=64)
    external_id: str | None = Field(default=None, max_length=200)
    # Fields changed through the registry on an imported initiative: importers leave them alone.
    registry_edited_fields: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    is_withdrawn_at_source: bool = False
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    version: int = 1
    # No index of its own: nearly every row is unarchived, and such an index lures SQLite's
    # planner away from the (updated_at, id) index that serves the default listing order.
    is_archived: bool = False
    archived_reason: str | None = Field(default=None, max_length=500)
    is_demo: bool = False  # written by the demo loader; `registry demo --remove` deletes it


class InitiativeParticipant(SQLModel, table=True):
    __tablename__ = "initiative_participant"

    initiative_id: uuid.UUID = Field(foreign_key="initiative.id", primary_key=True)
    organisation_code: str = Field(foreign_key="organisation.code", primary_key=True, max_length=32, index=True)
    role: ParticipantRole = Field(sa_type=String(16))
    contribution_sek: int | None = Field(default=None, sa_type=BigInteger)
    steering_seats: int | None = None
    # A claim until the participating organisation confirms it with its own key.
    status: ParticipationStatus = Field(default=ParticipationStatus.claimed, sa_type=String(16))


class InitiativeTag(SQLModel, table=True):
    __tablename__ = "initiative_tag"

    initiative_id: uuid.UUID = Field(foreign_key="initiative.id", primary_key=True)
    tag: str = Field(primary_key=True, max_length=50, index=True)


class InitiativeDocument(SQLModel, table=True):
    """Each initiative as the API reads it, without the fields other domains derive, rendered
    at every write: a read fetches a page's documents in one query instead of reading every
    related table, and the change feed records the same document."""

    __tablename__ = "initiative_document"

    initiative_id: uuid.UUID = Field(foreign_key="initiative.id", primary_key=True)
    version: int  # the initiative's, so a read of one needs no other table for its ETag
    body: str = Field(sa_type=Text)
    # The vocabulary (its digest) the document's concepts were annotated with.
    vocabulary: str = Field(default="", max_length=16)


class InitiativeTerm(SQLModel, table=True):
    """Inverted index for full-text search: one row per stemmed word of an initiative's text.

    Kept in the database (not in a process) so every worker and both engines search the
    same, current index; a prefix range over `term` uses the primary key's B-tree.
    """

    __tablename__ = "initiative_term"

    # Binary collation on PostgreSQL too, so prefix ranges follow code-point order as on SQLite.
    term: str = Field(primary_key=True, sa_type=String(64).with_variant(String(64, collation="C"), "postgresql"))
    initiative_id: uuid.UUID = Field(foreign_key="initiative.id", primary_key=True, index=True)


class StatusChange(SQLModel, table=True):
    __tablename__ = "status_change"

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: uuid.UUID = Field(foreign_key="initiative.id", index=True)
    status: InitiativeStatus = Field(sa_type=String(32))
    changed_date: date | None  # None: the source did not say when (never the import day)
    recorded_at: datetime = timestamp_field()
