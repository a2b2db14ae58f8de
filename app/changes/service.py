"""Recording writes (audit trail and change feed) and reading them back."""

import base64
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

import rfc8785
from sqlalchemy import event, func, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from app.changes.log import merkle, tree
from app.changes.models import Change
from app.changes.schemas import ChangeRead
from app.core.caller import Caller
from app.core.db import insert_rows
from app.core.enums import ChangeAction
from app.core.models import utcnow

# Any constant works; it names the lock that orders change-feed writes on PostgreSQL.
FEED_LOCK_ID = 7_260_301

# Called with the entries `append_recorded` has just appended, in the same transaction: the webhook outbox
# (`app.webhooks.outbox`, registered by `app.assembly`) queues its deliveries here.
Listener = Callable[[Session, list[dict[str, Any]]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def diff(before: dict[str, Any], after: dict[str, Any], ignored: set[str]) -> dict[str, dict[str, Any]]:
    """Each field whose value differs, as {"old": …, "new": …}."""
    return {
        field: {"old": before.get(field), "new": value}
        for field, value in after.items()
        if field not in ignored and before.get(field) != value
    }


def new_change(
    *,
    entity: str,
    entity_id: uuid.UUID,
    initiative_id: uuid.UUID | None,
    action: ChangeAction,
    caller: Caller,
    snapshot: dict[str, Any],
    changes: dict[str, Any],
    version: int | None = None,
) -> dict[str, Any]:
    """A row of the `change` table, for `record`; a plain dict, since a bulk import records
    thousands and building a model for each cost more than writing it."""
    return {
        "entity": entity,
        "entity_id": entity_id,
        "initiative_id": initiative_id,
        "action": action,
        "version": version,
        "occurred_at": utcnow(),
        "actor_kind": caller.actor_kind,
        "actor_key_id": caller.key_id,
        "actor_organisation_code": caller.organisation_code,
        "changes": changes,
        "snapshot": snapshot,
    }


class _Queued(NamedTuple):
    transaction: SessionTransaction
    changes: list[dict[str, Any]]


# In `session.info`: the entries recorded but not yet appended, and those recorded outside a
# savepoint but appended inside it, with that savepoint (they go back to the queue if it rolls back).
_QUEUE = "change_feed_queue"
_APPENDED = "change_feed_appended"


def record(session: Session, changes: list[dict[str, Any]]) -> None:
    """Record these entries of the feed: they are appended, in the order recorded, when the
    session's transaction commits (or the session reads the feed first)."""
    if changes:
        session.connection()  # a transaction to tie them to
        transaction = session.get_nested_transaction() or session.get_transaction()
        assert transaction is not None
        session.info.setdefault(_QUEUE, []).append(_Queued(transaction, changes))


def append_recorded(session: Session) -> None:
    """Append what the session recorded to the feed: number it, add its leaves to the verifiable
    log (`app.changes.log`) and tell the listeners. On PostgreSQL the feed's lock is held from
    here to the commit, so this runs as late as it can: at the commit, not at each write, which
    held the lock while the request went on and kept most of the writers waiting for it. The
    feed's reads below call it first, so a transaction reads the entries it recorded (on
    PostgreSQL such a read takes the lock from there to the commit)."""
    queued = session.info.pop(_QUEUE, [])
    if not queued:
        return
    session.flush()
    _serialise_feed_writes(session)
    # Numbered here, under the lock, rather than by the database: the leaf is the entry as the
    # feed serves it, sequence included, and is written with it, never afterwards.
    latest, tree_size = session.connection().execute(FEED_ENDS).one()
    first = (latest or 0) + 1
    rows = [
        {**change, "sequence": first + offset}
        for offset, change in enumerate(change for entry in queued for change in entry.changes)
    ]
    leaves = [leaf_bytes(row) for row in rows]
    first_index = tree.append(session, leaves, tree_size)
    insert_rows(
        session,
        Change,
        [
            {**row, "leaf": leaf, "leaf_index": first_index + n}
            for n, (row, leaf) in enumerate(zip(rows, leaves, strict=True))
        ],
    )
    for listener in _listeners:
        listener(session, rows)
    savepoint = session.get_nested_transaction()
    outside = [entry for entry in queued if not _within(entry.transaction, savepoint)] if savepoint else []
    if outside:  # those recorded within the savepoint go with it, whatever becomes of it
        session.info.setdefault(_APPENDED, []).append((savepoint, outside))


@event.listens_for(OrmSession, "before_commit")
def _append_before_commit(session: Session) -> None:
    append_recorded(session)


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_rolled_back(session: OrmSession, rolled_back: SessionTransaction) -> None:
    """Entries recorded in a transaction (or a savepoint within it) that rolled back never happened;
    entries recorded outside a savepoint but appended inside it (a read there appended them) are
    appended again."""
    undone: list[_Queued] = []
    still_appended = []
    for savepoint, entries in session.info.get(_APPENDED, []):
        if _within(savepoint, rolled_back):
            undone.extend(entries)
        else:
            still_appended.append((savepoint, entries))
    queued = [entry for entry in undone + session.info.get(_QUEUE, []) if not _within(entry.transaction, rolled_back)]
    session.info[_QUEUE], session.info[_APPENDED] = queued, still_appended


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_at_end(session: OrmSession, ended: SessionTransaction) -> None:
    if ended.parent is None:
        session.info.pop(_QUEUE, None)
        session.info.pop(_APPENDED, None)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def leaf_bytes(row: dict[str, Any]) -> bytes:
    """The entry as `GET /api/v1/changes` serves it (without its `leaf_hash`), in RFC 8785 canonical JSON."""
    return rfc8785.dumps(ChangeRead.model_validate(row).model_dump(mode="json"))


def served_item(change: Change) -> dict[str, Any]:
    """A feed item: the entry exactly as its stored leaf holds it, with the leaf's hash."""
    return {**json.loads(change.leaf), "leaf_hash": base64.b64encode(merkle.leaf_hash(change.leaf)).decode()}


def _serialise_feed_writes(session: Session) -> None:
    # On PostgreSQL two transactions could take sequences 7 and 8 and commit 8 first; a
    # partner reading "after 6" would then see 8 and skip 7 for ever. Holding this lock until
    # commit makes sequence order equal commit order. SQLite already has a single writer.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": FEED_LOCK_ID})


def list_changes(session: Session, *, after: int, limit: int) -> list[Change]:
    append_recorded(session)
    query = select(Change).where(col(Change.sequence) > after).order_by(col(Change.sequence)).limit(limit)
    return list(session.exec(query))


def entries(session: Session, sequences: Iterable[int]) -> list[Change]:
    """The entries with these sequence numbers, in sequence order."""
    append_recorded(session)
    statement = select(Change).where(col(Change.sequence).in_(list(sequences))).order_by(col(Change.sequence))
    return list(session.exec(statement))


def history(session: Session, initiative_id: uuid.UUID) -> list[Change]:
    append_recorded(session)
    query = select(Change).where(Change.initiative_id == initiative_id).order_by(col(Change.sequence))
    return list(session.exec(query))


class FeedPosition(NamedTuple):
    """A change-feed entry's sequence number and when it was written (0 and None before the first)."""

    sequence: int
    occurred_at: datetime | None


LATEST_CHANGE = select(Change.sequence, Change.occurred_at).order_by(col(Change.sequence).desc()).limit(1)


def latest_position(session: Session) -> FeedPosition:
    append_recorded(session)
    row = session.connection().execute(LATEST_CHANGE).first()
    return FeedPosition(row.sequence, row.occurred_at) if row else FeedPosition(0, None)


def written_at(session: Session, sequences: Iterable[int]) -> dict[int, datetime]:
    """When each of these entries was written, for those the feed still holds."""
    append_recorded(session)
    statement = select(Change.sequence, Change.occurred_at).where(col(Change.sequence).in_(list(sequences)))
    return {row[0]: row[1] for row in session.connection().execute(statement)}


def initiatives_changed_between(session: Session, after: int, upto: int) -> set[uuid.UUID]:
    """The initiatives that entries after `after` up to `upto` concern (their own writes, their
    adoptions' and judgements')."""
    append_recorded(session)
    statement = (
        select(Change.initiative_id)
        .where(col(Change.sequence) > after, col(Change.sequence) <= upto, col(Change.initiative_id).is_not(None))
        .distinct()
    )
    return set(session.connection().execute(statement).scalars())


LATEST_SEQUENCE = select(func.max(Change.sequence))  # built once: every cached read asks
# The feed's last sequence and the log's size, read in one statement under the feed's lock.
FEED_ENDS = select(LATEST_SEQUENCE.scalar_subquery(), tree.SIZE.scalar_subquery())


def latest_sequence(session: Session) -> int:
    append_recorded(session)
    return session.connection().execute(LATEST_SEQUENCE).scalar() or 0


def latest_sequence_of(engine: Engine) -> int:
    """`latest_sequence` outside a request's session: what the read cache's middleware asks."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # One statement needs no transaction: autocommit saves the round trips of BEGIN and of
            # the ROLLBACK that returns the connection to the pool. Not on SQLite: returning the
            # connection would switch pysqlite back to its own implicit transactions.
            connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(LATEST_SEQUENCE).scalar() or 0


def record_deleted_initiatives(session: Session, initiative_ids: Iterable[uuid.UUID], caller: Caller) -> int:
    """Append a `delete` entry for each of these initiatives (demo initiatives, which `registry
    demo --remove` deletes outright): the log stays append-only and mirrors learn to drop them."""
    changes = [
        new_change(
            entity="initiative",
            entity_id=initiative_id,
            initiative_id=initiative_id,
            action=ChangeAction.delete,
            caller=caller,
            snapshot={"id": str(initiative_id), "is_demo": True},
            changes={},
        )
        for initiative_id in initiative_ids
    ]
    record(session, changes)
    return len(changes)
