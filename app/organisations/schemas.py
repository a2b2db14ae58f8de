from datetime import datetime

from pydantic import Field
from sqlmodel import SQLModel

from app.core.enums import OrganisationKind
from app.core.schemas import WriteSchema


class OrganisationRead(SQLModel):
    code: str
    name: str
    kind: OrganisationKind
    county_code: str | None
    note: str | None = None
    member_codes: list[str] = Field(default_factory=list, description="Members of a federation or company.")


class OrganisationPage(SQLModel):
    items: list[OrganisationRead]
    next: str | None


class FiguresBase(SQLModel):
    population: int | None = Field(default=None, ge=0)
    total_turnover_sek: int | None = Field(default=None, ge=0)
    net_cost_sek: int | None = Field(default=None, ge=0)
    datasets_held: int | None = Field(default=None, ge=0)
    datasets_used: int | None = Field(default=None, ge=0)
    kpi_set_size: int | None = Field(default=None, ge=0)
    kpis_added: int | None = Field(default=None, ge=0)
    kpis_retired: int | None = Field(default=None, ge=0)


class FiguresWrite(FiguresBase, WriteSchema):
    """Yearly figures to record; fields left out keep their current value."""


class FiguresRead(FiguresBase):
    organisation_code: str
    year: int
    updated_at: datetime
