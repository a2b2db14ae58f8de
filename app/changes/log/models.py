import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary
from sqlmodel import Field, SQLModel

from app.core.models import timestamp_field


class LogNode(SQLModel, table=True):
    """The hash of a perfect subtree of the change log's Merkle tree: the 2^level leaves from
    index·2^level on (`app.changes.log.merkle`). Written with the leaves, never changed."""

    __tablename__ = "log_node"

    level: int = Field(primary_key=True, sa_type=Integer)
    index: int = Field(primary_key=True, sa_type=BigInteger().with_variant(Integer, "sqlite"))
    hash: bytes = Field(sa_type=LargeBinary(32))


class LogKey(SQLModel, table=True):
    """A key that signs tree heads: generated once (or rotated by the admin) and kept here.
    Retired keys stay, so mirrors can still check the heads they signed."""

    __tablename__ = "log_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    public_key: bytes = Field(sa_type=LargeBinary(32), unique=True)
    private_key: bytes = Field(sa_type=LargeBinary(32))
    # True on the key in use, NULL on retired ones: the unique constraint lets only one be in use
    # even when two workers generate the first key at once.
    current: bool | None = Field(default=True, unique=True)
    created_at: datetime = timestamp_field()
    retired_at: datetime | None = None
