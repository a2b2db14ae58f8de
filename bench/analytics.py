"""Time the analytics endpoints on a large synthetic registry: `python bench/analytics.py [SIZE ...]`.

Each size gets a fresh SQLite database (or BENCH_DATABASE_URL, which is emptied first) filled
with SIZE initiatives spread over the 290 municipalities. Their texts are recombined from the
demo portfolio's sentences, so topics recur across owners as real duplicates do; a quarter
have adoptions and most carry budgets. Rows are bulk-inserted: this measures the reads.
"""

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from app.adoptions.models import Adoption
from app.changes.models import Change
from app.core import migrations
from app.core.db import build_engine, session_scope
from app.core.settings import Settings
from app.demo.loader import read_portfolio
from app.initiatives.models import Initiative, InitiativeTag
from app.main import create_app
from app.organisations import seed as organisation_seed
from app.organisations.seed import read_rows

STATUSES = ("idea", "planned", "pilot", "implementation", "in_operation", "scaled", "discontinued")
ROUNDS = 5


def synthetic_initiatives(size: int, rng: random.Random) -> tuple[list[dict], list[dict], list[dict]]:
    templates = read_portfolio()["initiatives"]
    municipalities = [row["code"] for row in read_rows("municipalities.csv")]
    initiatives, tags, adoptions = [], [], []
    for _ in range(size):
        template = rng.choice(templates)
        sentences = (template.get("description") or "").split(". ")
        initiative_id = uuid.uuid4()
        initiatives.append({
            "id": initiative_id, "title": template["title"][:190], "summary": template.get("summary"),
            "description": ". ".join(rng.sample(sentences, k=max(1, len(sentences) // 2))),
            "owner_code": rng.choice(municipalities), "status": rng.choice(STATUSES),
            "category": template["category"], "budget_sek": rng.randrange(100_000, 10_000_000),
            "digital_share": rng.random(), "realised_benefit_sek_per_year": rng.choice([None, 500_000]),
            "benefit_evidence": [], "strategy_refs": [], "links": [], "registry_edited_fields": [],
            "has_benefit_realisation_plan": rng.random() < 0.5, "solution": template.get("solution"),
        })
        tags += [{"initiative_id": initiative_id, "tag": tag} for tag in set(rng.sample(template["tags"], k=2))]
        if rng.random() < 0.25:
            adoptions.append({"id": uuid.uuid4(), "initiative_id": initiative_id,
                              "organisation_code": rng.choice(municipalities), "status": "piloting"})
    return initiatives, tags, adoptions


def fill(database_url: str, size: int) -> None:
    migrations.upgrade(database_url)
    engine = build_engine(database_url)
    initiatives, tags, adoptions = synthetic_initiatives(size, random.Random(size))
    with session_scope(engine) as session:
        organisation_seed.seed(session)
        for table in ("change", "adoption", "initiative_tag", "initiative"):
            session.execute(text(f'DELETE FROM "{table}"'))
        session.execute(insert(Initiative), initiatives)
        session.execute(insert(InitiativeTag), tags)
        owners = {initiative["id"]: initiative["owner_code"] for initiative in initiatives}
        session.execute(insert(Adoption),
                        [a for a in adoptions if a["organisation_code"] != owners[a["initiative_id"]]])
        session.add(Change(entity="initiative", entity_id=uuid.uuid4(), initiative_id=uuid.uuid4(), action="create",
                           actor_kind="system"))
    engine.dispose()


def timed(client: TestClient, path: str) -> tuple[float, float, int]:
    """Seconds for the first request, the median of the next ROUNDS, and the items returned."""
    started = time.perf_counter()
    response = client.get(path)
    first = time.perf_counter() - started
    assert response.status_code == 200, response.text
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        client.get(path)
        rounds.append(time.perf_counter() - started)
    body = response.json()
    return first, statistics.median(rounds), len(body.get("items", body.get("initiatives", [])))


def bench(size: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(directory) / 'bench.db'}"
        fill(database_url, size)
        some_id = _any_initiative(database_url)
        with TestClient(create_app(Settings(database_url=database_url))) as client:
            for path in ("/api/v1/overlaps?min_score=0.5", "/api/v1/duplication-clusters",
                         f"/api/v1/initiatives/{some_id}/overlaps", f"/api/v1/initiatives/{some_id}/flags",
                         "/api/v1/scaling-candidates", "/api/v1/scaling-candidates?for_organisation=2281",
                         "/api/v1/organisations/2281/portfolio", "/api/v1/organisations/2281/kpis"):
                first, warm, items = timed(client, path)
                print(f"{size:>7} {path.replace(str(some_id), '{id}')[:50]:<51} "
                      f"first {first:7.3f} s   warm {warm:7.3f} s   {items} items")


def _any_initiative(database_url: str) -> uuid.UUID:
    engine = build_engine(database_url)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT id FROM initiative LIMIT 1")).scalar_one()
    engine.dispose()
    return found


if __name__ == "__main__":
    for argument in sys.argv[1:] or ["2000", "10000"]:
        bench(int(argument))
