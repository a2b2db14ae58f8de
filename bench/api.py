"""API latency and throughput over loopback: `python bench/api.py [--size N] [--postgres URL]`.

For each database (a fresh SQLite file, and PostgreSQL when --postgres is given) it loads N
synthetic initiatives, starts `registry serve` with several workers, and drives it with wrk
(concurrent connections, random paths from a list): GET by id, a filtered list, full-text
search, and a trivial endpoint of the same server (no database) as the framework's ceiling.
It measures twice, with each worker's read cache on (the default) and off, and prints p50/p99
and throughput. wrk is written in C, so it takes little of the cores it shares with the server;
compare rows of one run.
"""

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core import migrations
from app.core.db import build_engine, session_scope
from app.organisations import seed as organisation_seed
from bench import synthetic

SEARCH_WORDS = (
    "fallprevention",
    "nattillsyn",
    "bygglov",
    "chattbot",
    "trygghetslarm",
    "läromedel",
    "ekonomiskt bistånd",
    "e-tjänst",
    "sensorer",
    "öppna data",
    "signering",
    "hemtjänst",
)
COUNTIES = (
    "01",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
)
PATHS_PER_SCENARIO = 20_000
WRK_SCRIPT = Path(__file__).with_name("random_paths.lua")
READ_CACHE = {"on": None, "off": "0"}  # None: the server's default size
# Long enough for each worker to render every cached page once: renders that compete with
# hundreds of hits a second take seconds on PostgreSQL, and would be measured as the tail.
WARM_UP_SECONDS = 3


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/api.py drives the server with wrk: install it first (apt-get install wrk).")
    targets = [("SQLite", f"sqlite:///{Path('var/bench/api.db').resolve()}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    for label, url in targets:
        prepare_database(url, args.size)
        scenarios = scenario_paths(load_ids(url))
        for cache, cache_bytes in READ_CACHE.items():
            print(
                f"\n{label}: {args.size} initiatives, {args.clients} connections, {args.workers} workers, "
                f"read cache {cache}, {args.seconds:g} s per scenario"
            )
            with running_server(url, args.workers, cache_bytes) as base:
                print_table([(name, *drive(base, paths, args)) for name, paths in scenarios])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--postgres", help="A PostgreSQL URL whose database is emptied and filled.")
    return parser.parse_args()


def prepare_database(url: str, size: int) -> None:
    empty_database(url)
    migrations.upgrade(url)
    engine = build_engine(url)
    with session_scope(engine) as session:
        organisation_seed.seed(session)
    started = time.perf_counter()
    synthetic.load(engine, size)
    print(f"loaded {size} initiatives in {time.perf_counter() - started:.1f} s")
    engine.dispose()


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


def load_ids(url: str) -> list:
    engine = build_engine(url)
    with engine.connect() as connection:
        ids = list(connection.execute(text("SELECT id FROM initiative")).scalars())
    engine.dispose()
    return ids


class running_server:
    def __init__(self, url: str, workers: int, read_cache_bytes: str | None) -> None:
        self.url, self.workers, self.read_cache_bytes = url, workers, read_cache_bytes

    def __enter__(self) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": self.url, "REGISTRY_LOG_LEVEL": "WARNING"}
        if self.read_cache_bytes is not None:
            env["REGISTRY_READ_CACHE_BYTES"] = self.read_cache_bytes
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(self.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300  # each worker builds its overlap index first
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    return base
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def scenario_paths(ids: list[str]) -> list[tuple[str, list[str]]]:
    """Each scenario's paths, drawn at random beforehand; wrk requests them in random order."""
    rng = random.Random(7)
    draws = {
        "trivial (no database)": lambda: "/problems/not-found",
        "GET by id": lambda: f"/api/v1/initiatives/{rng.choice(ids)}",
        "filtered list": lambda: f"/api/v1/initiatives?county={rng.choice(COUNTIES)}&status=pilot&limit=50",
        "full-text search": lambda: f"/api/v1/initiatives?{urlencode({'q': rng.choice(SEARCH_WORDS), 'limit': 20})}",
    }
    return [(name, [draw() for _ in range(PATHS_PER_SCENARIO)]) for name, draw in draws.items()]


def drive(base: str, paths: list[str], args) -> tuple[int, float, float, float]:
    """Requests, requests per second, p50 and p99 in ms: wrk after a warm-up."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as file:
        file.write("\n".join(paths))
    try:
        wrk(base, file.name, args.clients, WARM_UP_SECONDS)
        return wrk(base, file.name, args.clients, args.seconds)
    finally:
        os.unlink(file.name)


def wrk(base: str, paths_file: str, connections: int, seconds: float) -> tuple[int, float, float, float]:
    command = [
        "wrk",
        f"--connections={connections}",
        "--threads=2",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=30s",
        f"--script={WRK_SCRIPT}",
        base,
    ]
    finished = subprocess.run(
        command, env={**os.environ, "BENCH_PATHS": paths_file}, capture_output=True, text=True, check=True
    )
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    if summary["errors"]:
        raise RuntimeError(f"{summary['errors']} requests failed or were not 2xx: {finished.stdout}")
    return summary["requests"], summary["requests"] / summary["seconds"], summary["p50_ms"], summary["p99_ms"]


def print_table(results) -> None:
    ceiling = results[0][2]
    print(f"{'scenario':<24}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs trivial':>12}")
    for name, count, throughput, p50, p99 in results:
        print(f"{name:<24}{count:>10}{throughput:>10.0f}{p50:>10.1f}{p99:>10.1f}{throughput / ceiling:>12.2f}")


if __name__ == "__main__":
    main()
