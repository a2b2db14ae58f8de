"""One initiative's overlaps: other organisations' initiatives that describe the same work."""

import logging
import uuid
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.analytics.briefs import briefs
from app.analytics.context import AnalyticsContext
from app.analytics.overlaps import corpus as overlap_corpus
from app.analytics.overlaps import scoring
from app.analytics.overlaps.corpus import Corpus
from app.analytics.overlaps.schemas import Match, OverlapExplanation, OverlapMatch, SimilarQuery, SimilarRead
from app.core.db import session_scope
from app.initiatives import reads as initiative_reads

logger = logging.getLogger(__name__)

SHARED_TERMS_SHOWN = 8


def warm_up(engine: Engine) -> None:
    """Build this worker's overlap index before it takes requests, so that no request waits for it.

    A database that is down or not yet migrated must not stop the server from starting: the
    index is then built by the first request that needs it.
    """
    try:
        with session_scope(engine, write=False) as session:
            overlap_corpus.CORPUS.get(session)
    except SQLAlchemyError as error:
        logger.warning("overlap index not built at start-up (%s); the first request will build it", error)


def list_similar(context: AnalyticsContext, initiative_id: uuid.UUID, query: SimilarQuery) -> list[SimilarRead]:
    """Other organisations' live initiatives most like this one, best first; without `min_score`
    only those at `scoring.SAME_WORK_SCORE` or more, which the service takes to be the same work."""
    corpus = overlap_corpus.current(context)
    found = _neighbours(corpus, initiative_id, query.min_score, query.limit)
    shown = briefs(context.session, corpus.index.keys[found.second])
    return [
        SimilarRead(initiative=shown[corpus.index.keys[second]], **_match(corpus, first, second, score))
        for first, second, score in zip(found.first, found.second, found.score, strict=True)
    ]


def find_overlaps(
    context: AnalyticsContext, initiative_id: uuid.UUID, *, limit: int = 10, min_score: float | None = None
) -> list[OverlapMatch]:
    """As `list_similar`, each match as the full initiative with an explanation."""
    corpus = overlap_corpus.current(context)
    found = _neighbours(corpus, initiative_id, min_score, limit)
    ids = [uuid.UUID(key) for key in corpus.index.keys[found.second]]
    reads = {str(read.id): read for read in initiative_reads.reads(context.session, ids)}
    matches = []
    for first, second, score in zip(found.first, found.second, found.score, strict=True):
        match = _match(corpus, first, second, score)
        explanation = OverlapExplanation(
            shared_terms=list(dict.fromkeys(match["shared_tags"] + match["shared_terms"])),
            same_category=bool(corpus.facts.category[first] == corpus.facts.category[second]),
            same_solution=match["has_same_solution"],
            is_coordinated=match["is_coordinated"],
        )
        matches.append(
            OverlapMatch(initiative=reads[corpus.index.keys[second]], score=float(score), explanation=explanation)
        )
    return matches


def direct_partners(corpus: Corpus, position: int) -> np.ndarray:
    """Positions of every other organisation's initiative that scores above 0 against `position`, best first."""
    return scoring.neighbours(corpus.index, corpus.index.keys[position], 0.0).second


def _neighbours(corpus: Corpus, initiative_id: uuid.UUID, min_score: float | None, limit: int) -> scoring.Pairs:
    threshold = scoring.SAME_WORK_SCORE if min_score is None else min_score
    found = scoring.neighbours(corpus.index, str(initiative_id), threshold)
    return found.select(np.arange(min(len(found), limit)))


def _match(corpus: Corpus, first: int, second: int, score: float) -> dict[str, Any]:
    index = corpus.index
    shared = scoring.shared_features(index, first, second)
    owners = [corpus.owner_of(position) for position in (first, second)]
    return Match(
        score=float(score),
        shared_tags=[feature[1:] for feature in shared if feature.startswith(scoring.TAG_PREFIX)],
        shared_terms=[feature for feature in shared if feature[0] not in (scoring.TAG_PREFIX, scoring.SOLUTION_PREFIX)][
            :SHARED_TERMS_SHOWN
        ],
        has_same_solution=any(feature.startswith(scoring.SOLUTION_PREFIX) for feature in shared),
        is_coordinated=(
            owners[1] in corpus.involved.get(index.keys[first], ())
            or owners[0] in corpus.involved.get(index.keys[second], ())
        ),
    ).model_dump()
