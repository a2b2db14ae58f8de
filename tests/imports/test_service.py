import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from app.core.db import session_scope
from app.core.models import utcnow
from app.core.pagination import encode_cursor
from app.core.problems import Conflict, ValidationFailed
from app.imports import service as import_service
from app.imports.models import ImportRun
from app.imports.schemas import ImportCounts, ImportRunQuery, ImportStatus

STALE = timedelta(minutes=5)


class TestStartRun:
    def test_second_run_of_a_running_source_is_a_conflict(self, session):
        import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)
        with pytest.raises(Conflict, match="still running"):
            import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)

    def test_other_sources_may_run_at_the_same_time(self, session):
        import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)
        assert import_service.start_run(session, "uttc", {}, is_dry_run=False, stale_after=STALE).status == "running"

    def test_a_run_whose_heartbeat_stopped_is_failed_and_no_longer_blocks(self, session):
        stopped = utcnow() - timedelta(minutes=6)
        stale = ImportRun(source="pios", status=ImportStatus.running, started_at=stopped, heartbeat_at=stopped)
        session.add(stale)
        session.flush()
        run = import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)
        assert run.status == "running"
        assert stale.status == "failed"
        assert stale.error == (
            f"Abandoned: no heartbeat since {stopped:%Y-%m-%d %H:%M:%S} UTC; the process running the import "
            "stopped before it finished. The counts are those of its last heartbeat."
        )

    def test_a_long_run_with_a_recent_heartbeat_still_blocks(self, session):
        session.add(
            ImportRun(
                source="pios",
                status=ImportStatus.running,
                started_at=utcnow() - timedelta(hours=7),
                heartbeat_at=utcnow() - timedelta(minutes=4),
            )
        )
        session.flush()
        with pytest.raises(Conflict, match="still running"):
            import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)


class TestBeat:
    def test_renews_the_heartbeat_and_records_the_counts_so_far(self, session):
        run = import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)
        before = run.heartbeat_at
        import_service.beat(session, run.id, ImportCounts(fetched=40, created=12, rejected=1))
        session.refresh(run)
        assert run.heartbeat_at > before
        assert (run.fetched, run.created, run.rejected, run.status) == (40, 12, 1, "running")

    def test_a_finished_run_is_left_alone(self, session):
        run = import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)
        import_service.finish_run(session, run.id, ImportStatus.succeeded, ImportCounts(created=3))
        import_service.beat(session, run.id, ImportCounts(created=1))
        session.refresh(run)
        assert (run.status, run.created) == ("succeeded", 3)


class TestOneRunningRunPerSource:
    """The partial unique index on import_run(source) WHERE status = 'running' holds without the service's check."""

    def test_the_database_refuses_a_second_running_run_of_a_source(self, session):
        session.add(ImportRun(source="pios", status=ImportStatus.running))
        session.flush()
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(ImportRun(source="pios", status=ImportStatus.running))

    def test_other_sources_and_finished_runs_do_not_conflict(self, session):
        session.add_all(
            [
                ImportRun(source="pios", status=ImportStatus.running),
                ImportRun(source="uttc", status=ImportStatus.running),
                ImportRun(source="pios", status=ImportStatus.succeeded),
                ImportRun(source="pios", status=ImportStatus.failed),
            ]
        )
        session.flush()

    def test_a_start_racing_an_uncommitted_one_waits_for_it_then_is_a_conflict(self, committed):
        outcome: list[Exception] = []
        second = threading.Thread(target=start_pios_run, args=(committed, outcome))
        with session_scope(committed) as first:
            import_service.start_run(first, "pios", {}, is_dry_run=False, stale_after=STALE)
            second.start()
            # PostgreSQL: the second start's check cannot see the first run yet, so it waits at
            # its insert, on the index. SQLite: it waits to begin, as every writer does.
            second.join(timeout=1)
            assert second.is_alive()
        second.join()
        assert [type(error) for error in outcome] == [Conflict]
        assert running_runs(committed, "pios") == 1


def start_pios_run(engine, outcome: list[Exception]) -> None:
    try:
        with session_scope(engine) as session:
            import_service.start_run(session, "pios", {}, is_dry_run=False, stale_after=STALE)
    except Exception as error:
        outcome.append(error)


def running_runs(engine, source: str) -> int:
    with session_scope(engine, write=False) as session:
        return session.exec(
            select(func.count()).where(ImportRun.source == source, ImportRun.status == ImportStatus.running)
        ).one()


class TestFinishRun:
    def test_counts_status_and_notes_are_recorded(self, session):
        run = import_service.start_run(session, "uttc", {"url": "https://uttc.se"}, is_dry_run=False, stale_after=STALE)
        finished = import_service.finish_run(
            session,
            run.id,
            ImportStatus.succeeded,
            ImportCounts(fetched=3, created=2, rejected=1),
            notes={"format": "csv"},
        )
        assert (finished.fetched, finished.created, finished.rejected, finished.status) == (3, 2, 1, "succeeded")
        assert finished.parameters == {"url": "https://uttc.se", "format": "csv"}
        assert finished.finished_at is not None


class TestListRuns:
    def test_newest_first_with_a_cursor(self, session):
        for hours in (3, 2, 1):
            session.add(ImportRun(source=f"s{hours}", status="succeeded", started_at=utcnow() - timedelta(hours=hours)))
        session.flush()
        first, cursor = import_service.list_runs(session, ImportRunQuery(limit=2))
        rest, end = import_service.list_runs(session, ImportRunQuery(limit=2, cursor=cursor))
        assert [r.source for r in first] == ["s1", "s2"] and [r.source for r in rest] == ["s3"] and end is None

    def test_a_cursor_with_wrong_values_is_a_validation_problem(self, session):
        with pytest.raises(ValidationFailed):
            import_service.list_runs(session, ImportRunQuery(cursor=encode_cursor([1, 2])))


class TestValidators:
    def test_saved_validators_replace_the_previous_ones(self, session):
        url = "https://pios.se/api/v1/initiatives"
        import_service.save_validators(session, [import_service.Validators(url, '"a"', None)])
        import_service.save_validators(
            session, [import_service.Validators(url, '"b"', "Wed, 01 Oct 2025 08:00:00 GMT")]
        )
        assert import_service.validators_for(session, [url]) == {
            url: import_service.Validators(url, '"b"', "Wed, 01 Oct 2025 08:00:00 GMT")
        }
