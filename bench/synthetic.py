"""A large synthetic registry for the benchmarks, bulk-inserted (the benchmarks measure reads).

Texts recombine the demo portfolio's sentences, so topics recur across owners as real duplicates
do; but they are only 63 different texts (at 50,000, 100,000 and 200,000), and a full build of
the overlap index scores each different text once (`scoring.Index.rank_all`): its time here says
little about a registry of as many different texts. Search terms are indexed exactly as the
service indexes them.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.demo.loader import read_portfolio
from app.initiatives import documents
from app.initiatives.models import Initiative, InitiativeTag, InitiativeTerm, StatusChange
from app.language.search import document_terms
from app.organisations.seed import read_rows

STATUSES = ("idea", "planned", "pilot", "implementation", "in_operation", "scaled", "discontinued")
BATCH = 5_000


def synthetic_rows(size: int, rng: random.Random):
    templates = read_portfolio()["initiatives"]
    owners = [row["code"] for row in read_rows("municipalities.csv")]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for index in range(size):
        template = rng.choice(templates)
        sentences = (template.get("description") or template["title"]).split(". ")
        description = ". ".join(rng.sample(sentences, k=max(1, len(sentences) // 2)))
        initiative_id = uuid.uuid4()
        updated_at = start + timedelta(minutes=index)
        initiative = {
            "id": initiative_id,
            "title": template["title"][:190],
            "summary": template.get("summary"),
            "description": description,
            "owner_code": rng.choice(owners),
            "status": rng.choice(STATUSES),
            "category": template["category"],
            "budget_sek": rng.randrange(100_000, 10_000_000),
            "digital_share": round(rng.random(), 2),
            "benefit_evidence": [],
            "strategy_refs": [],
            "links": [],
            "registry_edited_fields": [],
            "has_benefit_realisation_plan": rng.random() < 0.5,
            "source": "bench",
            "external_id": str(index),
            "is_withdrawn_at_source": False,
            "created_at": updated_at,
            "updated_at": updated_at,
            "version": 1,
            "is_archived": False,
        }
        tags = sorted(set(template.get("tags", [])))
        text = " ".join(filter(None, [initiative["title"], initiative["summary"], description, *tags]))
        yield initiative, tags, document_terms(text)


def load(engine: Engine, size: int, seed: int = 1) -> list[uuid.UUID]:
    """Insert `size` initiatives; returns their ids."""
    rng = random.Random(seed)
    ids: list[uuid.UUID] = []
    rows = synthetic_rows(size, rng)
    while batch := list(islice(rows, BATCH)):
        _insert_batch(engine, batch)
        ids.extend(initiative["id"] for initiative, _, _ in batch)
    with session_scope(engine) as session:
        documents.write_missing(session)
    return ids


def _insert_batch(engine: Engine, batch: list) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Initiative), [initiative for initiative, _, _ in batch])
        connection.execute(
            insert(InitiativeTag), [{"initiative_id": i["id"], "tag": tag} for i, tags, _ in batch for tag in tags]
        )
        connection.execute(
            insert(InitiativeTerm),
            [{"initiative_id": i["id"], "term": term} for i, _, terms in batch for term in terms],
        )
        connection.execute(
            insert(StatusChange),
            [
                {
                    "initiative_id": i["id"],
                    "status": i["status"],
                    "changed_date": i["created_at"].date(),
                    "recorded_at": i["created_at"],
                }
                for i, _, _ in batch
            ],
        )
