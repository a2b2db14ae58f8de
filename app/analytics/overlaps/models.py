import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.enums import Verdict
from app.core.models import empty_list, timestamp_field


class OverlapPair(SQLModel, table=True):
    """`other_id` is among `initiative_id`'s closest matches (or a person judged the two the same
    or related); kept by the indexer (`app.analytics.indexer`). A pair may be listed from one
    side or from both; its score and `same_work` are the same either way. `same_work`: the
    machine takes the two to be the same work (`thresholds`), whatever people judged."""

    __tablename__ = "overlap_pair"

    initiative_id: uuid.UUID = Field(primary_key=True)
    other_id: uuid.UUID = Field(primary_key=True, index=True)
    score: float
    same_work: bool = False


class OverlapProfile(SQLModel, table=True):
    """What explains an initiative's overlaps, in the public's words: its concepts, its heaviest
    words as it writes them, and its named solution; kept by the indexer."""

    __tablename__ = "overlap_profile"

    initiative_id: uuid.UUID = Field(primary_key=True)
    # [[concept id, weight], …] and [[lemma, word as written, weight], …], heaviest first.
    concepts: list[Any] = Field(default_factory=empty_list, sa_type=JSON)
    words: list[Any] = Field(default_factory=empty_list, sa_type=JSON)
    solution: str | None = Field(default=None, max_length=200)


class OverlapJudgement(SQLModel, table=True):
    """A person's verdict on a pair: the same work, related, or different. One per pair and
    judge (an organisation's code, or `admin`); `first_id` < `second_id`."""

    __tablename__ = "overlap_judgement"
    __table_args__ = (UniqueConstraint("first_id", "second_id", "judge"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    first_id: uuid.UUID = Field(foreign_key="initiative.id", index=True)
    second_id: uuid.UUID = Field(foreign_key="initiative.id", index=True)
    judge: str = Field(max_length=32)
    verdict: Verdict = Field(sa_type=String(16))
    note: str | None = Field(default=None, max_length=2000)
    actor_key_id: uuid.UUID | None = None
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
