"""A running import's heartbeat: proof that its process is alive, and its counts so far.

A thread of its own renews it every `heartbeat_seconds`, whatever the run is doing (a slow
fetch, a long parse, a batch). When the process dies, or the database is gone for longer than
`stale_after_minutes`, the heartbeat stops, and the next start of the source marks the run
failed instead of waiting for it.
"""

import logging
import threading
import uuid
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.core.db import session_scope
from app.imports import service as import_service
from app.imports.schemas import ImportCounts

logger = logging.getLogger(__name__)
JOIN_SECONDS = 10.0


class Heartbeat:
    def __init__(self, engine: Engine, run_id: uuid.UUID, counts: Callable[[], ImportCounts], interval: float):
        self.engine, self.run_id, self.counts, self.interval = engine, run_id, counts, interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat_until_stopped, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopped.set()
        # A beat still waiting for a database that is down may be left behind: it only ever
        # touches a run that is still running.
        self._thread.join(timeout=JOIN_SECONDS)

    def _beat_until_stopped(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                with session_scope(self.engine) as session:
                    import_service.beat(session, self.run_id, self.counts())
            except SQLAlchemyError as error:
                # The run itself will meet the same database; the next beat tries again.
                logger.warning("import run %s: heartbeat not recorded: %s", self.run_id, type(error).__name__)
