"""Schemas the analytics features share."""

import uuid

from fastapi import Request
from pydantic import ConfigDict, Field
from sqlmodel import SQLModel

from app.core.enums import Category, InitiativeStatus
from app.core.pagination import CursorField
from app.core.schemas import InputSchema

Cursor = CursorField
Year = Field(default=None, ge=1990, le=2100, description="Default: the latest year with data.")


class QueryModel(InputSchema):
    model_config = ConfigDict(extra="forbid")


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


def next_link(request: Request, cursor: str | None) -> str | None:
    """The URL of the next page: this request's with the cursor replaced."""
    return str(request.url.include_query_params(cursor=cursor)) if cursor else None
