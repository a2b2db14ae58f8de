import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from app.analytics.flags import FlagKind
from app.core.enums import Category, InitiativeStatus, OrganisationKind

MIN_OVERLAP_SCORE = 0.15
Cursor = Field(default=None, max_length=500, description="From the previous page's `next` link.")


class QueryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OverlapQuery(QueryModel):
    """Filters for the registry-wide overlap list; all combine with AND."""

    min_score: float = Field(default=0.25, ge=MIN_OVERLAP_SCORE, le=1, description="Lowest score listed, 0.15–1.")
    organisation: str | None = Field(default=None, max_length=32, description="One of the two owners has this code.")
    county: str | None = Field(default=None, max_length=2, description="Both owners are in this county, e.g. 22.")
    category: Category | None = Field(default=None, description="At least one of the two is in this category.")
    include_coordinated: bool = Field(
        default=True, description="false: only pairs whose owners have not already joined or adopted the other's.",
    )
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Cursor


class SimilarQuery(QueryModel):
    min_score: float = Field(default=0.15, ge=MIN_OVERLAP_SCORE, le=1, description="Lowest score listed, 0.15–1.")
    limit: int = Field(default=10, ge=1, le=50)


class ClusterQuery(QueryModel):
    county: str | None = Field(default=None, max_length=2,
                               description="Only initiatives whose owner is in this county.")
    category: Category | None = Field(default=None, description="Only initiatives in this category.")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Cursor


class CandidateQuery(QueryModel):
    """Filters for proven initiatives to take over; all combine with AND."""

    for_organisation: str | None = Field(
        default=None, max_length=32,
        description="Estimate for this organisation, leaving out what it owns, joins, adopted or has as a member.",
    )
    category: Category | None = None
    county: str | None = Field(default=None, max_length=2, description="The owner's county code, e.g. 22.")
    limit: int = Field(default=20, ge=1, le=200)
    cursor: str | None = Cursor


class InitiativeBrief(SQLModel):
    id: uuid.UUID
    title: str
    owner: str
    owner_name: str
    county_code: str | None
    status: InitiativeStatus
    category: Category
    budget_sek: int | None
    realised_benefit_sek_per_year: int | None


class Match(SQLModel):
    score: float = Field(description="Cosine similarity of the two initiatives' TF-IDF vectors, 0–1.")
    shared_tags: list[str]
    shared_terms: list[str] = Field(description="The word stems that weigh most in the score, heaviest first.")
    has_same_solution: bool
    is_coordinated: bool = Field(
        description="One owner already takes part in the other's initiative, or has recorded an adoption of it."
    )


class OverlapRead(Match):
    initiatives: list[InitiativeBrief] = Field(min_length=2, max_length=2)


class OverlapPage(SQLModel):
    items: list[OverlapRead]
    next: str | None = Field(description="URL of the next page, or null on the last page.")


class SimilarRead(Match):
    initiative: InitiativeBrief


class SimilarPage(SQLModel):
    items: list[SimilarRead]
    next: None = Field(default=None, description="Always null: the list is the best `limit` matches.")


class ClusterRead(SQLModel):
    id: uuid.UUID = Field(description="The smallest member id: stable while the group keeps that member.")
    label_terms: list[str] = Field(description="Tags, then word stems, that the members share most, heaviest first.")
    organisation_count: int
    combined_budget_sek: int = Field(description="Σ of the members' budgets (unknown budgets count 0).")
    members: list[InitiativeBrief]


class ClusterPage(SQLModel):
    items: list[ClusterRead]
    next: str | None = Field(description="URL of the next page, or null on the last page.")
    total_count: int = Field(description="Groups matching the filters, on every page.")
    total_budget_sek: int = Field(description="Σ combined budget of the groups matching the filters.")


class FlagRead(SQLModel):
    flag: FlagKind
    explanation: str
    proven_initiative_id: uuid.UUID | None = Field(description="For `pilot_of_proven`: the proven initiative.")


class FlagList(SQLModel):
    items: list[FlagRead]
    next: None = None


class PortfolioItemRead(SQLModel):
    id: uuid.UUID
    title: str
    status: InitiativeStatus
    category: Category
    budget_sek: int | None
    flags: list[FlagRead]


class FlagSummary(SQLModel):
    flag: FlagKind
    count: int
    budget_sek: int = Field(description="Σ budget of the flagged initiatives (unknown budgets count 0).")


class PortfolioRead(SQLModel):
    organisation: str
    initiative_count: int
    total_budget_sek: int
    flags: list[FlagSummary] = Field(description="Each flag that occurs, in flag order.")
    initiatives: list[PortfolioItemRead] = Field(description="Live initiatives the organisation owns, by title.")


class CandidateRead(SQLModel):
    initiative: InitiativeBrief
    estimated_annual_benefit_sek: int | None = Field(
        description="Realised benefit scaled by population: for `for_organisation`, or summed over peers lacking it."
    )
    monthly_opportunity_cost_sek: int | None = Field(description="estimated_annual_benefit_sek ÷ 12.")
    lacking_count: int = Field(description="Organisations the estimate covers: 1 with `for_organisation`.")
    own_related_initiative_id: uuid.UUID | None = Field(
        description="With `for_organisation`: its own initiative about the same thing, if any."
    )
    missing: list[str] = Field(description="Inputs the estimate lacks, e.g. `population`.")


class CandidatePage(SQLModel):
    items: list[CandidateRead]
    next: str | None = Field(description="URL of the next page, or null on the last page.")


class KpiValueRead(SQLModel):
    key: str
    value: float | None = Field(description="Null when an input is missing; never a guess.")
    numerator: float | None
    denominator: float | None
    missing_inputs: list[str]


class KpiReport(SQLModel):
    year: int
    kpis: list[KpiValueRead]


class KpiReportList(SQLModel):
    organisation: str
    kind: OrganisationKind
    items: list[KpiReport] = Field(description="One report per year with figures, oldest first.")
    next: None = None


class KpiDefinitionRead(SQLModel):
    key: str
    name: str
    unit: str
    formula: str


class KpiDefinitionList(SQLModel):
    items: list[KpiDefinitionRead]
    next: None = None
