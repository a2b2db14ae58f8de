"""Test fixtures: a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
migrated once with Alembic, each test inside a transaction that is rolled back."""

import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

import app.models  # every table on the metadata
from app.analytics.indexer import loop as indexer_loop
from app.analytics.indexer import state as indexer_state
from app.analytics.indexer.indexer import Indexer
from app.assembly import assemble
from app.core import migrations
from app.core.db import build_engine, get_session, session_scope
from app.core.settings import Settings
from app.main import create_app
from app.organisations import seed as organisation_seed

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
assemble()  # tests call the services directly, without an app: derived fields must be registered


def pytest_report_header() -> list[str]:
    engine = build_engine(_database_url())
    with engine.connect() as connection:
        version = connection.dialect.server_version_info
    engine.dispose()
    where = (
        f"a fresh database beside {engine.url.render_as_string()}"
        if engine.dialect.name == "postgresql"
        else "a fresh temporary file"
    )
    return [f"database: {engine.dialect.name} {'.'.join(map(str, version or ()))} ({where})"]


def pytest_unconfigure(config: pytest.Config) -> None:
    """After pytest's own summary, one line when browser tests could not run (no Chromium)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = sum(1 for report in reporter.stats.get("skipped", []) if "browser" in report.keywords)
    if skipped:
        reporter.write_line(
            f"{skipped} browser tests were skipped: Chromium is missing. "
            "Install it with `apt-get install chromium` (as .ci/run does) and run them again.",
            yellow=True,
            bold=True,
        )


def _database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or "sqlite://"


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """An empty database of this run's own, so parallel runs (developers, CI) never share tables:
    a new database beside TEST_DATABASE_URL's on PostgreSQL, a new file on SQLite."""
    url = make_url(_database_url())
    if url.get_backend_name() != "postgresql":
        path = Path(tempfile.gettempdir()) / f"registry-{name}-{os.getpid()}.db"
        _remove_sqlite_files(path)
        yield f"sqlite:///{path}"
        _remove_sqlite_files(path)
        return
    own = url.set(database=f"{url.database}_{name}_{os.getpid()}")
    _run_outside_transaction(url, f'DROP DATABASE IF EXISTS "{own.database}"', f'CREATE DATABASE "{own.database}"')
    yield own.render_as_string(hide_password=False)
    _run_outside_transaction(url, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _run_outside_transaction(url: URL, *statements: str) -> None:
    maintenance = create_engine(url, isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    maintenance.dispose()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database("test") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    migrations.upgrade(database_url)
    with session_scope(engine) as session:
        organisation_seed.seed(session)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every write is rolled back when the test ends."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


@contextmanager
def _savepoint(session: Session, write: bool = True) -> Iterator[Session]:
    with session.begin_nested():
        yield session


@pytest.fixture
def index(session: Session) -> Callable[[], int]:
    """Brings the overlap tables up to date in the test's transaction, as the indexer role does
    within a second in production (`app.analytics.indexer`); returns how many initiatives it read."""
    indexer = Indexer()
    return lambda: indexer.catch_up(partial(_savepoint, session))


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, admin_token=ADMIN_TOKEN)


@pytest.fixture
def app(settings: Settings, session: Session, index: Callable[[], int]) -> Iterator[FastAPI]:
    application = create_app(settings)
    # In production the indexer follows the writes within a second, in a process of its own;
    # here every request first brings the overlap tables up to date, so tests read what it would.
    application.state.index_before_requests = True

    def request_session() -> Iterator[Session]:
        if application.state.index_before_requests:
            index()
        # As in production, one transaction per request: a savepoint here, so a failed
        # request's writes roll back while the test's own transaction stays open.
        with session.begin_nested():
            yield session

    application.dependency_overrides[get_session] = request_session
    # The read cache's middleware reads the data version outside the request: here, in the same
    # uncommitted transaction as everything else.
    application.state.data_version = lambda: indexer_state.data_version(session.connection())
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    """For tests whose writes must really commit (live servers, concurrency): cleaned up after."""
    yield engine
    with engine.begin() as connection:
        for table in (
            "webhook_attempt",
            "webhook_delivery",
            "webhook_subscription",
            "overlap_judgement",
            "overlap_pair",
            "overlap_profile",
            "overlap_cluster",
            "cluster_member",
            "proven_match",
            "indexer_state",
            "change",
            "log_node",
            "log_key",
            "adoption",
            "api_key",
            "initiative_term",
            "initiative_document",
            "initiative_tag",
            "initiative_participant",
            "status_change",
            "import_rejection",
            "import_run",
            "source_cache_entry",
            "initiative",
            "organisation_year",
        ):
            connection.execute(text(f'DELETE FROM "{table}"'))
    with session_scope(engine) as session:
        organisation_seed.seed(session)  # puts back the reference populations


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(settings: Settings, committed: Engine) -> Iterator[str]:
    """The real app served by uvicorn on 127.0.0.1, committing to the test database."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stop = threading.Event()
    # The indexer role, as `registry serve` runs it beside the workers.
    indexer = threading.Thread(target=indexer_loop.run, args=(committed, lambda: not stop.is_set()), daemon=True)
    indexer.start()
    base_url = f"http://127.0.0.1:{server.config.port}"
    _wait_until_up(base_url)
    yield base_url
    server.should_exit = True
    stop.set()
    thread.join(timeout=10)
    indexer.join(timeout=10)


def wait_until_indexed(engine: Engine, timeout: float = 15.0) -> None:
    """Wait until the indexer role (started by `live_server`) has caught up with every write."""
    deadline = time.monotonic() + timeout
    while True:
        with session_scope(engine, write=False) as session:
            if indexer_state.lag(session) == 0 and indexer_state.read(session).version > 0:
                return
        if time.monotonic() > deadline:
            raise RuntimeError("the indexer did not catch up")
        time.sleep(0.05)


def _wait_until_up(base_url: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base_url}/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {base_url} did not start")
