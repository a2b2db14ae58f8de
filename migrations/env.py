"""Alembic environment: migrates the database named by the settings, or by the caller's connection."""

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata)
from app.core.db import build_engine
from app.core.settings import get_settings

target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:
    # Batch mode lets SQLite alter tables by copying them; PostgreSQL ignores it.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = build_engine(context.config.attributes.get("database_url") or get_settings().database_url)
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
