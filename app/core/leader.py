"""Leader election: one process across all workers and containers holds a role (the overlap
indexer, the webhook deliverer) at a time, and another takes over when it dies.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own: the
lock goes with the connection, so a process that dies or loses the database loses the role.
On SQLite (one machine by nature) it holds an exclusive lock on a file beside the database,
which the operating system releases when the process ends. An in-memory SQLite database
belongs to one process, which is always the leader.
"""

import logging
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)


class Leadership:
    """The right to act as `role`, held until `release` (or the process's end)."""

    def __init__(self, engine: Engine, role: str) -> None:
        self.engine, self.role = engine, role
        self._connection: Connection | None = None
        self._file: FileLock | None = None
        self._is_held = False

    @property
    def is_held(self) -> bool:
        return self._is_held

    def try_acquire(self) -> bool:
        """Take the role if no other process holds it; True when this process holds it now."""
        if self._is_held:
            return self.is_alive()
        if self.engine.dialect.name == "postgresql":
            self._is_held = self._acquire_advisory_lock()
        else:
            self._is_held = self._acquire_file_lock()
        return self._is_held

    def is_alive(self) -> bool:
        """Whether the role is still held: on PostgreSQL, whether the lock's connection still works."""
        if not self._is_held or self._connection is None:
            return self._is_held
        try:
            self._connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            logger.warning("lost the database connection that held the %s role", self.role)
            self.release()
        return self._is_held

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _lock_key(self.role)})
                self._connection.close()
            except SQLAlchemyError:
                self._connection.invalidate()
            self._connection = None
        if self._file is not None:
            self._file.release()
            self._file = None
        self._is_held = False

    def _acquire_advisory_lock(self) -> bool:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": _lock_key(self.role)}
            ).scalar_one()
        except SQLAlchemyError:
            connection.invalidate()
            return False
        if held:
            self._connection = connection
        else:
            connection.close()
        return bool(held)

    def _acquire_file_lock(self) -> bool:
        database = self.engine.url.database
        if not database or database == ":memory:":
            return True
        lock = FileLock(Path(f"{database}.{self.role}.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        self._file = lock
        return True


def _lock_key(role: str) -> int:
    # A stable 32-bit number per role; advisory locks take a bigint.
    return zlib.crc32(f"registry:{role}".encode())


def lead(
    engine: Engine, role: str, work: Callable[[Callable[[], bool]], None], stop: threading.Event, wait: float
) -> None:
    """Run `work(should_go_on)` whenever this process holds `role`, until `stop` is set.

    Tries to take the role every `wait` seconds. `work` loops while `should_go_on()` is true:
    false once `stop` is set or the role is lost, and then `work` returns.
    """
    leadership = Leadership(engine, role)

    def should_go_on() -> bool:
        return not stop.is_set() and leadership.is_alive()

    try:
        while not stop.is_set():
            if leadership.try_acquire():
                logger.info("took the %s role", role)
                work(should_go_on)
                leadership.release()
            stop.wait(wait)
    finally:
        leadership.release()
