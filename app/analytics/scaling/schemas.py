import uuid

from pydantic import Field
from sqlmodel import SQLModel

from app.analytics.schemas import Cursor, InitiativeBrief, QueryModel
from app.core.enums import Category
from app.initiatives.schemas import BenefitEvidence, InitiativeRead


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
