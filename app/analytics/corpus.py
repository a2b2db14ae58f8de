"""The overlap corpus: every live initiative's TF-IDF row and its pairs, cached per registry state."""

import threading
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.adoptions.models import Adoption
from app.analytics import overlap, scaling
from app.analytics.schemas import MIN_OVERLAP_SCORE
from app.changes import service as change_service
from app.initiatives.models import Initiative, InitiativeParticipant, InitiativeTag


@dataclass(frozen=True, eq=False)
class Corpus:
    """Every live initiative's overlap data, as of one state of the registry."""

    state: tuple[Any, ...]
    index: overlap.OverlapIndex
    categories: np.ndarray
    budgets: np.ndarray
    is_proven: np.ndarray
    involvement: np.ndarray
    pairs: overlap.Pairs
    is_coordinated: np.ndarray

    def best_match(self, key: str, *, proven: bool = False, owner: str | None = None) -> str | None:
        """The key of the other owners' document most like `key` at `SAME_WORK_SCORE` or more,
        optionally only a proven one, or only one of `owner`'s."""
        found = overlap.neighbours(self.index, key, overlap.SAME_WORK_SCORE)
        wanted = np.ones(len(found), dtype=bool)
        if proven:
            wanted &= self.is_proven[found.second]
        if owner is not None:
            wanted &= self.index.owner_ids[found.second] == self.index.owner_id(owner)
        chosen = found.second[wanted]
        return str(self.index.keys[chosen[0]]) if len(chosen) else None


class CorpusCache:
    """The corpus, rebuilt only when the registry has changed since it was built.

    Building reads every initiative's text, so the result is kept between requests. Each
    request first reads the registry's state: the change feed's latest sequence (every write
    to an initiative or adoption adds one, in commit order) with the initiatives' count and
    latest `updated_at`, which also tell apart states whose sequence a rolled-back SQLite
    transaction reused. Each worker process keeps its own copy, always checked against the
    shared database, so workers never serve an index older than the data they can read.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._corpus: Corpus | None = None

    def get(self, session: Session) -> Corpus:
        state = _registry_state(session)
        with self._lock:
            if self._corpus is None or self._corpus.state != state:
                self._corpus = _build_corpus(session, state)
            return self._corpus


CORPUS = CorpusCache()


def _registry_state(session: Session) -> tuple[Any, ...]:
    count, last_update = session.exec(select(func.count(), func.max(Initiative.updated_at))).one()
    return change_service.latest_sequence(session), count, last_update


def _build_corpus(session: Session, state: tuple[Any, ...]) -> Corpus:
    columns = (Initiative.id, Initiative.owner_code, Initiative.category, Initiative.status, Initiative.budget_sek,
               Initiative.realised_benefit_sek_per_year, Initiative.title, Initiative.summary,
               Initiative.description, Initiative.solution)
    rows = {str(row.id): row for row in session.exec(select(*columns).where(col(Initiative.is_archived).is_(False)))}
    tags = _tags_by_initiative(session)
    index = overlap.build_index([
        overlap.Document(key, row.owner_code, overlap.features(
            row.title, row.summary, row.description, tags.get(row.id, []), (row.solution or {}).get("name")))
        for key, row in rows.items()
    ])
    ordered = [rows[key] for key in index.keys]
    involvement = overlap.involvement_codes(index, involvement_statements(session))
    pairs = overlap.find_pairs(index, MIN_OVERLAP_SCORE)
    return Corpus(
        state=state, index=index, categories=np.array([row.category for row in ordered], dtype=object),
        budgets=np.array([row.budget_sek or 0 for row in ordered], dtype=np.int64),
        is_proven=np.array([scaling.is_proven(row.status, row.realised_benefit_sek_per_year) for row in ordered],
                           dtype=bool),
        involvement=involvement, pairs=pairs, is_coordinated=overlap.coordinated(index, pairs, involvement),
    )


def _tags_by_initiative(session: Session) -> dict[uuid.UUID, list[str]]:
    tags: dict[uuid.UUID, list[str]] = {}
    for initiative_id, tag in session.exec(select(InitiativeTag.initiative_id, InitiativeTag.tag)):
        tags.setdefault(initiative_id, []).append(tag)
    return tags


def involvement_statements(session: Session) -> list[tuple[str, str]]:
    """(initiative, organisation) for every participant and every adoption statement, in any status."""
    participants = session.exec(select(InitiativeParticipant.initiative_id, InitiativeParticipant.organisation_code))
    adoptions = session.exec(select(Adoption.initiative_id, Adoption.organisation_code))
    return [(str(initiative_id), code) for initiative_id, code in [*participants, *adoptions]]
