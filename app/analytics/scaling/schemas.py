import uuid

from pydantic import Field
from sqlmodel import SQLModel

from app.analytics.schemas import Cursor, QueryModel
from app.core.enums import Basis, Category
from app.initiatives.schemas import BenefitEvidence, InitiativeRead


class CandidateQuery(QueryModel):
    basis: Basis | None = Field(
        default=Basis.known_need,
        description="`known_need` (default): organisations building what the initiative already does; "
        "`potential`: organisations that report to the registry and have recorded nothing like it. "
        "Send `basis=` empty for both.",
    )
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Cursor


class NationalCandidateQuery(QueryModel):
    category: Category | None = None
    county: str | None = Field(
        default=None,
        max_length=2,
        description="The owner's county code, e.g. 22 (a federation whose members span counties is in each).",
    )
    limit: int = Field(default=50, ge=1, le=200)


class Cost(SQLModel):
    annual_sek: int | None = Field(description="Population-scaled realised benefit per year; null when unknown.")
    monthly_sek: int | None = Field(description="annual_sek ÷ 12: what each month of waiting costs.")


class CostInputs(SQLModel):
    """The formula's inputs: realised benefit × population here ÷ population of the owner."""

    realised_benefit_sek_per_year: int
    owner_population: int | None
    population: int | None = Field(description="The candidate organisation's population.")


class CandidateEvidence(SQLModel):
    """Why the organisation is a candidate."""

    own_initiative_id: uuid.UUID | None = Field(
        description="For a known need: the organisation's own initiative that does the same work."
    )
    judged_same: bool = Field(description="People judged the two initiatives to be the same work.")
    note: str = Field(description="What the registry knows, and does not know, in one sentence.")


class ScalingCandidate(SQLModel):
    initiative: InitiativeRead = Field(description="The proven initiative.")
    basis: Basis
    evidence: CandidateEvidence
    cost: Cost
    inputs: CostInputs
    benefit_evidence: list[BenefitEvidence] = Field(description="The proven initiative's benefit evidence.")
    assumptions: list[str]
    missing: list[str] = Field(description="Inputs the estimate lacks, e.g. `population`, never guessed.")


class ScalingCandidateList(SQLModel):
    items: list[ScalingCandidate]
    next: str | None = Field(description="URL of the next page, or null on the last page.")


class Coverage(SQLModel):
    """How much of the country the estimates can see."""

    reporting_organisations: int = Field(
        description="Organisations that registered an initiative in the last two years."
    )
    organisations: int = Field(description="Municipalities and regions in the registry.")


class NationalScalingCandidate(SQLModel):
    initiative: InitiativeRead = Field(description="The proven initiative.")
    organisations_without: int = Field(description="Organisations it is a candidate for: known need + potential.")
    known_need_count: int
    potential_count: int
    known_need_cost: Cost = Field(description="Σ over the known needs: what totals and rankings use.")
    potential_cost: Cost = Field(description="Σ over the potential candidates: never added to the known cost.")
    missing: list[str] = Field(description="Inputs the estimates lack.")


class NationalScalingCandidateList(SQLModel):
    items: list[NationalScalingCandidate]
    coverage: Coverage
    next: None = Field(default=None, description="Always null: the list is the top `limit`.")
