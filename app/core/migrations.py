"""Running Alembic from code: the CLI, `registry serve` and the tests all migrate the same way."""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def alembic_config(database_url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


@cache
def head_revisions() -> frozenset[str]:
    """The revisions this release's migrations end in."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def applied_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (empty before the first migration)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())
