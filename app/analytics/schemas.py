"""Schemas the analytics features share."""

import uuid

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from app.core.enums import Category, InitiativeStatus

Cursor = Field(default=None, max_length=500, description="From the previous page's `next` link.")
Year = Field(default=None, ge=1990, le=2100, description="Default: the latest year with data.")


class QueryModel(BaseModel):
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
