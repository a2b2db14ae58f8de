"""The overlap indexer and the API beside it, at scale: `python bench/analytics.py [--sizes 1000 50000]
[--rebuild-sizes 200000] [--postgres URL]`.

For each database (a fresh SQLite file, and PostgreSQL when --postgres is given) and each size it
fills the registry with bench/synthetic.py's initiatives (the demo portfolio's texts recombined,
so every text has near-copies owned by other municipalities: many overlaps) and measures:

- rebuild: the indexer's full build from scratch (every initiative read, analysed and placed,
  every list of closest matches, the clusters and the proven matches written), in a process of
  its own so that its peak RSS is the build's;
- take-up: what a restarted indexer does instead (every initiative read, analysed and placed,
  the stored lists read; nothing changed since, so nothing else is worked out), in a process of
  its own;
- overlaps in the service: `overlaps_json` for random initiatives (what the route runs: SQL over
  the indexer's tables, the JSON body written) in a process warmed up as a worker is, p50 and p99;
- search, uncached: `GET /api/v1/initiatives?q=…&limit=20` through the whole app in-process,
  one request at a time, with the read cache off (the bench's search words, inflections, an
  abbreviation that names a concept, two words), p50 and p99;
- then `registry serve --workers 2` on the same database (with its background indexer):
  - ready: seconds from the command to the first `GET /health` answered;
  - writes: `POST /api/v1/initiatives` from 8 connections (wrk) for --seconds, writes per second;
  - visible: a write of a text like others' followed by `GET …/overlaps` until the match shows,
    p50 and p95 over VISIBLE_ROUNDS writes;
  - overlaps over HTTP: `GET /api/v1/initiatives/{id}/overlaps` from 16 connections (wrk), p50/p99,
    and each worker's CPU seconds over it: wrk's connections stay with the worker that accepted
    them, and when one worker holds most of them the figures are several times worse;
  - service RSS: the peak RSS of the server's processes (workers and background roles) summed.

`--rebuild-sizes` are measured for the rebuild only. The machine is shared: compare rows of one run.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.db import build_engine, session_scope
from bench import api as api_bench

ROUNDS = 200
SEARCH_EXAMPLES = ("larmet", "kameran", "IFO", "digital nattillsyn", "e-tjänst", "skola")
VISIBLE_ROUNDS = 20
VISIBLE_TIMEOUT = 60.0
WRITE_CONNECTIONS = 8
READ_CONNECTIONS = 16
# A text like many of the synthetic registry's (the demo portfolio's night supervision).
NIGHT_SUPERVISION = (
    "Digital nattillsyn med kamera i hemtjänsten: brukare som vill får tillsyn via kamera i stället för "
    "ett nattligt besök, så att sömnen inte störs."
)


def main() -> None:
    args = parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args.url)))
        return
    targets = [("SQLite", f"sqlite:///{Path('var/bench/analytics.db').resolve()}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    Path("var/bench").mkdir(parents=True, exist_ok=True)
    for label, url in targets:
        print(f"\n{label}")
        print(
            f"{'size':>8}{'rebuild s':>11}{'build RSS MB':>14}{'take-up s':>11}"
            f"{'in-service p50/p99 ms':>23}{'search p50/p99 ms':>19}"
            f"{'ready s':>9}{'writes/s':>10}{'visible p50/p95 s':>19}"
            f"{'HTTP p50/p99 ms':>17}{'workers CPU s':>15}{'service RSS MB':>16}"
        )
        for size in args.sizes + args.rebuild_sizes:
            api_bench.prepare_database(url, size)
            build = run_step("rebuild", url)
            take_up = run_step("take_up", url)
            row = f"{size:>8}{build['seconds']:>11.1f}{build['peak_rss_mb']:>14.0f}{take_up['seconds']:>11.1f}"
            if size in args.rebuild_sizes:
                print(row, flush=True)
                continue
            found = run_step("overlaps", url)
            searched = run_step("search", url)
            served = measure_served(url, args)
            print(
                f"{row}{_pair(found['p50_ms'], found['p99_ms'], 1):>23}"
                f"{_pair(searched['p50_ms'], searched['p99_ms'], 1):>19}{served['ready_s']:>9.1f}"
                f"{served['writes_per_s']:>10.0f}{_pair(served['visible_p50_s'], served['visible_p95_s'], 2):>19}"
                f"{_pair(served['http_p50_ms'], served['http_p99_ms'], 1):>17}"
                f"{' / '.join(f'{cpu:.1f}' for cpu in served['http_workers_cpu_s']):>15}"
                f"{served['service_rss_mb']:>16.0f}",
                flush=True,
            )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 50_000])
    parser.add_argument("--rebuild-sizes", type=int, nargs="*", default=[], help="Sizes measured for the rebuild only.")
    parser.add_argument("--postgres", help="A PostgreSQL URL whose database is emptied and filled.")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_step(step: str, url: str) -> dict:
    """A step in a process of its own, so that its peak RSS is its own."""
    found = subprocess.run(
        [sys.executable, __file__, "--step", step, "--url", url], check=True, capture_output=True, text=True
    )
    return json.loads(found.stdout.strip().splitlines()[-1])


def step_rebuild(url: str) -> dict:
    return _timed_indexer(url, lambda indexer, transaction: indexer.rebuild(transaction))


def step_take_up(url: str) -> dict:
    return _timed_indexer(url, lambda indexer, transaction: indexer.catch_up(transaction))


def _timed_indexer(url: str, work: Callable) -> dict:
    """Seconds and peak RSS of a new indexer's `work`, in this process."""
    from app.analytics.indexer.indexer import Indexer
    from app.assembly import assemble

    assemble()
    transaction = partial(session_scope, build_engine(url))
    started = time.perf_counter()
    work(Indexer(), transaction)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _own_peak_rss_mb()}


def step_overlaps(url: str) -> dict:
    from app.analytics.context import AnalyticsContext
    from app.analytics.overlaps.service import overlaps_json
    from app.assembly import assemble
    from app.main import warm_up

    assemble()
    warm_up(is_server_worker=True)  # as a worker is before the reads measured
    engine = build_engine(url)
    with session_scope(engine, write=False) as session:
        ids = list(session.execute(text("SELECT id FROM initiative")).scalars())
        times = []
        for initiative_id in random.Random(1).sample(ids, min(ROUNDS, len(ids))):
            started = time.perf_counter()
            overlaps_json(AnalyticsContext.of(session), _uuid(initiative_id))
            times.append(time.perf_counter() - started)
    return {"p50_ms": statistics.median(times) * 1000, "p99_ms": _percentile(times, 0.99) * 1000}


def step_search(url: str) -> dict:
    """Full-text searches through the whole app, one at a time, with the read cache off: the
    bench's search words and words of the issue's examples (inflections, an abbreviation that
    names a concept, two words)."""
    from fastapi.testclient import TestClient

    from app.main import create_app, warm_up

    os.environ.update(DATABASE_URL=url, REGISTRY_READ_CACHE_BYTES="0", REGISTRY_LOG_LEVEL="WARNING")
    warm_up(is_server_worker=True)
    queries = [*api_bench.SEARCH_WORDS, *SEARCH_EXAMPLES]
    times = []
    with TestClient(create_app()) as client:
        for q in queries:  # each worker asks once whether a word is common, then remembers
            client.get("/api/v1/initiatives", params={"q": q, "limit": 20}).raise_for_status()
        for q in random.Random(2).choices(queries, k=ROUNDS * 2):
            started = time.perf_counter()
            client.get("/api/v1/initiatives", params={"q": q, "limit": 20}).raise_for_status()
            times.append(time.perf_counter() - started)
    return {"p50_ms": statistics.median(times) * 1000, "p99_ms": _percentile(times, 0.99) * 1000}


STEPS = {"rebuild": step_rebuild, "take_up": step_take_up, "overlaps": step_overlaps, "search": step_search}


def measure_served(url: str, args: argparse.Namespace) -> dict:
    sample = api_bench.load_sample(url)
    built = indexer_version(url)
    started = time.monotonic()
    with api_bench.registry_server(url, workers=2, read_cache=True) as base:
        ready = time.monotonic() - started
        server = _server_pid(base)
        # The server's indexer takes up the tables when it starts: writes measured meanwhile would
        # compete with it.
        wait_for_indexer(url, after_version=built)
        writes = drive_writes(base, sample, args.seconds)
        wait_for_indexer(url)
        visible = [write_until_visible(base, sample) for _ in range(VISIBLE_ROUNDS)]
        workers_before = _workers_cpu_s(server)
        reads = api_bench.drive(
            base,
            "overlaps",
            [f"GET /api/v1/initiatives/{random.choice(sample.ids)}/overlaps" for _ in range(5_000)],
            argparse.Namespace(clients=READ_CONNECTIONS, seconds=args.seconds),
        )
        workers_cpu = [after - before for after, before in zip(_workers_cpu_s(server), workers_before, strict=True)]
        service_rss = _tree_peak_rss_mb(server)
    return {
        "ready_s": ready,
        "writes_per_s": writes,
        "visible_p50_s": statistics.median(visible),
        "visible_p95_s": _percentile(visible, 0.95),
        "http_p50_ms": reads.p50_ms,
        "http_p99_ms": reads.p99_ms,
        "http_workers_cpu_s": workers_cpu,
        "service_rss_mb": service_rss,
    }


def drive_writes(base: str, sample: api_bench.Sample, seconds: float) -> float:
    rng = random.Random(3)
    lines = [
        "POST /api/v1/initiatives "
        + json.dumps(
            {
                "title": f"Nattillsyn i hemtjänsten, etapp {number}",
                "summary": NIGHT_SUPERVISION,
                "owner": rng.choice(sample.owners),
                "category": "welfare_technology",
                "status": "planned",
            },
            ensure_ascii=False,
        )
        for number in range(20_000)
    ]
    result = api_bench.drive(base, "writes", lines, argparse.Namespace(clients=WRITE_CONNECTIONS, seconds=seconds))
    return result.throughput


def write_until_visible(base: str, sample: api_bench.Sample) -> float:
    """Seconds from a write's answer until its overlaps list someone else's initiative."""
    headers = {"Authorization": f"Bearer {api_bench.ADMIN_TOKEN}"}
    body = {
        "title": "Digital nattillsyn med kamera",
        "summary": NIGHT_SUPERVISION,
        "owner": random.choice(sample.owners),
        "category": "welfare_technology",
        "status": "idea",
    }
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        created = client.post("/api/v1/initiatives", json=body)
        created.raise_for_status()
        written = time.monotonic()
        while time.monotonic() - written < VISIBLE_TIMEOUT:
            overlaps = client.get(f"/api/v1/initiatives/{created.json()['id']}/overlaps").json()
            if overlaps["items"]:
                return time.monotonic() - written
            time.sleep(0.05)
    raise RuntimeError(f"a write did not show in its overlaps within {VISIBLE_TIMEOUT} s")


def indexer_version(url: str) -> int:
    with _engine(url) as engine:
        return _indexer_state(engine)[0]


def wait_for_indexer(url: str, after_version: int = -1, timeout: float = 1_800) -> None:
    """Until an indexer has built or taken up its tables (one that started after the tables were
    at `after_version`: the server's) and applied every change."""
    deadline = time.monotonic() + timeout
    with _engine(url) as engine:
        while time.monotonic() < deadline:
            version, is_built, lag = _indexer_state(engine)
            if is_built and version > after_version and lag == 0:
                return
            time.sleep(0.5)
    raise RuntimeError("the indexer did not catch up")


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = build_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _indexer_state(engine: Engine) -> tuple[int, bool, int]:
    """The indexer's version, whether its tables are built, and the changes it has not applied."""
    from app.analytics.indexer import state

    with session_scope(engine, write=False) as session:
        found = state.read(session)
        return found.version, bool(found.method), state.lag(session)


def _server_pid(base: str) -> int:
    """The supervisor `registry serve` became (`app.supervisor`), listening at `base`."""
    wanted = f"--port={base.rsplit(':', 1)[1]}\0"
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if wanted in cmdline.read_text() and "app.supervisor" in cmdline.read_text():
                return int(cmdline.parent.name)
        except OSError:
            continue
    raise RuntimeError(f"no registry serve process for {base}")


def _tree_peak_rss_mb(pid: int) -> float:
    """The peak RSS (VmHWM) of a process and all its descendants, summed."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        status = Path(f"/proc/{current}/status")
        if not status.exists():
            continue
        total_kb += next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM"))
        for task in Path(f"/proc/{current}/task").iterdir():
            pending.extend(int(child) for child in (task / "children").read_text().split())
    return total_kb / 1024


def _workers_cpu_s(server: int) -> list[float]:
    """The CPU seconds (user and system) each of the server's API workers has used so far."""
    found = []
    for task in Path(f"/proc/{server}/task").iterdir():
        for child in (task / "children").read_text().split():
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text():
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                found.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return found


def _own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _pair(first: float, second: float, decimals: int) -> str:
    return f"{first:.{decimals}f} / {second:.{decimals}f}"


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


if __name__ == "__main__":
    main()
