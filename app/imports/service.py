"""Import runs, their rejected records, and the validators of sources' last responses."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.models import utcnow
from app.core.pagination import cursor_id, cursor_moment, decode_cursor, encode_cursor
from app.core.problems import Conflict
from app.imports.models import ImportRejection, ImportRun, SourceCacheEntry
from app.imports.schemas import ImportCounts, ImportRunQuery, ImportStatus

REJECTIONS_PAGE = 500
MAX_CACHED_URL = 1000


@dataclass(frozen=True)
class Rejection:
    location: str
    external_id: str | None
    reason: str


@dataclass(frozen=True)
class Validators:
    url: str
    etag: str | None
    last_modified: str | None


def start_run(
    session: Session, source: str, parameters: dict[str, Any], *, is_dry_run: bool, stale_after: timedelta
) -> ImportRun:
    """Record a new run; refuse while another run of the same source is in progress.

    A running run whose heartbeat is older than `stale_after` lost its process (a crash, a
    killed container, a database that never came back): it is marked failed first, so it
    blocks its source no longer. The check names the run in the way; the unique index on
    running runs is what holds when two runs start at the same moment.
    """
    _fail_stale_runs(session, source, stale_after)
    running = session.exec(
        select(ImportRun).where(ImportRun.source == source, ImportRun.status == ImportStatus.running)
    ).first()
    if running is not None:
        raise Conflict(
            f"Run {running.id} of {source} started at {running.started_at:%Y-%m-%d %H:%M} "
            "is still running; wait for it to finish."
        )
    return _insert_running_run(
        session, ImportRun(source=source, parameters=parameters, is_dry_run=is_dry_run, status=ImportStatus.running)
    )


def _insert_running_run(session: Session, run: ImportRun) -> ImportRun:
    # A savepoint, so the caller's transaction survives the refusal.
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        raise Conflict(
            f"Another run of {run.source} started at the same moment and is still running; wait for it to finish."
        ) from None
    return run


def _fail_stale_runs(session: Session, source: str, stale_after: timedelta) -> None:
    stale = select(ImportRun).where(
        ImportRun.source == source,
        ImportRun.status == ImportStatus.running,
        col(ImportRun.heartbeat_at) < utcnow() - stale_after,
    )
    for run in session.exec(stale):
        run.status, run.finished_at = ImportStatus.failed, utcnow()
        run.error = (
            f"Abandoned: no heartbeat since {run.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC; the process running "
            "the import stopped before it finished. The counts are those of its last heartbeat."
        )
    session.flush()


def beat(session: Session, run_id: uuid.UUID, counts: ImportCounts) -> None:
    """Renew a running run's heartbeat and record its counts so far."""
    session.execute(
        update(ImportRun)
        .where(col(ImportRun.id) == run_id, col(ImportRun.status) == ImportStatus.running)
        .values(heartbeat_at=utcnow(), **counts.model_dump())
    )


def finish_run(
    session: Session,
    run_id: uuid.UUID,
    status: ImportStatus,
    counts: ImportCounts,
    *,
    error: str | None = None,
    notes: dict[str, Any] | None = None,
) -> ImportRun:
    run = session.get_one(ImportRun, run_id)
    run.sqlmodel_update(counts.model_dump())
    run.status, run.error, run.finished_at = status, error, utcnow()
    if notes:
        run.parameters = {**run.parameters, **notes}
    session.add(run)
    session.flush()
    return run


def record_rejections(session: Session, run_id: uuid.UUID, rejections: Iterable[Rejection]) -> None:
    rows = [
        {
            "run_id": run_id,
            "location": r.location[:200],
            "external_id": r.external_id and r.external_id[:200],
            "reason": r.reason,
        }
        for r in rejections
    ]
    if rows:
        session.execute(insert(ImportRejection), rows)


def get_run(session: Session, run_id: uuid.UUID) -> ImportRun | None:
    return session.get(ImportRun, run_id)


def list_runs(session: Session, query: ImportRunQuery) -> tuple[list[ImportRun], str | None]:
    """Newest first, keyset-paginated on (started_at, id)."""
    statement = select(ImportRun).order_by(col(ImportRun.started_at).desc(), col(ImportRun.id).desc())
    if query.source is not None:
        statement = statement.where(ImportRun.source == query.source)
    if query.status is not None:
        statement = statement.where(ImportRun.status == query.status)
    if query.cursor is not None:
        statement = statement.where(tuple_(col(ImportRun.started_at), col(ImportRun.id)) < _position(query.cursor))
    runs = list(session.exec(statement.limit(query.limit + 1)))
    if len(runs) <= query.limit:
        return runs, None
    last = runs[query.limit - 1]
    return runs[: query.limit], encode_cursor([last.started_at.isoformat(), str(last.id)])


def _position(cursor: str) -> tuple[datetime, uuid.UUID]:
    started_at, run_id = decode_cursor(cursor, 2)
    return cursor_moment(started_at, cursor), cursor_id(run_id, cursor)


def list_rejections(session: Session, run_id: uuid.UUID, *, after: int = 0) -> tuple[list[ImportRejection], int | None]:
    """A page of a run's rejections in source order, and the id to continue after (or None)."""
    statement = (
        select(ImportRejection)
        .where(ImportRejection.run_id == run_id, col(ImportRejection.id) > after)
        .order_by(col(ImportRejection.id))
        .limit(REJECTIONS_PAGE + 1)
    )
    rows = list(session.exec(statement))
    if len(rows) <= REJECTIONS_PAGE:
        return rows, None
    return rows[:REJECTIONS_PAGE], rows[REJECTIONS_PAGE - 1].id


def validators_for(session: Session, urls: Iterable[str]) -> dict[str, Validators]:
    wanted = set(urls)
    if not wanted:
        return {}
    entries = session.exec(select(SourceCacheEntry).where(col(SourceCacheEntry.url).in_(wanted)))
    return {entry.url: Validators(entry.url, entry.etag, entry.last_modified) for entry in entries}


def save_validators(session: Session, validators: Iterable[Validators]) -> None:
    """Keep each URL's latest `ETag` and `Last-Modified`, for the next run's conditional request."""
    for item in validators:
        if len(item.url) > MAX_CACHED_URL:
            continue
        entry = session.get(SourceCacheEntry, item.url) or SourceCacheEntry(url=item.url)
        entry.etag, entry.last_modified, entry.updated_at = item.etag, item.last_modified, utcnow()
        session.add(entry)
    session.flush()
