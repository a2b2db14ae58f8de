"""Online, consistent copies of the embedded SQLite database (SQLite's backup API).

The copy is taken page by page while the registry keeps serving; SQLite restarts a step when
a writer changes a page already copied, so the result is the database at one moment. A restore
copies a backup into the live database the same way, under SQLite's locks, so workers never
read a half-restored file. PostgreSQL is backed up with its own tools (README, "Backups").
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the command line."""


def backup(database_url: str, target: Path) -> None:
    """Copy the live database to `target` (a new file)."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file, so no backup is overwritten")
    with _connect(_sqlite_file(database_url)) as source, _connect(target) as copy:
        source.backup(copy)


def restore(database_url: str, source: Path) -> None:
    """Replace the live database's contents with the backup at `source`."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with _connect(source) as backup_copy:
        _check_is_registry(backup_copy, source)
        with _connect(_sqlite_file(database_url)) as live:
            backup_copy.backup(live)


def _sqlite_file(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError(
            "registry backup and restore copy the embedded SQLite database; back up PostgreSQL "
            "with pg_dump and pg_restore (see README, Backups)"
        )
    return Path(url.database)


def _connect(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))


def _check_is_registry(connection: sqlite3.Connection, path: Path) -> None:
    try:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        version = None
    if version is None:
        raise BackupError(f"{path} is not a backup of the registry (it has no schema version)")
