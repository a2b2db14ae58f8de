import uuid
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import SQLModel

from app.analytics.flags import Flag, FlagRead
from app.core.enums import Category, InitiativeStatus
from app.initiatives.schemas import BenefitEvidence, InitiativeRead

Cursor = Field(default=None, max_length=500, description="From the previous page's `next` link.")
Year = Field(default=None, ge=1990, le=2100, description="Default: the latest year with data.")


class QueryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SimilarQuery(QueryModel):
    min_score: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Lowest score listed, 0–1. Default: only what the service judges to be the same work.",
    )
    limit: int = Field(default=10, ge=1, le=50)


class ClusterQuery(QueryModel):
    county: str | None = Field(
        default=None, max_length=2, description="Only initiatives whose owner is in this county."
    )
    category: Category | None = Field(default=None, description="Only initiatives in this category.")
    min_organisations: int = Field(default=2, ge=2, le=1000, description="Clusters spanning at least this many.")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Cursor


class CandidateQuery(QueryModel):
    """Filters for proven initiatives to take over; all combine with AND."""

    for_organisation: str | None = Field(
        default=None,
        max_length=32,
        description="Estimate for this organisation only (see docs/analytics/scaling.md for who counts).",
    )
    category: Category | None = None
    county: str | None = Field(default=None, max_length=2, description="The owner's county code, e.g. 22.")
    limit: int = Field(default=20, ge=1, le=200)
    cursor: str | None = Cursor


class PageQuery(QueryModel):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Cursor


class NationalCandidateQuery(QueryModel):
    limit: int = Field(default=50, ge=1, le=200)


class KpiQuery(QueryModel):
    year: int | None = Year


class KpiAggregateQuery(QueryModel):
    level: Literal["county", "national"]
    year: int | None = Year
    county: str | None = Field(default=None, max_length=2, description="With level=county: only this county.")

    @model_validator(mode="after")
    def county_only_for_county_level(self) -> Self:
        if self.county is not None and self.level != "county":
            raise ValueError("county applies only with level=county")
        return self


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
    score: float = Field(description="Weighted word and character similarity, 0–1 (docs/analytics/overlap.md).")
    shared_tags: list[str]
    shared_terms: list[str] = Field(description="The word stems that weigh most in the score, heaviest first.")
    has_same_solution: bool
    is_coordinated: bool = Field(
        description="One owner already takes part in the other's initiative, or has recorded an adoption of it."
    )


class SimilarRead(Match):
    initiative: InitiativeBrief


class OverlapExplanation(SQLModel):
    shared_terms: list[str] = Field(description="Shared tags, then the word stems that weigh most, heaviest first.")
    same_category: bool
    same_solution: bool = Field(description="Both name the same solution (product).")
    is_coordinated: bool = Field(
        description="One owner already takes part in the other's initiative, or has recorded an adoption of it."
    )


class OverlapMatch(SQLModel):
    initiative: InitiativeRead
    score: float = Field(ge=0, le=1, description="Weighted word and character similarity (docs/analytics/overlap.md).")
    explanation: OverlapExplanation


class OverlapMatchList(SQLModel):
    items: list[OverlapMatch]
    next: None = Field(default=None, description="Always null: the list is the best `limit` matches.")


class ClusterRead(SQLModel):
    id: uuid.UUID = Field(description="The smallest member id: stable while the cluster keeps that member.")
    label_terms: list[str] = Field(description="Tags, then word stems, that the members share most, heaviest first.")
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
    flag: Flag
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
        description="Realised benefit scaled by population: for `for_organisation`, or summed over those lacking it."
    )
    monthly_opportunity_cost_sek: int | None = Field(description="estimated_annual_benefit_sek ÷ 12.")
    lacking_count: int = Field(description="Organisations the estimate covers: 1 with `for_organisation`.")
    own_related_initiative_id: uuid.UUID | None = Field(
        description="With `for_organisation`: its own initiative in the same cluster, if any."
    )
    missing: list[str] = Field(description="Inputs the estimate lacks, e.g. `population`.")


class ScalingCandidate(SQLModel):
    initiative: InitiativeRead = Field(description="The proven initiative.")
    estimated_annual_benefit_sek: int | None = Field(
        description="realised_benefit_sek_per_year × population(here) ÷ population(owner); null when one is missing."
    )
    monthly_opportunity_cost_sek: int | None = Field(description="estimated_annual_benefit_sek ÷ 12.")
    own_related_initiative_id: uuid.UUID | None = Field(description="The organisation's own initiative in the cluster.")
    evidence: list[BenefitEvidence] = Field(description="The proven initiative's benefit evidence.")
    assumptions: list[str]
    missing: list[str] = Field(description="Inputs the estimate lacks, e.g. `population`, never guessed.")


class ScalingCandidateList(SQLModel):
    items: list[ScalingCandidate]
    next: str | None = Field(description="URL of the next page, or null on the last page.")


class NationalScalingCandidate(SQLModel):
    initiative: InitiativeRead = Field(description="The proven initiative.")
    organisations_without: int = Field(description="Peer organisations that do not run it or its cluster's like.")
    annual_opportunity_cost_sek: int | None = Field(
        description="Σ over those organisations of the population-scaled benefit; "
        "null when the owner's population is missing."
    )
    monthly_opportunity_cost_sek: int | None = Field(description="annual_opportunity_cost_sek ÷ 12.")
    missing: list[str] = Field(description="Inputs the estimate lacks.")


class NationalScalingCandidateList(SQLModel):
    items: list[NationalScalingCandidate]
    next: None = Field(default=None, description="Always null: the list is the top `limit`.")


class KpiValueRead(SQLModel):
    key: str
    name: str
    definition: str = Field(description="One line: how the value is computed.")
    value: float | None = Field(description="Null when an input is missing; never a guess.")
    unit: str
    inputs: dict[str, Any] = Field(description="The numbers the value is computed from, by name.")
    missing_inputs: list[str]


class KpiReport(SQLModel):
    level: Literal["organisation", "county", "national"]
    code: str = Field(description="Organisation code, county code or SE.")
    name: str
    year: int
    kpis: list[KpiValueRead]


class KpiReportList(SQLModel):
    items: list[KpiReport]
    next: None = None
