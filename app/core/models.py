"""Shared column helpers and the constraint naming convention every table uses.

Import this module before any model: the naming convention must be set on the metadata
before the first table is defined, so that Alembic (and SQLite batch migrations) can
refer to constraints by name.
"""

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


# Plain functions, not the builtins `list` and `dict`: pydantic inspects a default factory's
# signature on every instantiation, and for builtins that is slow enough to dominate bulk imports.
def empty_list() -> list:
    return []


def empty_dict() -> dict:
    return {}


def timestamp_field(**kwargs) -> datetime:
    # SQLModel stores datetimes as UTC and returns them aware, on SQLite too.
    return Field(default_factory=utcnow, **kwargs)
