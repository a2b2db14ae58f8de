from typing import Any, Literal

from pydantic import Field
from sqlmodel import SQLModel

from app.analytics.schemas import QueryModel, Year


class KpiQuery(QueryModel):
    year: int | None = Year


class KpiAggregateQuery(QueryModel):
    level: Literal["county", "national"]
    year: int | None = Year
    # Not refused with level=national: a query's parameters cannot depend on each other in an
    # OpenAPI document, and the service accepts what its document allows.
    county: str | None = Field(
        default=None, max_length=2, description="With level=county: only this county. Ignored with level=national."
    )


class KpiValueRead(SQLModel):
    key: str
    name: str
    definition: str = Field(description="One line: how the value is computed.")
    value: float | None = Field(description="Null when an input is missing; never a guess.")
    unit: str
    inputs: dict[str, Any] = Field(
        description="What the value is computed from, by name: numbers, how each year's spend was found "
        "(`spend_basis_*`), and for opportunity cost its monthly value and the days its candidates "
        "(`candidates_as_of`) and overlaps (`overlaps_as_of`) are from."
    )
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
