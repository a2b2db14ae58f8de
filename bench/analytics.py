"""Analytics cost on large synthetic registries: `python bench/analytics.py [--sizes 10000 50000 200000]`.

For each size it fills a fresh SQLite file (or --database, which is emptied first) with
synthetic initiatives and measures, each in a fresh subprocess so that peak RSS is that
step's own. Two kinds of synthetic registry (`--data`):

- `topics` (default): initiatives about topics whose sizes follow a Pareto law (most topics
  one or two initiatives, a few with hundreds), each topic with its own Swedish-looking words,
  plus common words at Zipf frequencies and generic words ("digital", "införande"), each
  initiative owned by another municipality. Duplication as a national registry would show it.
- `templates`: bench/synthetic.py, the demo portfolio's 41 texts recombined, so every text
  has size ÷ 41 near-copies: the worst case for an all-pairs comparison.

Measured:

- build: the overlap corpus from scratch (read every initiative, vectorise, all pairs) and
  the full national duplication report (`list_clusters`), with peak RSS;
- overlaps: `find_overlaps` for ROUNDS random initiatives (full InitiativeRead results), p50/p99;
- update: one initiative's text changed and committed, then the next request's corpus
  refresh (incremental: only that initiative re-read and re-compared), median of UPDATES;
- visible: the same write followed by a request in another process-like cache whose corpus
  predates it, i.e. write-to-visible latency across workers.

`--build-only SIZE ...` limits the sizes above which only the build is measured.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core import migrations
from app.core.db import build_engine, session_scope
from app.core.text import stems
from app.organisations import seed as organisation_seed
from app.organisations.seed import read_rows
from bench import synthetic

ROUNDS = 200
UPDATES = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--build-only", type=int, nargs="*", default=[], help="Sizes measured for the build only.")
    parser.add_argument("--database", help="A database URL to empty and fill instead of a fresh SQLite file.")
    parser.add_argument("--data", choices=("topics", "templates"), default="topics")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args.url)))
        return
    print(
        f"{'size':>8} {'build s':>8} {'report s':>9} {'peak RSS MB':>12} {'overlaps p50 ms':>16} "
        f"{'p99 ms':>8} {'update s':>9} {'visible s':>10}"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as directory:
            url = args.database or f"sqlite:///{Path(directory) / 'bench.db'}"
            fill(url, size, args.data)
            build = run_step("build", url)
            rest = {} if size in args.build_only else {**run_step("overlaps", url), **run_step("update", url)}
            print(
                f"{size:>8} {build['build_s']:>8.2f} {build['report_s']:>9.2f} {build['peak_rss_mb']:>12.0f} "
                f"{_ms(rest.get('p50_s')):>16} {_ms(rest.get('p99_s')):>8} {_s(rest.get('update_s')):>9} "
                f"{_s(rest.get('visible_s')):>10}",
                flush=True,
            )


def fill(url: str, size: int, data: str) -> None:
    migrations.upgrade(url)
    engine = build_engine(url)
    with session_scope(engine) as session:
        organisation_seed.seed(session)
        for table in (
            "change",
            "adoption",
            "status_change",
            "initiative_term",
            "initiative_tag",
            "initiative_participant",
            "initiative",
        ):
            session.execute(text(f'DELETE FROM "{table}"'))
    if data == "templates":
        synthetic.load(engine, size)
    else:
        rows = topic_rows(size, random.Random(size))
        while batch := list(islice(rows, synthetic.BATCH)):
            synthetic._insert_batch(engine, batch)
    engine.dispose()


CONSONANTS, VOWELS = "bdfgjklmnprstv", "aeiouyåäö"
GENERIC = (
    "digital",
    "digitala",
    "införande",
    "utveckling",
    "system",
    "e-tjänst",
    "app",
    "verksamheten",
    "kommunen",
    "invånare",
    "medarbetare",
    "förbättra",
    "effektivisera",
    "kvalitet",
    "tillgänglighet",
)


def _word(rng: random.Random) -> str:
    """A Swedish-looking word of two or three consonant-vowel-consonant syllables."""
    return "".join(
        rng.choice(CONSONANTS) + rng.choice(VOWELS) + rng.choice(CONSONANTS) for _ in range(rng.randint(2, 3))
    )


# Words every topic may use, drawn with Zipf weights (the n-th most common 1/n as often).
_COMMON_RANDOM = random.Random(0)
COMMON = tuple(_word(_COMMON_RANDOM) for _ in range(3000))
COMMON_WEIGHTS = tuple(1 / rank for rank in range(1, len(COMMON) + 1))


def topic_rows(size: int, rng: random.Random):
    """Rows in bench/synthetic.py's shape, about topics of Zipf-like sizes (see the module docstring)."""
    owners = [row["code"] for row in read_rows("municipalities.csv")]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    made = 0
    while made < size:
        core = [_word(rng) for _ in range(rng.randint(2, 3))]
        context = [_word(rng) for _ in range(6)]
        for owner in rng.sample(owners, min(len(owners), max(1, int(rng.paretovariate(1.3))))):
            if made == size:
                return
            title = " ".join([*rng.sample(core, k=2), rng.choice(GENERIC)]).capitalize()
            summary = " ".join(rng.sample(context, 3) + _common(rng, 3) + [rng.choice(GENERIC)])
            description = " ".join(rng.sample(context, 4) + _common(rng, 12) + rng.sample(GENERIC, 3))
            initiative, terms = _row(made, start, title, summary, description, owner, rng)
            yield initiative, [core[0]], terms
            made += 1


def _common(rng: random.Random, count: int) -> list[str]:
    return rng.choices(COMMON, weights=COMMON_WEIGHTS, k=count)


def _row(number: int, start: datetime, title: str, summary: str, description: str, owner: str, rng: random.Random):
    status = rng.choice(synthetic.STATUSES)
    updated_at = start + timedelta(minutes=number)
    initiative = {
        "id": uuid.uuid4(),
        "title": title[:190],
        "summary": summary,
        "description": description,
        "owner_code": owner,
        "status": status,
        "category": rng.choice(("welfare_technology", "administration", "education", "health")),
        "budget_sek": rng.randrange(100_000, 10_000_000),
        "digital_share": round(rng.random(), 2),
        "realised_benefit_sek_per_year": rng.choice((None, 250_000)) if status in ("in_operation", "scaled") else None,
        "benefit_evidence": [],
        "strategy_refs": [],
        "links": [],
        "registry_edited_fields": [],
        "has_benefit_realisation_plan": rng.random() < 0.5,
        "source": "bench",
        "external_id": str(number),
        "is_withdrawn_at_source": False,
        "created_at": updated_at,
        "updated_at": updated_at,
        "version": 1,
        "is_archived": False,
    }
    return initiative, set(stems(" ".join((title, summary, description))))


def run_step(step: str, url: str) -> dict:
    found = subprocess.run(
        [sys.executable, __file__, "--step", step, "--url", url],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(found.stdout.strip().splitlines()[-1])


def step_build(url: str) -> dict:
    from app.analytics import service as analytics_service
    from app.analytics.corpus import CORPUS
    from app.analytics.schemas import ClusterQuery

    engine = build_engine(url)
    with session_scope(engine, write=False) as session:
        started = time.perf_counter()
        CORPUS.get(session)
        built = time.perf_counter() - started
        started = time.perf_counter()
        analytics_service.list_clusters(session, ClusterQuery(limit=200))
        report = time.perf_counter() - started
    return {"build_s": built + report, "report_s": report, "peak_rss_mb": _peak_rss_mb()}


def step_overlaps(url: str) -> dict:
    from app.analytics import service as analytics_service
    from app.analytics.corpus import CORPUS

    engine = build_engine(url)
    with session_scope(engine, write=False) as session:
        CORPUS.get(session)
        keys = random.Random(1).sample(list(CORPUS.get(session).index.keys), ROUNDS)
        times = []
        for key in keys:
            started = time.perf_counter()
            analytics_service.find_overlaps(session, _uuid(key))
            times.append(time.perf_counter() - started)
    times.sort()
    return {"p50_s": statistics.median(times), "p99_s": times[int(len(times) * 0.99) - 1]}


def step_update(url: str) -> dict:
    from app.analytics.corpus import CORPUS, CorpusCache
    from app.core.caller import ADMIN
    from app.initiatives import service as initiative_service
    from app.initiatives.schemas import InitiativeUpdate

    engine = build_engine(url)
    other_worker = CorpusCache()
    with session_scope(engine, write=False) as session:
        CORPUS.get(session)
        other_worker.get(session)
        keys = random.Random(2).sample(list(CORPUS.get(session).index.keys), UPDATES)
    updates, visible = [], []
    for number, key in enumerate(keys):
        with session_scope(engine) as session:
            initiative = initiative_service.get(session, _uuid(key))
            data = InitiativeUpdate(title=f"Digital nattillsyn med kamera, etapp {number}")
            initiative_service.update(session, initiative, data, ADMIN, initiative.version)
        written = time.perf_counter()
        with session_scope(engine, write=False) as session:
            started = time.perf_counter()
            CORPUS.get(session)
            updates.append(time.perf_counter() - started)
            other_worker.get(session)
            visible.append(time.perf_counter() - written)
    return {"update_s": statistics.median(updates), "visible_s": statistics.median(visible)}


STEPS = {"build": step_build, "overlaps": step_overlaps, "update": step_update}


def _uuid(key: str) -> uuid.UUID:
    return uuid.UUID(key)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f}"


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.3f}"


if __name__ == "__main__":
    main()
