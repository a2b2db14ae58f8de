"""Start-up under load: `python bench/startup.py [--size 50000] [--workers 4] [--runs 3]`.

Loads N synthetic initiatives into a fresh SQLite file (or the `--postgres` URL's database),
then starts `registry serve --workers W` several times while another process keeps a core busy,
and prints per run the seconds until `GET /health/ready` answers 200 and until every worker has
finished its start-up, and how many workers uvicorn's supervisor restarted (its health check
gave up on them) in the first `--watch` seconds; then the medians.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Process
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api import ADMIN_TOKEN, free_port, prepare_database

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    args = parse_args()
    url = args.postgres or f"sqlite:///{Path(tempfile.gettempdir()) / 'registry-startup-bench.db'}"
    prepare_database(url, args.size)
    # The first start annotates and renders what the loader left; measured starts find it done.
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=environment(url), check=True)
    busy = Process(target=keep_busy, daemon=True)
    busy.start()
    try:
        runs = [start_once(url, args) for _ in range(args.runs)]
    finally:
        busy.terminate()
    print(f"{'run':>4} {'ready s':>8} {'all workers s':>14} {'restarts':>9}")
    for number, (ready, all_started, restarts) in enumerate(runs, 1):
        print(f"{number:>4} {ready:>8.1f} {all_started:>14.1f} {restarts:>9}")
    print(
        f"median: ready {statistics.median(r[0] for r in runs):.1f} s, every worker "
        f"{statistics.median(r[1] for r in runs):.1f} s, restarts {statistics.median(r[2] for r in runs):g} "
        f"({args.workers} workers, {args.size} initiatives, one busy process beside them)"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--watch", type=float, default=30.0, help="Seconds to keep watching for restarts.")
    parser.add_argument("--postgres", help="A PostgreSQL URL whose database is emptied and filled.")
    return parser.parse_args()


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "REGISTRY_ADMIN_TOKEN": ADMIN_TOKEN}


def keep_busy() -> None:
    while True:
        pass


def start_once(url: str, args: argparse.Namespace) -> tuple[float, float, int]:
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(args.workers)]
    with tempfile.TemporaryFile("w+") as log:
        started = time.monotonic()
        server = subprocess.Popen(command, cwd=ROOT, env=environment(url), stdout=log, stderr=subprocess.STDOUT)
        try:
            ready = wait_for_ready(f"http://127.0.0.1:{port}/health/ready", started)
            all_started = wait_for_workers(log, args.workers, started)
            time.sleep(max(0.0, args.watch - (time.monotonic() - started)))
        finally:
            server.terminate()
            server.wait(timeout=60)
        log.seek(0)
        restarts = len(re.findall(r"Child process \[\d+\] died", log.read()))
    return ready, all_started, restarts


def wait_for_ready(url: str, started: float) -> float:
    while time.monotonic() - started < 300:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not become ready within 300 s")


def wait_for_workers(log, workers: int, started: float) -> float:
    while time.monotonic() - started < 300:
        log.seek(0)
        if log.read().count("Application startup complete.") >= workers:
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError("not every worker started within 300 s")


if __name__ == "__main__":
    main()
