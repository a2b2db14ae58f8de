import uuid

from pydantic import Field
from sqlmodel import SQLModel

from app.core.enums import Category, Flag, InitiativeStatus
from app.initiatives.schemas import FlagRead


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
