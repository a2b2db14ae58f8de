"""API latency and throughput over loopback: `python bench/api.py [--size N] [--postgres URL]`.

For each database (a fresh SQLite file, and PostgreSQL when --postgres is given) it loads N
synthetic initiatives, starts `registry serve` with several workers, and drives it with wrk
(concurrent connections, random paths from a list): GET by id, an organisation's list, a
filtered list, full-text search, and a trivial endpoint of the same server (no database) as the
framework's ceiling. It measures with each worker's read cache off and on, then a mixed run in
which 5 % of the requests write (a partner's upsert).

On SQLite it also serves the same file with Datasette (one process, its defaults, an FTS5 index
for search) and drives it with the same kinds of requests, so the two are compared on the same
rows and machine in one run. wrk is written in C, so it takes little of the cores it shares
with the servers; compare rows of one run.
"""

import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core import migrations
from app.core.db import build_engine, session_scope
from app.organisations import seed as organisation_seed
from app.sources import service as source_service
from app.sources.schemas import SourceCreate
from bench import synthetic

SEARCH_WORDS = (
    "fallprevention",
    "nattillsyn",
    "bygglov",
    "chattbot",
    "trygghetslarm",
    "läromedel",
    "bistånd",
    "tjänst",
    "sensorer",
    "data",
    "signering",
    "hemtjänst",
)
PATHS_PER_SCENARIO = 20_000
WRITE_SHARE = 0.05
WRK_SCRIPT = Path(__file__).with_name("random_paths.lua")
# Long enough for each worker to render every cached page once: renders that compete with
# hundreds of hits a second take seconds on PostgreSQL, and would be measured as the tail.
WARM_UP_SECONDS = 3
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
# The registry's lists neither count the matches nor suggest facets: ask Datasette for the same.
LEAN = "_nocount=1&_nosuggest=1"
DATASETTE_METADATA = {"databases": {"api": {"tables": {"initiative": {"fts_table": "initiative_fts"}}}}}


@dataclass(frozen=True)
class Sample:
    """The rows the requests draw from: ids, owners with initiatives, counties, search words."""

    ids: list[str]
    owners: list[str]
    counties: list[str]


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    throughput: float
    p50_ms: float
    p99_ms: float


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/api.py drives the servers with wrk: install it first (apt-get install wrk).")
    sqlite_file = Path("var/bench/api.db").resolve()
    targets = [("SQLite", f"sqlite:///{sqlite_file}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    for label, url in targets:
        prepare_database(url, args.size)
        sample = load_sample(url)
        rng = random.Random(7)
        results: dict[str, list[Result]] = {}
        for cache in ("off", "on"):
            print(f"\n{label}: {args.size} initiatives, {args.clients} connections, {args.workers} workers,", end=" ")
            print(f"read cache {cache}")
            with registry_server(url, args.workers, cache == "on") as base:
                results[cache] = measure(base, registry_scenarios(sample, rng), args)
                results[f"{cache}, 5 % writes"] = measure(base, mixed_scenarios(sample, rng), args)
        if label == "SQLite" and not args.skip_datasette:
            print(f"\nDatasette on the same file: {args.clients} connections, one process")
            with datasette_server(sqlite_file) as base:
                results["datasette"] = measure(base, datasette_scenarios(sample, rng), args)
            print_comparison(results["off"], results["datasette"])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--postgres", help="A PostgreSQL URL whose database is emptied and filled.")
    parser.add_argument("--skip-datasette", action="store_true", help="Do not run the Datasette comparison.")
    return parser.parse_args()


def prepare_database(url: str, size: int) -> None:
    empty_database(url)
    migrations.upgrade(url)
    engine = build_engine(url)
    with session_scope(engine) as session:
        organisation_seed.seed(session)
        # The partner the mixed scenario writes as (with the admin token) must be registered.
        source_service.register(session, SourceCreate(name="bench-partner", owner="0180"))
    started = time.perf_counter()
    synthetic.load(engine, size)
    print(f"loaded {size} initiatives in {time.perf_counter() - started:.1f} s")
    engine.dispose()
    if make_url(url).get_backend_name() == "postgresql":
        # What autovacuum does after a bulk load (this machine runs PostgreSQL without it): the
        # planner's statistics, and the visibility map that lets the search terms' index answer
        # alone; without them a common word's search read the table, and search p99 was 2-3 times
        # as long (README, benchmarks).
        maintenance = create_engine(url, isolation_level="AUTOCOMMIT")
        with maintenance.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        maintenance.dispose()


def empty_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    maintenance.dispose()


def load_sample(url: str) -> Sample:
    engine = build_engine(url)
    with engine.connect() as connection:
        ids = [str(i) for i in connection.execute(text("SELECT id FROM initiative")).scalars()]
        owners = list(connection.execute(text("SELECT DISTINCT owner_code FROM initiative")).scalars())
        counties = list(
            connection.execute(
                text(
                    "SELECT DISTINCT county_code FROM organisation WHERE code IN "
                    "(SELECT owner_code FROM initiative) AND county_code IS NOT NULL"
                )
            ).scalars()
        )
    engine.dispose()
    return Sample(ids, owners, counties)


# Scenarios: each a name and a function drawing one request line ("METHOD path [body]").


def registry_scenarios(sample: Sample, rng: random.Random) -> dict[str, Callable[[], str]]:
    def search() -> str:
        return f"GET /api/v1/initiatives?{urlencode({'q': rng.choice(SEARCH_WORDS), 'limit': 20})}"

    return {
        "trivial (no database)": lambda: "GET /problems/not-found",
        "GET by id": lambda: f"GET /api/v1/initiatives/{rng.choice(sample.ids)}",
        "an organisation's list": lambda: f"GET /api/v1/initiatives?organisation={rng.choice(sample.owners)}&limit=50",
        "filtered list": lambda: f"GET /api/v1/initiatives?county={rng.choice(sample.counties)}&status=pilot&limit=50",
        "full-text search": search,
    }


def mixed_scenarios(sample: Sample, rng: random.Random) -> dict[str, Callable[[], str]]:
    """Reads of every kind, and a partner's upsert in 5 % of the requests."""
    reads = list(registry_scenarios(sample, rng).values())[1:]

    def request() -> str:
        if rng.random() < WRITE_SHARE:
            body = json.dumps(
                {
                    "title": f"Partnerns initiativ {rng.randrange(500)}",
                    "owner": rng.choice(sample.owners),
                    "category": "other",
                    "budget_sek": rng.randrange(1_000, 1_000_000),
                },
                ensure_ascii=False,
            )
            return f"PUT /api/v1/sources/bench-partner/initiatives/{rng.randrange(500)} {body}"
        return rng.choice(reads)()

    return {"mixed: 95 % reads, 5 % writes": request}


def datasette_scenarios(sample: Sample, rng: random.Random) -> dict[str, Callable[[], str]]:
    def hex_id() -> str:
        return rng.choice(sample.ids).replace("-", "")

    return {
        "GET by id": lambda: f"GET /api/initiative/{hex_id()}.json",
        "an organisation's list": lambda: (
            f"GET /api/initiative.json?owner_code={rng.choice(sample.owners)}&{LEAN}&_size=50"
        ),
        "full-text search": lambda: (
            f"GET /api/initiative.json?{urlencode({'_search': rng.choice(SEARCH_WORDS)})}&{LEAN}&_size=20"
        ),
    }


# Servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def registry_server(url: str, workers: int, read_cache: bool) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "REGISTRY_LOG_LEVEL": "WARNING", "REGISTRY_ADMIN_TOKEN": ADMIN_TOKEN}
    if not read_cache:
        env["REGISTRY_READ_CACHE_BYTES"] = "0"
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)]
    with serving(command, env, f"http://127.0.0.1:{port}", "/health") as base:
        yield base


@contextmanager
def datasette_server(sqlite_file: Path) -> Iterator[str]:
    if shutil.which("datasette", path=str(Path(sys.executable).parent)) is None:
        sys.exit("The comparison needs Datasette: pip install -e '.[bench]' (or pass --skip-datasette).")
    with tempfile.TemporaryDirectory() as directory:
        copy = Path(directory) / "api.db"
        shutil.copy(sqlite_file, copy)
        with sqlite3.connect(copy) as connection:
            connection.executescript(
                "CREATE VIRTUAL TABLE initiative_fts USING fts5(title, summary, description, "
                "content='initiative', content_rowid='rowid');"
                "INSERT INTO initiative_fts(rowid, title, summary, description) "
                "SELECT rowid, title, summary, description FROM initiative;"
            )
        metadata = Path(directory) / "metadata.json"
        metadata.write_text(json.dumps(DATASETTE_METADATA))
        port = free_port()
        datasette = str(Path(sys.executable).parent / "datasette")
        command = [datasette, "serve", str(copy), "--metadata", str(metadata), "--port", str(port)]
        with serving(command, dict(os.environ), f"http://127.0.0.1:{port}", "/-/versions.json") as base:
            yield base


@contextmanager
def serving(command: list[str], env: dict[str, str], base: str, ready_path: str) -> Iterator[str]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + ready_path, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{command[0]} did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


# Driving


def measure(base: str, scenarios: dict[str, Callable[[], str]], args) -> list[Result]:
    results = [drive(base, name, [draw() for _ in range(PATHS_PER_SCENARIO)], args) for name, draw in scenarios.items()]
    print_table(results)
    return results


def drive(base: str, name: str, lines: list[str], args) -> Result:
    """wrk after a warm-up, over request lines drawn beforehand and sent in random order."""
    with tempfile.NamedTemporaryFile("w", suffix=".requests", delete=False, encoding="utf-8") as file:
        file.write("\n".join(lines))
    try:
        wrk(base, file.name, args.clients, WARM_UP_SECONDS)
        return Result(name, *wrk(base, file.name, args.clients, args.seconds))
    finally:
        os.unlink(file.name)


def wrk(base: str, requests_file: str, connections: int, seconds: float) -> tuple[int, float, float, float]:
    command = [
        "wrk",
        f"--connections={connections}",
        "--threads=2",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=30s",
        f"--script={WRK_SCRIPT}",
        base,
    ]
    env = {**os.environ, "BENCH_REQUESTS": requests_file, "BENCH_TOKEN": ADMIN_TOKEN}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    if summary["errors"]:
        raise RuntimeError(f"{summary['errors']} requests failed or were not 2xx: {finished.stdout}")
    return summary["requests"], summary["requests"] / summary["seconds"], summary["p50_ms"], summary["p99_ms"]


def print_table(results: list[Result]) -> None:
    print(f"{'scenario':<32}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for r in results:
        print(f"{r.name:<32}{r.requests:>10}{r.throughput:>10.0f}{r.p50_ms:>10.1f}{r.p99_ms:>10.1f}")


def print_comparison(registry: list[Result], datasette: list[Result]) -> None:
    ours = {r.name: r for r in registry}
    print("\nRegistry (read cache off) against Datasette, same rows, same machine")
    print(f"{'scenario':<32}{'registry req/s':>16}{'Datasette req/s':>17}{'ratio':>8}")
    for theirs in datasette:
        mine = ours[theirs.name]
        ratio = mine.throughput / theirs.throughput
        print(f"{theirs.name:<32}{mine.throughput:>16.0f}{theirs.throughput:>17.0f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
