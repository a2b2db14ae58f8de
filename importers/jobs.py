"""Imports started over HTTP, run in threads of the worker that accepted them.

When the worker shuts down (a deploy, a scale-down) each running import is asked to stop at its
next batch: it then records itself failed with its counts so far and the reason, so the run
never stays `running` and the next start of that source is not blocked. Committed batches stay
(upserts are idempotent), so starting the source again completes the work.
"""

import logging
import threading
import time

from sqlalchemy.engine import Engine

from app.imports.models import ImportRun
from importers import runner
from importers.pipeline import ImportFailed

logger = logging.getLogger(__name__)

SHUT_DOWN_MESSAGE = "The server shut down during the run; start it again to finish (committed batches are kept)."


class StopAtNextBatch:
    """A progress listener that ends the run at its next batch once `stop` is set."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def start(self, description: str, total: int | None) -> None:
        self._stop_if_asked()

    def advance(self, count: int) -> None:
        self._stop_if_asked()

    def _stop_if_asked(self) -> None:
        if self.stop.is_set():
            raise ImportFailed(SHUT_DOWN_MESSAGE)


class ImportJobs:
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def start(self, engine: Engine, run: ImportRun, kind: runner.SourceKind, options: runner.ImportOptions) -> None:
        """Carry out a run recorded by a request (once its transaction has committed)."""
        thread = threading.Thread(
            target=self._execute, args=(engine, run, kind, options), name=f"import-{run.id}", daemon=True
        )
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def _execute(self, engine: Engine, run: ImportRun, kind: runner.SourceKind, options: runner.ImportOptions) -> None:
        try:
            runner.execute_if_recorded(engine, run, kind, options, progress=StopAtNextBatch(self._stop))
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def shut_down(self, timeout: float) -> None:
        """Ask every running import to stop, and wait up to `timeout` seconds for them to record it."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        with self._lock:
            running = list(self._threads)
        for thread in running:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                logger.warning("%s did not stop within %.0f s of the shutdown", thread.name, timeout)
