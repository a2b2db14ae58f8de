"""Import benchmark: N pios-format records from a local fixture server, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.imports [--records 50000] [--engines sqlite,postgresql]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each engine: a fresh, migrated and seeded database (SQLite in a temporary directory; on
PostgreSQL a database `registry_bench_imports`, created for the run and dropped after), then
1. the first import (every record created),
2. a re-run against the unchanged source without validators (every record fetched, parsed,
   mapped, validated, resolved and compared: the idempotence path),
3. a re-run where the source answers 304 to the stored ETag (what a nightly run costs).
Prints one table. Targets: first import < 60 s, re-run < 15 s.
"""

import argparse
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import select

from app.core import migrations
from app.core.db import build_engine, session_scope
from app.organisations import seed as organisation_seed
from app.organisations.models import Organisation
from importers.runner import ImportOptions, run_import
from importers.settings import ImporterSettings

PAGE_SIZE = 1000
STATUSES = ["idé", "planerad", "pilot", "genomförande", "i drift", "skalad", "avslutad"]
CATEGORIES = ["Välfärdsteknik", "E-tjänst", "Automatisering", "Data och AI", "Infrastruktur", "Skola", "Övrigt"]
WORDS = ["hemtjänst", "skola", "arkiv", "e-tjänst", "ai", "chatt", "trygghet", "bygglov", "ekonomi", "rpa"]
BENCH_DATABASE = "registry_bench_imports"
console = Console(width=150)


def record(number: int, owners: list[str]) -> dict:
    owner = owners[number % len(owners)]
    return {
        "id": f"P-{number:06d}",
        "title": f"Digitaliseringsinitiativ nummer {number} för {WORDS[number % 10]}",
        "summary": f"Initiativ {number}: {WORDS[(number * 3) % 10]} och {WORDS[(number * 7) % 10]} i samverkan.",
        "organisation": {"name": f"{owner}"} if number % 2 else {"code": owner},
        "status": STATUSES[number % len(STATUSES)],
        "category": CATEGORIES[number % len(CATEGORIES)],
        "keywords": [WORDS[number % 10], WORDS[(number + 3) % 10]],
        "period": {"start": f"20{20 + number % 6}-0{1 + number % 9}-01", "end": None},
        "budget": {"amount": f"{(number % 90) + 1} {'tkr' if number % 3 else 'mnkr'}"},
        "url": f"https://pios.se/initiativ/P-{number:06d}",
    }


def pages(count: int, owners: list[str]) -> dict[str, bytes]:
    """Every page of the source, pre-rendered, keyed by path."""
    rendered = {}
    for page, start in enumerate(range(0, count, PAGE_SIZE), start=1):
        is_last = start + PAGE_SIZE >= count
        body = {
            "data": [record(n, owners) for n in range(start, min(start + PAGE_SIZE, count))],
            "links": {"next": None if is_last else f"/api/v1/initiatives?page={page + 1}"},
        }
        rendered["/api/v1/initiatives" + ("" if page == 1 else f"?page={page}")] = json.dumps(body).encode()
    return rendered


@contextmanager
def fixture_server(rendered: dict[str, bytes], etag: dict[str, str | None]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if etag["value"] and self.headers.get("If-None-Match") == etag["value"]:
                self.send_response(304)
                self.end_headers()
                return
            body = rendered.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body or b"")))
            if etag["value"]:
                self.send_header("ETag", etag["value"])
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *_args) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/initiatives"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def fresh_database(engine_name: str, postgres_url: str) -> Iterator[str]:
    """An empty database for one engine's runs, removed afterwards."""
    if engine_name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-imports-") as directory:
            yield f"sqlite:///{directory}/registry.db"
        return
    _recreate_postgres_database(postgres_url, create=True)
    try:
        yield make_url(postgres_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    finally:
        _recreate_postgres_database(postgres_url, create=False)


def _recreate_postgres_database(postgres_url: str, *, create: bool) -> None:
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    admin.dispose()


def prepared_engine(url: str) -> tuple[Engine, list[str]]:
    migrations.upgrade(url)
    engine = build_engine(url)
    with session_scope(engine) as session:
        organisation_seed.seed(session)
        owners = [
            f"{o.name} kommun" if o.kind == "municipality" else o.name
            for o in session.exec(select(Organisation).order_by(Organisation.code))
        ]
    return engine, owners


def timed_run(engine: Engine, url: str, settings: ImporterSettings) -> tuple[float, object]:
    started = time.perf_counter()
    run = run_import(engine, "pios", ImportOptions(url=url), settings=settings)
    return time.perf_counter() - started, run


def bench_engine(engine_name: str, count: int, postgres_url: str, settings: ImporterSettings, table: Table) -> None:
    with fresh_database(engine_name, postgres_url) as url:
        engine, owners = prepared_engine(url)
        try:
            bench_runs(engine, count, owners, settings, table)
        finally:
            engine.dispose()


def bench_runs(engine: Engine, count: int, owners: list[str], settings: ImporterSettings, table: Table) -> None:
    etag: dict[str, str | None] = {"value": None}
    rendered = pages(count, owners)
    with fixture_server(rendered, etag) as url:
        runs = (("first import", None), ("re-run, unchanged source", None), ("re-run, source answers 304", '"v1"'))
        for label, tag in runs:
            if tag and not etag["value"]:
                etag["value"] = tag
                run_import(engine, "pios", ImportOptions(url=url), settings=settings)  # stores the ETag
            seconds, run = timed_run(engine, url, settings)
            table.add_row(
                engine.dialect.name,
                label,
                f"{seconds:.1f}",
                str(run.status),
                str(run.fetched),
                str(run.created),
                str(run.updated),
                str(run.unchanged),
                str(run.rejected),
                f"{run.fetched / seconds:,.0f}" if run.fetched else "–",
            )
            console.print(f"{engine.dialect.name}: {label}: {seconds:.1f} s ({run.status})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--batch-size", type=int, default=500)
    arguments = parser.parse_args()
    settings = ImporterSettings(requests_per_second=1000, batch_size=arguments.batch_size, retries=0)
    table = Table(title=f"Import of {arguments.records:,} pios records from a local fixture server")
    for column in (
        "engine",
        "run",
        "seconds",
        "status",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "records/s",
    ):
        table.add_column(column, justify="left" if column in ("engine", "run", "status") else "right")
    for engine_name in arguments.engines.split(","):
        bench_engine(engine_name.strip(), arguments.records, arguments.postgres_url, settings, table)
    console.print(table)


if __name__ == "__main__":
    main()
