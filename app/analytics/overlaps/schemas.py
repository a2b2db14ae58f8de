from pydantic import Field
from sqlmodel import SQLModel

from app.analytics.schemas import InitiativeBrief, QueryModel
from app.initiatives.schemas import InitiativeRead


class SimilarQuery(QueryModel):
    min_score: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Lowest score listed, 0–1. Default: only what the service judges to be the same work.",
    )
    limit: int = Field(default=10, ge=1, le=50)


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
