import uuid
from datetime import datetime

from pydantic import Field
from sqlmodel import SQLModel

from app.analytics.schemas import InitiativeBrief, QueryModel
from app.core.enums import Verdict
from app.core.schemas import WriteSchema
from app.initiatives.schemas import InitiativeRead
from app.language.schemas import ConceptRef


class SimilarQuery(QueryModel):
    min_score: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Lowest score listed, 0–1; the index keeps pairs from 0.1 up. "
        "Default: only what the service takes to be the same work.",
    )
    limit: int = Field(default=10, ge=1, le=50)


class JudgementWrite(WriteSchema):
    multiline_fields = frozenset({"note"})

    verdict: Verdict = Field(
        description="`same`: the same work (always listed and clustered); `related`: related work "
        "(listed, never clustered); `different`: different work (never listed, clustered or flagged)."
    )
    note: str | None = Field(default=None, max_length=2000)


class JudgementRead(SQLModel):
    initiative_id: uuid.UUID
    other_id: uuid.UUID
    judge: str = Field(description="The judging organisation's code, or `admin`.")
    verdict: Verdict
    note: str | None
    created_at: datetime
    updated_at: datetime


class JudgementList(SQLModel):
    items: list[JudgementRead]
    verdict: Verdict | None = Field(description="The judges' common verdict; null when none or when they disagree.")


class SharedWord(SQLModel):
    word: str = Field(description="As this initiative writes it.")
    other_word: str = Field(description="As the other initiative writes it.")


class OverlapExplanation(SQLModel):
    concepts: list[ConceptRef] = Field(description="Concepts both are about, most telling first.")
    shared_words: list[SharedWord] = Field(description="Words both use, heaviest first, each side's own form.")
    same_category: bool
    same_solution: bool = Field(description="Both name the same solution (product).")
    is_coordinated: bool = Field(
        description=(
            "One owner already takes part in the other's initiative, or has recorded an adoption of it"
            " that it has not abandoned."
        )
    )
    verdict: Verdict | None = Field(
        description="What people's judgements decide: their verdict when all agree, else null."
    )
    judgements: list[JudgementRead]


class OverlapMatch(SQLModel):
    initiative: InitiativeRead
    score: float = Field(ge=0, le=1, description="How much the two texts share, 0–1 (docs/analytics/overlap.md).")
    explanation: OverlapExplanation


class OverlapMatchList(SQLModel):
    items: list[OverlapMatch]
    next: None = Field(default=None, description="Always null: the list is the best `limit` matches.")


class SimilarRead(SQLModel):
    """An overlap as the web shows it: the other initiative in brief."""

    initiative: InitiativeBrief
    score: float
    explanation: OverlapExplanation
