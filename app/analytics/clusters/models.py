import uuid
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.core.models import empty_list


class Cluster(SQLModel, table=True):
    """A duplication cluster: initiatives of several organisations doing the same work; kept by
    the indexer. Its id is its smallest member's, so it stays while that member does."""

    __tablename__ = "overlap_cluster"

    id: uuid.UUID = Field(primary_key=True)
    label: str = Field(max_length=300)
    # The concepts the label names, most specific first (ids).
    concepts: list[Any] = Field(default_factory=empty_list, sa_type=JSON)


class ClusterMember(SQLModel, table=True):
    __tablename__ = "cluster_member"

    initiative_id: uuid.UUID = Field(primary_key=True)
    cluster_id: uuid.UUID = Field(index=True)
