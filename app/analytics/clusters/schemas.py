import uuid

from pydantic import Field
from sqlmodel import SQLModel

from app.analytics.schemas import Cursor, InitiativeBrief, QueryModel
from app.core.enums import Category
from app.language.schemas import ConceptRef


class ClusterQuery(QueryModel):
    county: str | None = Field(
        default=None,
        max_length=2,
        description="Only initiatives whose owner is in this county "
        "(a federation whose members span counties is in each).",
    )
    category: Category | None = Field(default=None, description="Only initiatives in this category.")
    min_organisations: int = Field(default=2, ge=2, le=1000, description="Clusters spanning at least this many.")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Cursor


class ClusterRead(SQLModel):
    id: uuid.UUID = Field(description="The smallest member id: stable while the cluster keeps that member.")
    label: str = Field(description="In Swedish: the most specific concept most members share.")
    concepts: list[ConceptRef] = Field(description="The concepts most members share, most specific first.")
    organisation_codes: list[str]
    organisation_count: int
    combined_budget_sek: int = Field(
        description="Σ of the members' budgets spent in parallel (unknown budgets count 0)."
    )
    members: list[InitiativeBrief]


class ClusterPage(SQLModel):
    items: list[ClusterRead]
    next: str | None = Field(description="URL of the next page, or null on the last page.")
    total_count: int = Field(description="Clusters matching the filters, on every page.")
    total_budget_sek: int = Field(description="Σ combined budget of the clusters matching the filters.")
