from datetime import timedelta

import pytest

from app.core.models import utcnow
from app.core.pagination import encode_cursor
from app.core.problems import Conflict, ValidationFailed
from app.imports import service as import_service
from app.imports.models import ImportRun
from app.imports.schemas import ImportCounts, ImportRunQuery, ImportStatus


class TestStartRun:
    def test_second_run_of_a_running_source_is_a_conflict(self, session):
        import_service.start_run(session, "pios", {}, is_dry_run=False)
        with pytest.raises(Conflict, match="still running"):
            import_service.start_run(session, "pios", {}, is_dry_run=False)

    def test_other_sources_may_run_at_the_same_time(self, session):
        import_service.start_run(session, "pios", {}, is_dry_run=False)
        assert import_service.start_run(session, "uttc", {}, is_dry_run=False).status == "running"

    def test_abandoned_run_is_failed_and_no_longer_blocks(self, session):
        stale = ImportRun(source="pios", status=ImportStatus.running, started_at=utcnow() - timedelta(hours=7))
        session.add(stale)
        session.flush()
        run = import_service.start_run(session, "pios", {}, is_dry_run=False)
        assert run.status == "running"
        assert stale.status == "failed" and stale.error.startswith("Abandoned")


class TestFinishRun:
    def test_counts_status_and_notes_are_recorded(self, session):
        run = import_service.start_run(session, "uttc", {"url": "https://uttc.se"}, is_dry_run=False)
        finished = import_service.finish_run(session, run.id, ImportStatus.succeeded, ImportCounts(fetched=3, created=2,
                                             rejected=1), notes={"format": "csv"})
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
        import_service.save_validators(session, [import_service.Validators(url, '"b"', "Wed, 01 Oct 2025 08:00:00 GMT")])
        assert import_service.validators_for(session, [url]) == {
            url: import_service.Validators(url, '"b"', "Wed, 01 Oct 2025 08:00:00 GMT")
        }
