"""The overlap corpus: every live initiative's overlap row, its facts and its pairs, kept up to
date per process from the change feed.

Every request asks the shared database for the change feed's latest sequence (one indexed
query) and brings the process's corpus up to it before answering, so a write committed by any
worker process is visible in every worker on its next request: nothing per process goes stale.

Bringing it up to date is incremental: only the initiatives named by changes after the
corpus's stamp are read again, vectorised in the existing vocabulary, and their pairs found
again with one sparse product against the whole matrix (`scoring.update_index`,
`scoring.update_pairs`). A full rebuild happens at start-up, when one refresh would
re-vectorise more than `REBUILD_SHARE` of the corpus, or when the corpus cannot tell what it
has missed; once `REBUILD_SHARE` has been re-vectorised since the last build (words new since
then only count through their character grams), a rebuild runs in a background thread while
the incrementally updated corpus keeps answering.

A request may read its own uncommitted writes into the corpus, and that transaction may then
roll back (on SQLite a later write may even reuse its sequence). So each refresh is logged
with the sequence and time of the change it reached: the next refresh starts from the newest
logged change the database still shows unchanged, and reads again every initiative refreshed
after it as well as every initiative changed since.
"""

import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.adoptions import service as adoption_service
from app.analytics.context import AnalyticsContext
from app.analytics.overlaps import scoring
from app.changes import service as change_service
from app.changes.service import FeedPosition
from app.core.db import session_scope
from app.core.enums import OPERATING_STATUSES, AdoptionStatus, InitiativeStatus
from app.initiatives import reads as initiative_reads
from app.initiatives.records import Text

LOG_LENGTH = 32
# Rebuild (refit the vocabulary and document frequencies) once this share of the corpus has been
# re-vectorised since the last build: a small registry is rebuilt on every change, a large one rarely.
REBUILD_SHARE = 0.2


@dataclass(frozen=True)
class Refresh:
    """The change a refresh brought the corpus up to, and the initiatives it read."""

    position: FeedPosition
    keys: frozenset[str] = frozenset()

    @property
    def sequence(self) -> int:
        return self.position.sequence


@dataclass(frozen=True)
class Facts:
    """Per position: what flags, clusters and candidates need besides the text."""

    status: np.ndarray
    category: np.ndarray
    budget: np.ndarray
    realised: np.ndarray
    is_live: np.ndarray

    @property
    def is_proven(self) -> np.ndarray:
        return self.is_live & np.isin(self.status, OPERATING_STATUSES) & (self.realised > 0)


@dataclass(eq=False)
class Corpus:
    """Every live initiative's overlap data, as of one change-feed sequence. Never changed in
    place: an update makes a new corpus, so a request keeps a consistent one."""

    log: tuple[Refresh, ...]
    index: scoring.OverlapIndex
    facts: Facts
    pairs: scoring.Pairs
    # Per initiative key: who takes part or has recorded an adoption (any status), and who
    # runs it (participants of an operating initiative, adopters in operation).
    involved: dict[str, frozenset[str]]
    running: dict[str, frozenset[str]]
    drift: int = 0

    @property
    def sequence(self) -> int:
        return self.log[-1].sequence

    def owner_of(self, position: int) -> str:
        return self.index.owner_codes[self.index.owner_ids[position]]


class CorpusCache:
    """The process's corpus, brought up to the database's change feed on every `get`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._corpus: Corpus | None = None
        self._is_rebuilding = False

    def get(self, session: Session) -> Corpus:
        latest = change_service.latest_position(session)
        with self._lock:
            current = self._refresh(session, self._corpus, latest) if self._corpus is not None else None
            if current is None:
                current = _build_corpus(session, latest)
            self._corpus = current
            return current

    def _refresh(self, session: Session, corpus: Corpus, latest: FeedPosition) -> Corpus | None:
        """The corpus with the changes after its newest still-valid log entry applied; None when a
        rebuild is due now."""
        if corpus.log[-1].position == latest:
            return corpus  # the newest change is still the one it read: the common case, in one query
        base = _last_valid(session, corpus.log, latest.sequence)
        if base is None:
            return None
        if base == len(corpus.log) - 1 and corpus.sequence == latest.sequence:
            return corpus
        changed = change_service.initiatives_changed_after(session, corpus.log[base].sequence)
        keys = {str(initiative_id) for initiative_id in changed}.union(*(e.keys for e in corpus.log[base + 1 :]))
        if len(keys) > REBUILD_SHARE * len(corpus.index.keys):
            return None  # as costly as a rebuild
        log = (*corpus.log[: base + 1], Refresh(latest, frozenset(keys)))[-LOG_LENGTH:]
        updated = _updated_corpus(session, corpus, keys, log)
        if updated.drift > REBUILD_SHARE * len(corpus.index.keys) and not self._rebuild_meanwhile(session.get_bind()):
            return None
        return updated

    def _rebuild_meanwhile(self, bind: Any) -> bool:
        """Refit in a background thread while the up-to-date corpus keeps answering; a session
        bound to one connection (tests) cannot be shared with a thread, so it rebuilds now."""
        if not isinstance(bind, Engine):
            return False
        if not self._is_rebuilding:
            self._is_rebuilding = True
            threading.Thread(target=self._rebuild, args=(bind,), name="overlap-rebuild", daemon=True).start()
        return True

    def _rebuild(self, engine: Engine) -> None:
        try:
            with session_scope(engine.execution_options(sqlite_begin="DEFERRED"), write=False) as session:
                corpus = _build_corpus(session, change_service.latest_position(session))
            with self._lock:
                # It may trail writes absorbed meanwhile: the next `get` applies them from its log.
                self._corpus = corpus
        finally:
            self._is_rebuilding = False


CORPUS = CorpusCache()


def _last_valid(session: Session, log: tuple[Refresh, ...], latest: int) -> int | None:
    """The newest log entry whose change the database still shows as logged, at or before `latest`."""
    seen = change_service.written_at(session, [entry.sequence for entry in log if entry.sequence])
    for position in range(len(log) - 1, -1, -1):
        entry = log[position]
        if entry.sequence <= latest and seen.get(entry.sequence) == entry.position.occurred_at:
            return position
    return None


def _build_corpus(session: Session, latest: FeedPosition) -> Corpus:
    texts = {str(text.id): text for text in initiative_reads.live_texts(session)}
    involved, running = _involvement(session, texts, None)
    index = scoring.build_index([_document(text) for text in texts.values()])
    pairs = scoring.find_pairs(index, scoring.SAME_WORK_SCORE)
    return Corpus(
        log=(Refresh(latest),),
        index=index,
        facts=_facts(index, texts, None),
        pairs=pairs,
        involved=involved,
        running=running,
    )


def _updated_corpus(session: Session, corpus: Corpus, keys: set[str], log: tuple[Refresh, ...]) -> Corpus:
    ids = {uuid.UUID(key) for key in keys}
    texts = {str(text.id): text for text in initiative_reads.live_texts(session, ids)}
    involved, running = _involvement(session, texts, ids)
    removed = [key for key in keys if key not in texts]
    index = scoring.update_index(corpus.index, [_document(text) for text in texts.values()], removed)
    changed = np.array(sorted(index.positions[key] for key in keys if key in index.positions), dtype=np.int64)
    pairs = scoring.update_pairs(index, corpus.pairs, changed, scoring.SAME_WORK_SCORE)
    return Corpus(
        log=log,
        index=index,
        facts=_facts(index, texts, corpus.facts, removed),
        pairs=pairs,
        involved=_merged(corpus.involved, involved, keys),
        running=_merged(corpus.running, running, keys),
        drift=corpus.drift + len(keys),
    )


def _document(text: Text) -> scoring.Document:
    return scoring.Document(
        str(text.id),
        text.owner_code,
        scoring.features(text.title, text.summary, text.description, text.tags, (text.solution or {}).get("name")),
    )


def _involvement(
    session: Session, texts: dict[str, Text], ids: set[uuid.UUID] | None
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """Who is involved in each initiative, and who runs it, for all initiatives or those among `ids`."""
    involved: dict[str, set[str]] = {}
    running: dict[str, set[str]] = {}
    for participation in initiative_reads.participations(session, ids):
        key = str(participation.initiative_id)
        involved.setdefault(key, set()).add(participation.organisation_code)
        if key in texts and texts[key].status in OPERATING_STATUSES:
            running.setdefault(key, set()).add(participation.organisation_code)
    for adoption in adoption_service.facts(session, ids):
        key = str(adoption.initiative_id)
        involved.setdefault(key, set()).add(adoption.organisation_code)
        if adoption.status == AdoptionStatus.in_operation:
            running.setdefault(key, set()).add(adoption.organisation_code)
    return _frozen(involved), _frozen(running)


def _facts(
    index: scoring.OverlapIndex, texts: dict[str, Text], before: Facts | None, removed: Iterable[str] = ()
) -> Facts:
    size = len(index.keys)
    if before is None:
        facts = Facts(
            np.full(size, InitiativeStatus.idea, dtype=object),
            np.full(size, None, dtype=object),
            np.zeros(size, np.int64),
            np.zeros(size, np.int64),
            np.zeros(size, bool),
        )
    else:
        grow = size - len(before.status)
        facts = Facts(
            *(
                np.concatenate([values, np.zeros(grow, values.dtype)])
                for values in (before.status, before.category, before.budget, before.realised, before.is_live)
            )
        )
    for key, text in texts.items():
        position = index.positions[key]
        facts.status[position], facts.category[position] = text.status, text.category
        facts.budget[position] = text.budget_sek or 0
        facts.realised[position] = text.realised_benefit_sek_per_year or 0
        facts.is_live[position] = True
    for key in removed:
        if key in index.positions:
            facts.is_live[index.positions[key]] = False
    return facts


def _merged(
    before: dict[str, frozenset[str]], after: dict[str, frozenset[str]], keys: set[str]
) -> dict[str, frozenset[str]]:
    merged = {key: codes for key, codes in before.items() if key not in keys}
    merged.update(after)
    return merged


def _frozen(found: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(codes) for key, codes in found.items()}


def current(context: AnalyticsContext) -> Corpus:
    """The corpus, brought up to date once per request."""
    return context.once("corpus", lambda: CORPUS.get(context.session))
