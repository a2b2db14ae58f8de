"""API latency and throughput over loopback: `python bench/api.py [--size N] [--postgres URL]`.

For each database (a fresh SQLite file, and PostgreSQL when --postgres is given) it loads N
synthetic initiatives, starts `registry serve` with several workers, and drives it with
concurrent clients: GET by id, a filtered list, full-text search, and a trivial endpoint
of the same server (no database) as the framework's ceiling. Prints p50/p99 and throughput.
The load generator shares the machine's cores with the server: compare rows of one run.
"""

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core import migrations  # noqa: E402
from app.core.db import build_engine, session_scope  # noqa: E402
from app.organisations import seed as organisation_seed  # noqa: E402
from bench import synthetic  # noqa: E402

SEARCH_WORDS = ("fallprevention", "nattillsyn", "bygglov", "chattbot", "trygghetslarm", "läromedel",
                "ekonomiskt bistånd", "e-tjänst", "sensorer", "öppna data", "signering", "hemtjänst")


def main() -> None:
    args = parse_args()
    targets = [("SQLite", f"sqlite:///{Path('var/bench/api.db').resolve()}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    for label, url in targets:
        prepare_database(url, args.size)
        ids = [str(i) for i in load_ids(url)]
        print(f"\n{label}: {args.size} initiatives, {args.clients} clients, {args.workers} workers, "
              f"{args.seconds:g} s per scenario")
        with running_server(url, args.workers) as base:
            results = asyncio.run(run_scenarios(base, ids, args))
        print_table(results)


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
    def __init__(self, url: str, workers: int) -> None:
        self.url, self.workers = url, workers

    def __enter__(self) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": self.url, "REGISTRY_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(self.workers)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


async def run_scenarios(base: str, ids: list[str], args) -> list[tuple[str, int, float, float, float]]:
    rng = random.Random(7)
    counties = [f"{code:02d}" for code in (1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, 24, 25)]
    scenarios: list[tuple[str, Callable[[], str]]] = [
        ("trivial (no database)", lambda: "/problems/not-found"),
        ("GET by id", lambda: f"/api/v1/initiatives/{rng.choice(ids)}"),
        ("filtered list", lambda: f"/api/v1/initiatives?county={rng.choice(counties)}&status=pilot&limit=50"),
        ("full-text search", lambda: f"/api/v1/initiatives?q={rng.choice(SEARCH_WORDS)}&limit=20"),
    ]
    results = []
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 limits=httpx.Limits(max_connections=args.clients)) as client:
        for name, next_path in scenarios:
            await drive(client, next_path, args.clients, 1.0)  # warm-up
            latencies, elapsed = await drive(client, next_path, args.clients, args.seconds)
            latencies.sort()
            results.append((name, len(latencies), len(latencies) / elapsed, statistics.median(latencies),
                            latencies[int(len(latencies) * 0.99) - 1]))
    return results


async def drive(client: httpx.AsyncClient, next_path: Callable[[], str], clients: int, seconds: float):
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []

    async def one_client() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.get(next_path())
            response.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, time.perf_counter() - started


def print_table(results) -> None:
    ceiling = results[0][2]
    print(f"{'scenario':<24}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs trivial':>12}")
    for name, count, throughput, p50, p99 in results:
        print(f"{name:<24}{count:>10}{throughput:>10.0f}{p50:>10.1f}{p99:>10.1f}{throughput / ceiling:>12.2f}")


if __name__ == "__main__":
    main()
