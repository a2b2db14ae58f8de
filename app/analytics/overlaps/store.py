"""The overlap tables as the indexer writes them and the API reads them."""

import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, bindparam, delete, or_, union_all
from sqlmodel import Session, col, select

from app.analytics.overlaps.models import OverlapPair, OverlapProfile
from app.analytics.overlaps.profiles import Profile
from app.core.db import bulk_insert, delete_rows, uuid_text

CHUNK = 2_000  # ids in one IN list: under every engine's limit on bound parameters
LIST_ROWS = 10_000  # rows fetched at a time when every list is read

# Built once: building the statements was a measurable part of an overlap read.
_OF_IDS = col(OverlapProfile.initiative_id).in_(bindparam("ids", expanding=True))
_PROFILE = (col(OverlapProfile.initiative_id), col(OverlapProfile.concepts), col(OverlapProfile.solution))
PROFILES = select(*_PROFILE, col(OverlapProfile.words)).where(_OF_IDS)
# Without the words, three quarters of a profile's JSON: what a cluster's label mostly needs.
PROFILE_CONCEPTS = select(*_PROFILE).where(_OF_IDS)
_PAIRED = (col(OverlapPair.score), col(OverlapPair.same_work))
_LISTED_KEYS = (uuid_text(col(OverlapPair.initiative_id)), uuid_text(col(OverlapPair.other_id)), *_PAIRED)
DROP_ROW = delete(OverlapPair).where(
    col(OverlapPair.initiative_id) == bindparam("listing"), col(OverlapPair.other_id) == bindparam("listed")
)


def _pairs_of(wanted: ColumnElement[bool]) -> CompoundSelect:
    """An initiative's own list whole, and the best `shown` rows naming it in other lists that are
    `wanted` or judged (a text many organisations wrote is in hundreds of lists)."""
    held = (
        select(col(OverlapPair.initiative_id).label("partner"), *_PAIRED)
        .where(
            col(OverlapPair.other_id) == bindparam("id"),
            or_(wanted, col(OverlapPair.initiative_id).in_(bindparam("judged", expanding=True))),
        )
        .order_by(col(OverlapPair.score).desc(), col(OverlapPair.initiative_id))
        .limit(bindparam("shown"))
        .subquery()
    )
    return union_all(
        select(col(OverlapPair.other_id).label("partner"), *_PAIRED).where(
            col(OverlapPair.initiative_id) == bindparam("id")
        ),
        select(held.c.partner, held.c.score, held.c.same_work),
    )


PAIRS_OF_SAME_WORK = _pairs_of(col(OverlapPair.same_work).is_(True))
PAIRS_OF_FROM_SCORE = _pairs_of(col(OverlapPair.score) >= bindparam("min_score"))


def write_profiles(session: Session, profiles: dict[str, Profile]) -> None:
    """Replace these initiatives' profiles."""
    delete_profiles(session, profiles)
    bulk_insert(
        session,
        OverlapProfile,
        [
            {"initiative_id": uuid.UUID(key), "concepts": p.concepts, "words": p.words, "solution": p.solution}
            for key, p in profiles.items()
        ],
    )


def delete_profiles(session: Session, keys: Iterable[str]) -> None:
    for chunk in _chunks(keys):
        delete_rows(session, OverlapProfile, "initiative_id", chunk)


def profiles(session: Session, ids: Iterable[uuid.UUID], *, words: bool = True) -> dict[uuid.UUID, Profile]:
    """These initiatives' profiles (with no `words`, each with none)."""
    found: dict[uuid.UUID, Profile] = {}
    statement = PROFILES if words else PROFILE_CONCEPTS
    for chunk in _chunks(str(i) for i in ids):
        for row in session.connection().execute(statement, {"ids": chunk}):
            found[row.initiative_id] = Profile(row.concepts, row.words if words else [], row.solution)
    return found


ListRow = tuple[str, str]  # (listing, listed): a stored list's row, by the initiatives' keys


@dataclass(frozen=True)
class ListChanges:
    """What writing lists changes in the pairs table (`list_changes`, `write_list_changes`)."""

    dropped: list[ListRow]
    added: list[dict[str, Any]]


StoredRows = dict[ListRow, tuple[float, bool]]  # (score, same work) by row


def list_changes(lists: dict[str, list[tuple[str, float, bool]]], stored: StoredRows) -> ListChanges:
    """The rows to drop and to add so that these initiatives' stored lists are `lists`: (other,
    score, same work), given at least their `stored` rows (`list_rows`, `rows_naming`). A batch
    works out again every list a change may alter, and most of a list stays as it was (a new
    initiative enters a neighbour's list and pushes its last out): only the rows that differ are
    written."""
    wanted = {(key, other): (score, same) for key, listed in lists.items() for other, score, same in listed}
    # By key, not id: a batch compares tens of thousands of rows and writes a few thousand.
    return ListChanges(
        dropped=[row for row, value in stored.items() if row[0] in lists and wanted.get(row) != value],
        added=[
            {"initiative_id": uuid.UUID(listing), "other_id": uuid.UUID(listed), "score": score, "same_work": same}
            for (listing, listed), (score, same) in wanted.items()
            if stored.get((listing, listed)) != (score, same)
        ],
    )


def write_list_changes(session: Session, changes: ListChanges) -> None:
    # One row at a time by its key: a row-value IN list made SQLite scan the table.
    if changes.dropped:
        rows = [{"listing": uuid.UUID(a), "listed": uuid.UUID(b)} for a, b in changes.dropped]
        session.connection().execute(DROP_ROW, rows)
    bulk_insert(session, OverlapPair, changes.added)


def list_rows(session: Session, keys: Iterable[str]) -> StoredRows:
    """The stored rows of these initiatives' lists."""
    return _rows(session, keys, _listed_by)


def rows_naming(session: Session, keys: Iterable[str]) -> StoredRows:
    """The stored rows that name one of these initiatives, in its list or in another's."""
    return _rows(session, keys, _naming)


def _rows(session: Session, keys: Iterable[str], which: Callable[[list[uuid.UUID]], ColumnElement[bool]]) -> StoredRows:
    found: StoredRows = {}
    for chunk in _chunks(keys):
        for listing, listed, score, same in session.connection().execute(select(*_LISTED_KEYS).where(which(chunk))):
            found[(listing, listed)] = (score, bool(same))
    return found


def _listed_by(ids: list[uuid.UUID]) -> ColumnElement[bool]:
    return col(OverlapPair.initiative_id).in_(ids)


def _naming(ids: list[uuid.UUID]) -> ColumnElement[bool]:
    return or_(_listed_by(ids), col(OverlapPair.other_id).in_(ids))


def delete_lists(session: Session, keys: Iterable[str]) -> None:
    for chunk in _chunks(keys):
        delete_rows(session, OverlapPair, "initiative_id", chunk)


def all_lists(session: Session) -> Iterator[tuple[str, str, float]]:
    """Every stored list's rows: (listing, listed, score), streamed in order of listing."""
    statement = select(*_LISTED_KEYS[:3]).order_by(col(OverlapPair.initiative_id))
    yield from session.connection().execute(statement.execution_options(yield_per=LIST_ROWS))


def listed_ids(session: Session) -> set[uuid.UUID]:
    """Every initiative that has a list or a profile stored."""
    statement = union_all(select(col(OverlapPair.initiative_id)).distinct(), select(col(OverlapProfile.initiative_id)))
    return set(session.connection().execute(statement).scalars())


@dataclass(frozen=True)
class Paired:
    score: float
    same_work: bool


def pairs_of(
    session: Session, initiative_id: uuid.UUID, *, min_score: float | None, judged: Collection[uuid.UUID], limit: int
) -> dict[uuid.UUID, Paired]:
    """The initiatives paired with this one that its best `limit` may hold: every pair of its own
    list (a few dozen at most), and of the pairs other lists hold, those taken to be the same work
    (with `min_score`: scoring at least that) or `judged`, best first, as many as `limit` and the
    judged together: only a judgement (of a pair judged different) can take one of them out."""
    parameters: dict[str, Any] = {"id": initiative_id, "judged": list(judged), "shown": limit + len(judged)}
    statement = PAIRS_OF_SAME_WORK if min_score is None else PAIRS_OF_FROM_SCORE
    if min_score is not None:
        parameters["min_score"] = min_score
    return {
        partner: Paired(score, same) for partner, score, same in session.connection().execute(statement, parameters)
    }


def partners(session: Session, ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID, float]]:
    """Every stored pair taken to be the same work that involves one of `ids`: (listing, listed,
    score)."""
    found: list[tuple[uuid.UUID, uuid.UUID, float]] = []
    for chunk in _chunks(str(i) for i in ids):
        statement = select(col(OverlapPair.initiative_id), col(OverlapPair.other_id), col(OverlapPair.score)).where(
            _naming(chunk), col(OverlapPair.same_work)
        )
        found.extend((a, b, c) for a, b, c in session.connection().execute(statement))
    return found


def _chunks(keys: Iterable[str]) -> Iterable[list[uuid.UUID]]:
    chunk: list[uuid.UUID] = []
    for key in keys:
        chunk.append(uuid.UUID(key))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def delete_pairs_naming(session: Session, keys: Iterable[str]) -> None:
    """Delete every pair with one of these initiatives on either side."""
    for chunk in _chunks(keys):
        session.connection().execute(delete(OverlapPair).where(_naming(chunk)))
