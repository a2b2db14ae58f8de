"""The overlap corpus: every live initiative's overlap row, its facts and its pairs, kept up to
date per process from the change feed.

Every request asks the shared database for the change feed's latest sequence (one indexed
query) and brings the process's corpus up to it before answering, so a write committed by any
worker process is visible in every worker on its next request: nothing per process goes stale.

Bringing it up to date is incremental: only the initiatives named by changes after the
corpus's stamp are read again, vectorised in the existing vocabulary, and their pairs found
again with one sparse product against the whole matrix (`overlap.update_index`,
`overlap.update_pairs`). A full rebuild happens at start-up, when one refresh would
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
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.adoptions.models import Adoption
from app.analytics import overlap, scaling
from app.changes.models import Change
from app.core.db import session_scope
from app.core.enums import AdoptionStatus, InitiativeStatus
from app.initiatives.models import Initiative, InitiativeParticipant, InitiativeTag

LOG_LENGTH = 32
# Rebuild (refit the vocabulary and document frequencies) once this share of the corpus has been
# re-vectorised since the last build: a small registry is rebuilt on every change, a large one rarely.
REBUILD_SHARE = 0.2
COLUMNS = (
    Initiative.id,
    Initiative.owner_code,
    Initiative.category,
    Initiative.status,
    Initiative.budget_sek,
    Initiative.realised_benefit_sek_per_year,
    Initiative.title,
    Initiative.summary,
    Initiative.description,
    Initiative.solution,
    Initiative.is_archived,
)


@dataclass(frozen=True)
class Refresh:
    """The change a refresh brought the corpus up to, and the initiatives it read."""

    sequence: int
    occurred_at: datetime | None
    keys: frozenset[str] = frozenset()


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
        return self.is_live & np.isin(self.status, scaling.PROVEN_STATUSES) & (self.realised > 0)


@dataclass(eq=False)
class Corpus:
    """Every live initiative's overlap data, as of one change-feed sequence. Never changed in
    place: an update makes a new corpus, so a request keeps a consistent one."""

    log: tuple[Refresh, ...]
    index: overlap.OverlapIndex
    facts: Facts
    pairs: overlap.Pairs
    # Per initiative key: who takes part or has recorded an adoption (any status), and who
    # runs it (participants of an operating initiative, adopters in operation).
    involved: dict[str, frozenset[str]]
    running: dict[str, frozenset[str]]
    drift: int = 0

    @property
    def sequence(self) -> int:
        return self.log[-1].sequence

    @cached_property
    def groups(self) -> list[np.ndarray]:
        """Duplication groups over the whole registry (see `overlap.clusters`)."""
        return overlap.clusters(len(self.index.keys), self.pairs)

    @cached_property
    def group_of(self) -> np.ndarray:
        """Each position's group number; a position in no group is a group of its own (−1 − position)."""
        labels = -1 - np.arange(len(self.index.keys))
        for number, members in enumerate(self.groups):
            labels[members] = number
        return labels

    @cached_property
    def proven_matches(self) -> dict[int, int]:
        """For every live pilot: a proven initiative of another owner in its cluster, if any; its
        best-scoring direct pair partner when it has one, else the cluster's largest realised benefit."""
        proven, status, owners = self.facts.is_proven, self.facts.status, self.index.owner_ids
        found: dict[int, int] = {}
        for pilot, other in ((self.pairs.first, self.pairs.second), (self.pairs.second, self.pairs.first)):
            chosen = (status[pilot] == InitiativeStatus.pilot) & proven[other]
            for position, match in zip(pilot[chosen].tolist(), other[chosen].tolist(), strict=True):
                found.setdefault(position, match)  # pairs come best first
        for members in self.groups:
            pilots = members[status[members] == InitiativeStatus.pilot]
            ranked = sorted(members[proven[members]].tolist(), key=lambda p: -self.facts.realised[p])
            for position in pilots.tolist():
                other = next((p for p in ranked if owners[p] != owners[position]), None)
                if other is not None:
                    found.setdefault(position, other)
        return found


class CorpusCache:
    """The process's corpus, brought up to the database's change feed on every `get`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._corpus: Corpus | None = None
        self._is_rebuilding = False

    def get(self, session: Session) -> Corpus:
        latest = _latest_change(session)
        with self._lock:
            corpus = self._corpus
            if corpus is None or not self._refresh(session, corpus, latest):
                self._corpus = _build_corpus(session, latest)
            return self._corpus

    def _refresh(self, session: Session, corpus: Corpus, latest: Refresh) -> bool:
        """Apply the changes after the newest still-valid log entry; False when a rebuild is due now."""
        newest = corpus.log[-1]
        if (newest.sequence, newest.occurred_at) == (latest.sequence, latest.occurred_at):
            return True  # the newest change is still the one it read: the common case, in one query
        base = _last_valid(session, corpus.log, latest.sequence)
        if base is None:
            return False
        if base == len(corpus.log) - 1 and corpus.sequence == latest.sequence:
            return True
        keys = _changed_since(session, corpus.log[base].sequence).union(*(e.keys for e in corpus.log[base + 1 :]))
        if len(keys) > REBUILD_SHARE * len(corpus.index.keys):
            return False  # as costly as a rebuild
        log = (*corpus.log[: base + 1], replace(latest, keys=frozenset(keys)))[-LOG_LENGTH:]
        self._corpus = _updated_corpus(session, corpus, keys, log)
        if self._corpus.drift <= REBUILD_SHARE * len(corpus.index.keys):
            return True
        return self._rebuild_meanwhile(session.get_bind())

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
                corpus = _build_corpus(session, _latest_change(session))
            with self._lock:
                # It may trail writes absorbed meanwhile: the next `get` applies them from its log.
                self._corpus = corpus
        finally:
            self._is_rebuilding = False


CORPUS = CorpusCache()


LATEST_CHANGE = select(Change.sequence, Change.occurred_at).order_by(col(Change.sequence).desc()).limit(1)


def _latest_change(session: Session) -> Refresh:
    row = session.connection().execute(LATEST_CHANGE).first()
    return Refresh(row.sequence, row.occurred_at) if row else Refresh(0, None)


def _last_valid(session: Session, log: tuple[Refresh, ...], latest: int) -> int | None:
    """The newest log entry whose change the database still shows as logged, at or before `latest`."""
    sequences = [entry.sequence for entry in log if entry.sequence]
    seen = dict(
        session.exec(select(Change.sequence, Change.occurred_at).where(col(Change.sequence).in_(sequences))).all()
    )
    for position in range(len(log) - 1, -1, -1):
        entry = log[position]
        if entry.sequence <= latest and seen.get(entry.sequence) == entry.occurred_at:
            return position
    return None


def _changed_since(session: Session, sequence: int) -> set[str]:
    query = select(Change.initiative_id).where(col(Change.sequence) > sequence).distinct()
    return {str(initiative_id) for initiative_id in session.exec(query)}


def _build_corpus(session: Session, latest: Refresh) -> Corpus:
    rows = _rows(session, None)
    tags, involved, running = _related(session, rows, None)
    index = overlap.build_index([_document(row, tags) for row in rows.values()])
    pairs = overlap.find_pairs(index, overlap.SAME_WORK_SCORE)
    return Corpus(
        log=(latest,), index=index, facts=_facts(index, rows, None), pairs=pairs, involved=involved, running=running
    )


def _updated_corpus(session: Session, corpus: Corpus, keys: set[str], log: tuple[Refresh, ...]) -> Corpus:
    ids = {uuid.UUID(key) for key in keys}
    rows = _rows(session, ids)
    tags, involved, running = _related(session, rows, ids)
    removed = [key for key in keys if key not in rows]
    index = overlap.update_index(corpus.index, [_document(row, tags) for row in rows.values()], removed)
    changed = np.array(sorted(index.positions[key] for key in keys if key in index.positions), dtype=np.int64)
    pairs = overlap.update_pairs(index, corpus.pairs, changed, overlap.SAME_WORK_SCORE)
    return Corpus(
        log=log,
        index=index,
        facts=_facts(index, rows, corpus.facts, removed),
        pairs=pairs,
        involved=_merged(corpus.involved, involved, keys),
        running=_merged(corpus.running, running, keys),
        drift=corpus.drift + len(keys),
    )


def _rows(session: Session, ids: set[uuid.UUID] | None) -> dict[str, Any]:
    """Live initiatives: all of them, or those among `ids`."""
    query = select(*COLUMNS).where(col(Initiative.is_archived).is_(False))
    if ids is not None:
        query = query.where(col(Initiative.id).in_(ids))
    return {str(row.id): row for row in session.exec(query)}


def _document(row: Any, tags: dict[str, list[str]]) -> overlap.Document:
    key = str(row.id)
    return overlap.Document(
        key,
        row.owner_code,
        overlap.features(row.title, row.summary, row.description, tags.get(key, []), (row.solution or {}).get("name")),
    )


def _related(session: Session, rows: dict[str, Any], ids: set[uuid.UUID] | None):
    """Tags, involvement and who runs each initiative, for all initiatives or those among `ids`."""

    def among(column):
        return [] if ids is None else [col(column).in_(ids)]

    tags: dict[str, list[str]] = {}
    for initiative_id, tag in session.exec(
        select(InitiativeTag.initiative_id, InitiativeTag.tag).where(*among(InitiativeTag.initiative_id))
    ):
        tags.setdefault(str(initiative_id), []).append(tag)
    involved: dict[str, set[str]] = {}
    running: dict[str, set[str]] = {}
    participants = select(InitiativeParticipant.initiative_id, InitiativeParticipant.organisation_code).where(
        *among(InitiativeParticipant.initiative_id)
    )
    for initiative_id, code in session.exec(participants):
        key = str(initiative_id)
        involved.setdefault(key, set()).add(code)
        if key in rows and rows[key].status in scaling.PROVEN_STATUSES:
            running.setdefault(key, set()).add(code)
    adoptions = select(Adoption.initiative_id, Adoption.organisation_code, Adoption.status).where(
        *among(Adoption.initiative_id)
    )
    for initiative_id, code, status in session.exec(adoptions):
        involved.setdefault(str(initiative_id), set()).add(code)
        if status == AdoptionStatus.in_operation:
            running.setdefault(str(initiative_id), set()).add(code)
    return tags, _frozen(involved), _frozen(running)


def _facts(
    index: overlap.OverlapIndex, rows: dict[str, Any], before: Facts | None, removed: Iterable[str] = ()
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
    for key, row in rows.items():
        position = index.positions[key]
        facts.status[position], facts.category[position] = row.status, row.category
        facts.budget[position], facts.realised[position] = row.budget_sek or 0, row.realised_benefit_sek_per_year or 0
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
