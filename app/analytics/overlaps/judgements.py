"""People correct the machine: judgements of suggested overlaps.

An owner of either initiative, a participant of either, or the admin may say whether a pair is
the same work, related, or different work; one judgement per pair and judge (an organisation,
or the admin), which the judge may change or withdraw. Judgements are public, shown with the
pair's explanation and recorded in both initiatives' histories and the change feed.

What they decide (`verdict`): when every judgement of a pair agrees, the pair is that; when
judges disagree, every verdict is shown and the pair counts as unjudged. `same` pins a pair:
listed, clustered and used by flags and scaling candidates whatever its score. `related` lists
it but keeps it out of clusters; `different` removes it from lists, clusters, flags and
candidates.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, delete, or_
from sqlmodel import Session, col, select

from app.analytics.overlaps.models import OverlapJudgement
from app.analytics.overlaps.schemas import JudgementRead, JudgementWrite
from app.auth import permissions
from app.changes import service as change_service
from app.core.caller import Caller
from app.core.enums import ChangeAction, Verdict
from app.core.models import utcnow
from app.core.problems import InvalidParameter, NotFound, ValidationFailed
from app.initiatives import reads as initiative_reads

ENTITY = "judgement"
ADMIN_JUDGE = "admin"
# Built once: an overlap read runs it, and building its statements was a measurable part of one.
INVOLVING = select(OverlapJudgement).where(
    or_(
        col(OverlapJudgement.first_id).in_(bindparam("ids", expanding=True)),
        col(OverlapJudgement.second_id).in_(bindparam("ids", expanding=True)),
    )
)

Pair = tuple[uuid.UUID, uuid.UUID]


def pair(one: uuid.UUID, other: uuid.UUID) -> Pair:
    """A pair's key: its two ids in order."""
    first, second = sorted((one, other))
    return first, second


def judge(
    session: Session, initiative_id: uuid.UUID, other_id: uuid.UUID, data: JudgementWrite, caller: Caller
) -> JudgementRead:
    """Record or change the caller's judgement of the pair."""
    judge_code = _judge_for(session, initiative_id, other_id, caller)
    first, second = pair(initiative_id, other_id)
    judgement = _find(session, first, second, judge_code)
    before = read(judgement, initiative_id).model_dump(mode="json") if judgement else {}
    if judgement is None:
        judgement = OverlapJudgement(first_id=first, second_id=second, judge=judge_code, **data.model_dump())
        session.add(judgement)
    else:
        judgement.sqlmodel_update(data.model_dump())
        judgement.updated_at = utcnow()
    session.flush()
    after = read(judgement, initiative_id)
    changes = change_service.diff(before, after.model_dump(mode="json"), ignored={"created_at", "updated_at"})
    if changes:
        _record(session, judgement, ChangeAction.update if before else ChangeAction.create, caller, changes)
    return after


def withdraw(session: Session, initiative_id: uuid.UUID, other_id: uuid.UUID, caller: Caller) -> None:
    """Withdraw the caller's own judgement of the pair; the history keeps it."""
    judge_code = _judge_for(session, initiative_id, other_id, caller)
    judgement = _find(session, *pair(initiative_id, other_id), judge_code)
    if judgement is None:
        raise NotFound(f"{judge_code} has not judged this pair.")
    _record(session, judgement, ChangeAction.delete, caller, {})
    session.delete(judgement)
    session.flush()


def of_pair(session: Session, initiative_id: uuid.UUID, other_id: uuid.UUID) -> list[JudgementRead]:
    first, second = pair(initiative_id, other_id)
    statement = (
        select(OverlapJudgement)
        .where(OverlapJudgement.first_id == first, OverlapJudgement.second_id == second)
        .order_by(col(OverlapJudgement.judge))
    )
    return [read(judgement, initiative_id) for judgement in session.exec(statement)]


def involving(session: Session, ids: Iterable[uuid.UUID]) -> dict[Pair, list[OverlapJudgement]]:
    """Every judgement of a pair with one of `ids` in it, by pair."""
    wanted = list(ids)
    found: dict[Pair, list[OverlapJudgement]] = {}
    for start in range(0, len(wanted), 1_000):
        for judgement in session.exec(INVOLVING, params={"ids": wanted[start : start + 1_000]}):
            found.setdefault((judgement.first_id, judgement.second_id), []).append(judgement)
    return found


def verdict(judgements: Iterable[OverlapJudgement | JudgementRead]) -> Verdict | None:
    """What the judgements decide: their verdict when all agree, else none (see the module docstring)."""
    verdicts = {judgement.verdict for judgement in judgements}
    return Verdict(verdicts.pop()) if len(verdicts) == 1 else None


def all_verdicts(session: Session) -> dict[Pair, Verdict]:
    """Every judged pair's verdict, for pairs whose judges agree."""
    found: dict[Pair, list[OverlapJudgement]] = {}
    for judgement in session.exec(select(OverlapJudgement)):
        found.setdefault((judgement.first_id, judgement.second_id), []).append(judgement)
    return {key: decided for key, judged in found.items() if (decided := verdict(judged)) is not None}


def _judge_for(session: Session, initiative_id: uuid.UUID, other_id: uuid.UUID, caller: Caller) -> str:
    """Who the caller judges as; refused unless it owns or takes part in one of the two."""
    if initiative_id == other_id:
        raise ValidationFailed(
            "An initiative cannot be judged against itself.",
            [InvalidParameter(property="other_id", reason="is the initiative itself", value=str(other_id))],
        )
    rows = {row.id: row for row in initiative_reads.rows(session, [initiative_id, other_id])}
    if other_id not in rows:
        raise NotFound(f"No initiative has the id {other_id}.")
    involved = {row.owner_code for row in rows.values()} | {
        p.organisation_code for p in initiative_reads.participations(session, rows, confirmed_only=True)
    }
    permissions.require_involved(
        caller,
        involved,
        "Only an owner or participant of one of the two initiatives, or the admin, may judge the pair.",
    )
    return ADMIN_JUDGE if caller.is_admin else str(caller.organisation_code)


def _find(session: Session, first: uuid.UUID, second: uuid.UUID, judge_code: str) -> OverlapJudgement | None:
    statement = select(OverlapJudgement).where(
        OverlapJudgement.first_id == first, OverlapJudgement.second_id == second, OverlapJudgement.judge == judge_code
    )
    return session.exec(statement).first()


def read(judgement: OverlapJudgement, initiative_id: uuid.UUID) -> JudgementRead:
    other = judgement.second_id if judgement.first_id == initiative_id else judgement.first_id
    return JudgementRead(
        initiative_id=initiative_id,
        other_id=other,
        judge=judgement.judge,
        verdict=judgement.verdict,
        note=judgement.note,
        created_at=judgement.created_at,
        updated_at=judgement.updated_at,
    )


def _record(session: Session, judgement: OverlapJudgement, action: ChangeAction, caller: Caller, changes: dict) -> None:
    """One entry in each initiative's history."""
    change_service.record(
        session,
        [
            change_service.new_change(
                entity=ENTITY,
                entity_id=judgement.id,
                initiative_id=side,
                action=action,
                caller=caller,
                snapshot=read(judgement, side).model_dump(mode="json"),
                changes=changes,
            )
            for side in (judgement.first_id, judgement.second_id)
        ],
    )


def delete_involving(session: Session, ids: list[uuid.UUID]) -> None:
    """Delete the judgements of pairs with one of these (demo) initiatives; their changes go with
    the initiatives' own."""
    session.execute(
        delete(OverlapJudgement).where(
            or_(col(OverlapJudgement.first_id).in_(ids), col(OverlapJudgement.second_id).in_(ids))
        )
    )
