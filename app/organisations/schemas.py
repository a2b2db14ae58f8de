from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from app.core.enums import OrganisationKind
from app.core.schemas import Count, Money, WriteSchema


class OrganisationRead(SQLModel):
    code: str
    name: str
    kind: OrganisationKind
    county_code: str | None = Field(
        description="The county it is in; a federation's is the one all its members are in "
        "(null when they span counties)."
    )
    county_codes: list[str] = Field(
        default_factory=list,
        description="Every county it is in: its own, or for a federation whose members span counties, each "
        "county a member is in. County views of the analytics use these.",
    )
    note: str | None = None
    member_codes: list[str] = Field(default_factory=list, description="Members of a federation or company.")


class OrganisationPage(SQLModel):
    items: list[OrganisationRead]
    next: str | None


class FiguresBase(BaseModel):
    population: Count | None = None
    total_turnover_sek: Money | None = None
    net_cost_sek: Money | None = None
    datasets_held: Count | None = None
    datasets_used: Count | None = None
    kpi_set_size: Count | None = None
    kpis_added: Count | None = None
    kpis_retired: Count | None = None


class FiguresWrite(FiguresBase, WriteSchema):
    """Yearly figures to record; fields left out keep their current value."""


class FiguresRead(FiguresBase):
    model_config = ConfigDict(from_attributes=True)

    organisation_code: str
    year: int
    updated_at: datetime
