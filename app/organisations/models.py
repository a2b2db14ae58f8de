from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlmodel import Field, SQLModel

from app.core.enums import OrganisationKind
from app.core.models import timestamp_field


class Organisation(SQLModel, table=True):
    # Natural key: kommunkod (4 digits), county code for regions (2 digits),
    # organisation number for federations and companies.
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200, index=True)
    kind: OrganisationKind = Field(sa_type=String(32), index=True)
    county_code: str | None = Field(default=None, max_length=2, index=True)
    note: str | None = Field(default=None, max_length=1000)


class OrganisationMember(SQLModel, table=True):
    __tablename__ = "organisation_member"

    organisation_code: str = Field(foreign_key="organisation.code", primary_key=True, max_length=32)
    member_code: str = Field(foreign_key="organisation.code", primary_key=True, max_length=32)


class OrganisationYear(SQLModel, table=True):
    """Yearly figures: Kolada's population and costs, and the KPI inputs an organisation reports."""

    __tablename__ = "organisation_year"

    organisation_code: str = Field(foreign_key="organisation.code", primary_key=True, max_length=32)
    year: int = Field(primary_key=True)
    population: int | None = None
    total_turnover_sek: int | None = Field(default=None, sa_type=BigInteger)
    net_cost_sek: int | None = Field(default=None, sa_type=BigInteger)
    datasets_held: int | None = None
    datasets_used: int | None = None
    kpi_set_size: int | None = None
    kpis_added: int | None = None
    kpis_retired: int | None = None
    updated_at: datetime = timestamp_field()
    is_demo: bool = False  # written by the demo loader
