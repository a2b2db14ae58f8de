"""The verifiable change log at scale: `python bench/change_log.py [--entries 100000] [--database URL]`.

Fills a fresh database (a temporary SQLite file unless --database, which must be empty) with
entries written the way the registry writes them (`change_service.record`, in batches as an
import does), then measures over HTTP (the ASGI app in process) the median of ROUNDS requests
for a signed tree head, an inclusion proof of a random entry and a consistency proof between
random sizes (beside `/health`, the cheapest request, as the baseline of the HTTP stack),
and the time `registry verify`'s core takes to mirror and check the whole feed.
"""

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from app.assembly import assemble
from app.changes import service as change_service
from app.changes.log import mirror
from app.core import migrations
from app.core.caller import ADMIN
from app.core.db import build_engine, session_scope
from app.core.enums import ChangeAction
from app.core.settings import Settings
from app.main import create_app

BATCH = 1000
ROUNDS = 50


def fill(database_url: str, entries: int) -> float:
    engine = build_engine(database_url)
    started = time.perf_counter()
    for first in range(0, entries, BATCH):
        with session_scope(engine) as session:
            change_service.record(session, [_entry(n) for n in range(first, min(entries, first + BATCH))])
    engine.dispose()
    return time.perf_counter() - started


def _entry(number: int) -> dict:
    initiative = uuid.uuid4()
    snapshot = {"id": str(initiative), "title": f"Initiativ {number}", "status": "pilot", "budget_sek": 1_200_000}
    return change_service.new_change(
        entity="initiative",
        entity_id=initiative,
        initiative_id=initiative,
        action=ChangeAction.create,
        caller=ADMIN,
        snapshot=snapshot,
        changes={},
        version=1,
    )


def median_ms(client: TestClient, make_url) -> float:
    times = []
    for _ in range(ROUNDS):
        url = make_url()
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database")
    args = parser.parse_args()
    assemble()
    with tempfile.TemporaryDirectory() as scratch:
        database_url = args.database or f"sqlite:///{scratch}/log.db"
        migrations.upgrade(database_url)
        filled = fill(database_url, args.entries)
        size = args.entries
        application = create_app(Settings(database_url=database_url, read_cache_bytes=0))
        with TestClient(application) as client:
            sequences = [item["sequence"] for item in client.get("/api/v1/changes?limit=1").json()["items"]]
            first_sequence = sequences[0]
            results = {
                "entries": size,
                "write_seconds_per_1000": round(filled / size * 1000, 3),
                "health_ms (baseline: the cheapest request)": median_ms(client, lambda: "/health"),
                "tree_head_ms": median_ms(client, lambda: "/api/v1/log/tree-head"),
                "inclusion_proof_ms": median_ms(
                    client,
                    lambda: (
                        f"/api/v1/log/proof/inclusion?sequence={first_sequence + random.randrange(size)}"
                        f"&tree_size={size}"
                    ),
                ),
                "consistency_proof_ms": median_ms(
                    client, lambda: f"/api/v1/log/proof/consistency?first={random.randrange(1, size)}&second={size}"
                ),
            }
            started = time.perf_counter()
            transport = httpx.Client(transport=client._transport, base_url="http://testserver")  # type: ignore[attr-defined]
            mirror.verify(transport, Path(scratch) / "state.json")
            results["verify_whole_feed_seconds"] = round(time.perf_counter() - started, 1)
        application.state.engine.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
