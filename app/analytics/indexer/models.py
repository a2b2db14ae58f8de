from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from app.core.models import timestamp_field


class IndexerState(SQLModel, table=True):
    """How far the indexer has read the change feed, and a version every batch it writes raises
    (the API workers' read cache is keyed by it). One row."""

    __tablename__ = "indexer_state"

    id: int = Field(default=1, primary_key=True)
    sequence: int = Field(default=0, sa_type=BigInteger)
    version: int = Field(default=0, sa_type=BigInteger)
    # What the tables were built with: a new vocabulary or method means a full rebuild.
    method: str = Field(default="", max_length=64)
    updated_at: datetime = timestamp_field()
