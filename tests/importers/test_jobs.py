"""A worker that shuts down during an import: the run stops at its next batch and records why,
with what it did so far, instead of staying `running`."""

import threading

from app.core.db import session_scope
from app.imports import service as import_service
from importers import runner
from importers.jobs import SHUT_DOWN_MESSAGE, ImportJobs, StopAtNextBatch
from tests.importers.conftest import DATA


class ShutdownAfterFirstBatch(StopAtNextBatch):
    def advance(self, count: int) -> None:
        super().advance(count)
        self.stop.set()  # the worker is told to stop after the first batch: the run ends at the second


class TestStopAtNextBatch:
    def test_a_run_interrupted_by_shutdown_records_its_counts_and_the_reason(self, committed, importer_settings):
        settings = importer_settings.model_copy(update={"batch_size": 1})
        options = runner.ImportOptions(path=DATA / "portfolio.csv", owner="2281")
        with session_scope(committed) as session:
            run = runner.start(session, "file", options)
        progress = ShutdownAfterFirstBatch(threading.Event())
        finished = runner.execute(committed, run, "file", options, progress=progress, settings=settings)
        assert (finished.status, finished.error) == ("failed", SHUT_DOWN_MESSAGE)
        assert (finished.fetched, finished.created, finished.rejected) == (5, 2, 2)
        with session_scope(committed, write=False) as session:
            assert import_service.get_run(session, run.id).status == "failed"


class TestImportJobs:
    def test_shut_down_waits_for_a_run_to_record_that_it_stopped(self, committed):
        options = runner.ImportOptions(path=DATA / "portfolio.csv", owner="2281")
        with session_scope(committed) as session:
            run = runner.start(session, "file", options)
        jobs = ImportJobs()
        jobs.shut_down(timeout=1)  # stopping before the thread starts: it must stop at once too
        jobs.start(committed, run, "file", options)
        jobs.shut_down(timeout=10)
        with session_scope(committed, write=False) as session:
            recorded = import_service.get_run(session, run.id)
        assert (recorded.status, recorded.error, recorded.created) == ("failed", SHUT_DOWN_MESSAGE, 0)
