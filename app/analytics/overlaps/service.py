"""One initiative's overlaps: other organisations' initiatives that describe the same work,
read from the tables the indexer keeps (`app.analytics.indexer`)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_json

from app.adoptions import service as adoption_service
from app.analytics.briefs import briefs
from app.analytics.context import AnalyticsContext
from app.analytics.overlaps import judgements, profiles, store
from app.analytics.overlaps.models import OverlapJudgement
from app.analytics.overlaps.profiles import Profile
from app.analytics.overlaps.schemas import (
    OverlapExplanation,
    SimilarQuery,
    SimilarRead,
)
from app.analytics.schemas import InitiativeBrief
from app.core.enums import Verdict
from app.initiatives import reads as initiative_reads
from app.language.vocabulary import vocabulary

# A pinned pair is listed whatever its score; a pair judged different never.
LISTED_VERDICTS = (Verdict.same, Verdict.related)


@dataclass(frozen=True)
class Found:
    other_id: uuid.UUID
    score: float
    judgements: list[OverlapJudgement]


def overlaps_json(
    context: AnalyticsContext, initiative_id: uuid.UUID, *, limit: int = 10, min_score: float | None = None
) -> bytes:
    """Other organisations' live initiatives most like this one, best first, as an
    `OverlapMatchList` in JSON: without `min_score` those the service takes to be the same work
    (`thresholds`), and those people judged the same or related; with it, those scoring at least
    `min_score`; never those judged different.

    Written from the initiatives' stored representations, as their own reads are
    (`initiative_reads.representation_json`): no `InitiativeRead` is built or validated."""
    found = _found(context, initiative_id, min_score, limit)
    represented = initiative_reads.representation_json(context.session, [f.other_id for f in found])
    explanations = _explanations(context, initiative_id, [f for f in found if f.other_id in represented])
    items = b",".join(
        b'{"initiative":'
        + represented[f.other_id][0]
        + b',"score":'
        + to_json(f.score)
        + b',"explanation":'
        + to_json(explanations[f.other_id])
        + b"}"
        for f in found
        if f.other_id in explanations
    )
    return b'{"items":[' + items + b'],"next":null}'


def list_similar(context: AnalyticsContext, initiative_id: uuid.UUID, query: SimilarQuery) -> list[SimilarRead]:
    """As `overlaps_json`, each match in brief (for the web)."""
    found = _found(context, initiative_id, query.min_score, query.limit)
    shown = briefs(context.session, (str(f.other_id) for f in found))
    explanations = _explanations(context, initiative_id, [f for f in found if str(f.other_id) in shown])
    return [
        SimilarRead(
            initiative=shown[str(f.other_id)],
            score=f.score,
            explanation=OverlapExplanation.model_validate(explanations[f.other_id]),
        )
        for f in found
        if f.other_id in explanations
    ]


def _found(context: AnalyticsContext, initiative_id: uuid.UUID, min_score: float | None, limit: int) -> list[Found]:
    judged = judgements.involving(context.session, [initiative_id])
    partners = {one if one != initiative_id else other for one, other in judged}
    paired = store.pairs_of(context.session, initiative_id, min_score=min_score, judged=partners, limit=limit)
    found = []
    for other, pair in paired.items():
        these = judged.get(judgements.pair(initiative_id, other), [])
        decided = judgements.verdict(these)
        wanted = pair.same_work if min_score is None else pair.score >= min_score
        if decided == Verdict.different or not (wanted or decided in LISTED_VERDICTS):
            continue
        found.append(Found(other, pair.score, these))
    return sorted(found, key=lambda f: (-f.score, str(f.other_id)))[:limit]


def _explanations(
    context: AnalyticsContext, initiative_id: uuid.UUID, found: Sequence[Found]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Each match's `OverlapExplanation` as plain values: building the models took about a
    quarter of an overlap read. A match deleted outright (the demo's reset) since its pair was
    read is left out: the index's tables follow deletions a moment later, and on PostgreSQL
    each statement of a read sees the latest commit."""
    session = context.session
    vocab = vocabulary()
    others = [f.other_id for f in found]
    kept = store.profiles(session, [initiative_id, *others])
    rows = {row.id: row for row in initiative_reads.rows(session, [initiative_id, *others])}
    coordinated = adoption_service.coordinated(session, [initiative_id, *others])
    mine = kept.get(initiative_id, Profile([], [], None))
    if initiative_id not in rows:
        return {}
    explanations = {}
    for f in found:
        if f.other_id not in rows:
            continue
        shared = profiles.explain(mine, kept.get(f.other_id, Profile([], [], None)), vocab)
        explanations[f.other_id] = {
            "concepts": [{"id": c, "label": vocab.concepts[c].pref_label} for c in shared.concepts],
            "shared_words": [{"word": w.word, "other_word": w.other_word} for w in shared.words],
            "same_category": rows[initiative_id].category == rows[f.other_id].category,
            "same_solution": shared.same_solution,
            "is_coordinated": (
                rows[f.other_id].owner_code in coordinated.get(initiative_id, set())
                or rows[initiative_id].owner_code in coordinated.get(f.other_id, set())
            ),
            "verdict": judgements.verdict(f.judgements),
            "judgements": [judgements.read(j, initiative_id) for j in sorted(f.judgements, key=lambda j: j.judge)],
        }
    return explanations


@dataclass(frozen=True)
class Suggestion:
    """A suggested overlap of one of an organisation's initiatives (`own`) with another's
    (`initiative`), for people to judge."""

    own: InitiativeBrief
    initiative: InitiativeBrief
    score: float


def unjudged(context: AnalyticsContext, own_ids: Sequence[uuid.UUID], judge: str, limit: int) -> list[Suggestion]:
    """The overlaps of these initiatives (all one organisation's) that `judge` has not judged,
    best first: what the registry asks the organisation to check."""
    own = set(own_ids)
    best: dict[tuple[uuid.UUID, uuid.UUID], float] = {}
    for listing, listed, score in store.partners(context.session, own_ids):
        mine, other = (listing, listed) if listing in own else (listed, listing)
        if other not in own:
            best[mine, other] = max(score, best.get((mine, other), 0.0))
    judged = judgements.involving(context.session, own_ids)
    open_pairs = sorted(
        (
            (mine, other, score)
            for (mine, other), score in best.items()
            if not any(j.judge == judge for j in judged.get(judgements.pair(mine, other), []))
        ),
        key=lambda found: (-found[2], str(found[0]), str(found[1])),
    )[:limit]
    shown = briefs(context.session, {str(i) for pair in open_pairs for i in pair[:2]})
    return [
        Suggestion(shown[str(mine)], shown[str(other)], score)
        for mine, other, score in open_pairs
        if str(mine) in shown and str(other) in shown
    ]
