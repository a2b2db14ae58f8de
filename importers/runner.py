"""Running one import and recording it: the entry point the CLI and the API share.

A run is recorded before it starts (status `running`), renews its heartbeat while it works
(`importers.heartbeat`), and is finished with its counts, rejections and error in one
transaction at the end. Failures of the source (down, slow, garbage, truncated), of the data
(a mapping that does not fit) or of the database (a lost connection) fail the run cleanly:
the batches already committed are whole and counted, and the next run picks up from there
because upserts are idempotent. Finishing waits a while for a database that is down; if it
never comes back, the stopped heartbeat frees the source. A failed run never stores the
source's validators, so the next run fetches everything again. A dry run is recorded too
(flagged `is_dry_run`), so its counts and rejections can be inspected; it writes nothing else.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

from app.core.db import database_message, refresh_planner_statistics, session_scope
from app.imports import service as import_service
from app.imports.models import ImportRun
from app.imports.schemas import ImportStatus
from importers import file, kolada, pios, publiccode, uttc
from importers import mapping as mappings
from importers.heartbeat import Heartbeat
from importers.http import Fetcher, FetchError
from importers.parsers import ParseError
from importers.pipeline import ImportFailed, Progress, RunContext, Silent
from importers.resolve import OrganisationResolver, Unresolved
from importers.settings import ImporterSettings, get_importer_settings

logger = logging.getLogger(__name__)

SourceKind = Literal["pios", "uttc", "kolada", "file", "publiccode"]
BULK_LOAD = 1000  # written records after which the planner's statistics are refreshed
EXPECTED_FAILURES = (FetchError, ParseError, ImportFailed, mappings.MappingError)
FINISH_RETRY_SECONDS = 120.0  # how long recording a run's end waits for a database that is down


@dataclass(frozen=True)
class ImportOptions:
    url: str | None = None
    since: date | None = None
    is_dry_run: bool = False
    path: Path | None = None
    mapping_path: Path | None = None
    owner: str | None = None
    source: str | None = None  # a file's source name, when it is not the file's own name

    def parameters(self) -> dict[str, Any]:
        chosen = {
            "url": self.url,
            "since": self.since and self.since.isoformat(),
            "path": self.path and str(self.path),
            "mapping": self.mapping_path and str(self.mapping_path),
            "owner": self.owner,
            "source": self.source,
        }
        return {name: value for name, value in chosen.items() if value is not None}


def source_name(session: Session, kind: SourceKind, options: ImportOptions) -> str:
    """The name the run and its initiatives carry; raises `ImportFailed` for a bad `--owner` or file."""
    if kind in ("kolada", "publiccode"):
        return kind
    if kind == "file":
        if options.path is None:
            raise ImportFailed("a file import needs the file's path")
        resolve_owner(session, options.owner)  # an unknown --owner is refused before the run starts
        return file.source_name(options.path, options.source)
    return load_mapping(kind, options).source


def load_mapping(kind: SourceKind, options: ImportOptions) -> mappings.Mapping:
    try:
        return mappings.load(options.mapping_path) if options.mapping_path else mappings.load_named(kind)
    except mappings.MappingError as error:
        raise ImportFailed(str(error)) from None


def resolve_owner(session: Session, owner: str | None) -> str | None:
    if owner is None:
        return None
    try:
        return OrganisationResolver.load(session).resolve(owner)
    except Unresolved as error:
        raise ImportFailed(f"--owner: {error}") from None


def start(
    session: Session, kind: SourceKind, options: ImportOptions, settings: ImporterSettings | None = None
) -> ImportRun:
    """Record a new run in the caller's transaction; raises `Conflict` while the source is being imported."""
    return import_service.start_run(
        session,
        source_name(session, kind, options),
        {"kind": kind, **options.parameters()},
        is_dry_run=options.is_dry_run,
        stale_after=(settings or get_importer_settings()).stale_after,
    )


def execute(
    engine: Engine,
    run: ImportRun,
    kind: SourceKind,
    options: ImportOptions,
    *,
    progress: Progress | None = None,
    settings: ImporterSettings | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ImportRun:
    """Carry out a started run and record how it ended; never raises for a failing source."""
    context = RunContext(
        engine=engine,
        settings=settings or get_importer_settings(),
        is_dry_run=options.is_dry_run,
        progress=progress or Silent(),
    )
    heartbeat = Heartbeat(engine, run.id, lambda: context.tally.counts.model_copy(), context.settings.heartbeat_seconds)
    try:
        fetcher = Fetcher(context.settings, known_validators=lambda url: _known(engine, url), transport=transport)
        with heartbeat, fetcher:
            _dispatch(context, fetcher, run.source, kind, options)
            context.tally.validators = fetcher.new_validators
    except EXPECTED_FAILURES as error:
        return _finish(engine, run.id, context, ImportStatus.failed, str(error))
    except DBAPIError as error:
        logger.warning("import run %s: the database failed: %s", run.id, database_message(error))
        message = f"The database failed during the import: {database_message(error)}"
        return _finish(engine, run.id, context, ImportStatus.failed, message)
    except Exception as error:
        logger.exception("import run %s failed unexpectedly", run.id)
        message = f"Unexpected error: {type(error).__name__}: {error}"
        return _finish(engine, run.id, context, ImportStatus.failed, message)
    except BaseException:
        _finish(engine, run.id, context, ImportStatus.failed, "Interrupted before it finished.")
        raise
    status = ImportStatus.not_modified if context.tally.is_not_modified else ImportStatus.succeeded
    finished = _finish(engine, run.id, context, status, None)
    _refresh_statistics_after_bulk_load(engine, context)
    return finished


def _refresh_statistics_after_bulk_load(engine: Engine, context: RunContext) -> None:
    # Right after thousands of inserts the planner still thinks the tables are small and scans
    # them whole; the next run's batched lookups would then be slow until autovacuum catches up.
    counts = context.tally.counts
    if not context.is_dry_run and counts.created + counts.updated >= BULK_LOAD:
        refresh_planner_statistics(engine)


def execute_if_recorded(
    engine: Engine, run: ImportRun, kind: SourceKind, options: ImportOptions, *, progress: Progress | None = None
) -> ImportRun | None:
    """Carry out a run started by an API request, once its transaction has committed.

    A request whose transaction rolled back left no run behind: then there is nothing to do.
    """
    try:
        with session_scope(engine, write=False) as session:
            is_recorded = import_service.get_run(session, run.id) is not None
    except SQLAlchemyError:
        logger.exception("import run %s could not be looked up; not running it", run.id)
        return None
    if not is_recorded:
        logger.warning("import run %s was never committed; not running it", run.id)
        return None
    return execute(engine, run, kind, options, progress=progress)


def run_import(
    engine: Engine,
    kind: SourceKind,
    options: ImportOptions,
    *,
    settings: ImporterSettings | None = None,
    **kwargs: Any,
) -> ImportRun:
    """Start and carry out a run: what the CLI does."""
    with session_scope(engine) as session:
        run = start(session, kind, options, settings)
    return execute(engine, run, kind, options, settings=settings, **kwargs)


def _dispatch(context: RunContext, fetcher: Fetcher, source: str, kind: SourceKind, options: ImportOptions) -> None:
    if kind == "file" and options.path is not None:
        with session_scope(context.engine, write=False) as session:
            owner_code = resolve_owner(session, options.owner)
        file.run(context, source, options.path, options.mapping_path, owner_code)
    elif kind == "kolada":
        config = kolada.KoladaConfig.load(options.mapping_path) if options.mapping_path else kolada.KoladaConfig.load()
        api_url = options.url or config.url
        fetcher.stay_on(api_url)
        kolada.run(context, fetcher, config, api_url, options.since)
    elif kind == "publiccode":
        publiccode.run(context, fetcher)
    elif kind in ("pios", "uttc"):
        mapping = load_mapping(kind, options)
        url = options.url or mapping.url
        if not url:
            raise ImportFailed(f"{kind}: no URL; give --url or set `url` in the mapping")
        fetcher.stay_on(url, mapping.allowed_origins)
        adapter = pios if kind == "pios" else uttc
        adapter.run(context, fetcher, mapping, url, options.since)
    else:
        raise ImportFailed(f"nothing to import for {kind!r}")


def _known(engine: Engine, url: str) -> import_service.Validators | None:
    with session_scope(engine, write=False) as session:
        return import_service.validators_for(session, [url]).get(url)


def _finish(
    engine: Engine, run_id: uuid.UUID, context: RunContext, status: ImportStatus, error: str | None
) -> ImportRun:
    """Record how the run ended, waiting for the database if it is down."""
    retrying = Retrying(
        retry=retry_if_exception_type(DBAPIError),
        stop=stop_after_delay(FINISH_RETRY_SECONDS),
        wait=wait_exponential(multiplier=0.5, max=10),
        reraise=True,
    )
    return retrying(_record_end, engine, run_id, context, status, error)


def _record_end(
    engine: Engine, run_id: uuid.UUID, context: RunContext, status: ImportStatus, error: str | None
) -> ImportRun:
    tally = context.tally
    with session_scope(engine) as session:
        import_service.record_rejections(session, run_id, tally.rejections)
        if status is not ImportStatus.failed and not context.is_dry_run:
            import_service.save_validators(session, tally.validators)
        return import_service.finish_run(session, run_id, status, tally.counts, error=error, notes=tally.notes)
